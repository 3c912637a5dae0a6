// Package sample holds the decoded Prometheus data the service map is built
// from. It is the only thing the Prometheus client and the pure graph
// builder share, so that graph never depends on I/O code.
package sample

import (
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// Kind says which Envoy counter a sample comes from.
type Kind string

const (
	// Requests counts upstream requests by status class
	// (envoy_cluster_upstream_rq_xx); Class is set.
	Requests Kind = "requests"
	// GRPCFailures counts upstream gRPC calls with a non-OK status.
	GRPCFailures Kind = "grpc_failures"
	// LatencyBucket is one cumulative bucket of
	// envoy_cluster_upstream_rq_time (milliseconds); LE is set.
	LatencyBucket Kind = "latency_bucket"
	// RxBytes, TxBytes and Connections are upstream TCP counters.
	RxBytes     Kind = "rx_bytes"
	TxBytes     Kind = "tx_bytes"
	Connections Kind = "connections"
	// InboundRequests counts requests a proxy received
	// (envoy_http_downstream_rq_xx); Class is set and Cluster holds the HTTP
	// connection manager's stat prefix.
	InboundRequests Kind = "inbound_requests"
)

// Proxy identifies the reporting proxy by its labels.
type Proxy struct {
	Mesh string
	Zone string
	// Source is the kuma_io_service value (legacy) or kuma_workload value
	// (unified) of the proxy.
	Source string
	// Gateway is true for gateway proxies (kuma_proxy_role="gateway" or a
	// kuma_io_mesh_gateway label).
	Gateway bool
	// ZoneProxy is set on a zone proxy's samples: ZoneIngress or ZoneEgress.
	// Zone is then its zone and Source is empty.
	ZoneProxy string
}

// The values of the proxy label of Kuma's kuma-zone-proxies scrape job
// (kumahq/kuma dashboards/grafana/README.md): a zone proxy's kind.
const (
	ZoneIngress = "ingress"
	ZoneEgress  = "egress"
)

// Sample is one series of an instant query: the increase of a counter over
// the window, evaluated at the end of the dashboard range.
type Sample struct {
	Kind  Kind
	Proxy Proxy
	// Cluster is envoy_cluster_name, or the connection manager prefix for
	// InboundRequests.
	Cluster string
	// Class is the status class: "2xx", "3xx", "4xx" or "5xx".
	Class string
	// LE is the bucket's upper bound in milliseconds (+Inf included).
	LE    float64
	Value float64
}

// Severity of a notice, mirroring Grafana's notice severities.
type Severity string

const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Notice is a message for the user to show next to the map.
type Notice struct {
	Severity Severity
	Text     string
}

// Set is everything fetched for one map.
type Set struct {
	// Regime is the naming regime the samples follow (requested or detected).
	Regime naming.Regime
	// Window is the range each Value covers; rates are Value/Window.
	Window  time.Duration
	Samples []Sample
	// Notices carry Prometheus warnings, truncations and failed sub-queries.
	Notices []Notice
}
