// Package graph joins control-plane topology and Prometheus samples into a
// service map. It is pure: data in, graph out, no I/O, no clock.
package graph

import (
	"math"
	"regexp"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// DefaultMaxNodes is used when Options.MaxNodes is not positive.
const DefaultMaxNodes = 200

// Options shape the map. The caller validates user input up front (rollup
// and service regexes), so that Build cannot fail.
type Options struct {
	// Normaliser maps every name to a node name (split suffix, rollup).
	Normaliser naming.Normaliser
	// Zones keeps only services in these zones, plus their direct peers, and
	// only the requests whose ZoneSide end is in them.
	Zones []string
	// ServiceRegex keeps only matching services, plus their direct peers.
	ServiceRegex *regexp.Regexp
	// HideIdle drops nodes without any traffic in the window.
	HideIdle bool
	// MaxNodes keeps the busiest nodes and folds the rest into one "other"
	// node per zone.
	MaxNodes int
	// GroupByZone splits a service into one node per zone wherever its zone
	// is known (MeshService and KRI names, single-zone services, callers).
	GroupByZone bool
	// ZoneSide says which end of a request Zones selects; empty means
	// ZoneSideSource.
	ZoneSide ZoneSide
	// Focus keeps the service of that name (its nodes in every zone) and
	// what lies within Depth hops of it (default 1) in Direction (default
	// both); the zone and service filters then apply within that.
	Focus     string
	Depth     int
	Direction Direction
	// ShowZoneProxies draws a node per zone ingress and egress that reports
	// traffic to the map's services, and sends the sidecars' edges through
	// them: source → its zone's egress → the destination zone's ingress →
	// destination, each hop with what its reporting proxy counted.
	ShowZoneProxies bool
}

// Direction is which way a focus follows requests.
type Direction string

const (
	// DirectionOut follows what the focus calls, DirectionIn its callers.
	DirectionOut  Direction = "out"
	DirectionIn   Direction = "in"
	DirectionBoth Direction = "both"
)

// Graph is the service map.
type Graph struct {
	Regime naming.Regime
	Window time.Duration
	// Nodes and Edges are sorted by ID.
	Nodes   []Node
	Edges   []Edge
	Notices []sample.Notice
}

// Node is one service, gateway, workload or folded group.
type Node struct {
	ID string
	// Name is the normalised service name; Zone is set when the node stands
	// for one zone of it (GroupByZone, or an "other" node).
	Name      string
	Zone      string
	Namespace string
	Info
	// KnownToCP is false for destinations seen only in metrics.
	KnownToCP bool
	// Idle is true when nothing went in or out during the window.
	Idle bool
	// Folded lists the node names an "other" node stands for.
	Folded []string
	// ZoneUnknown marks, with GroupByZone, a service in several zones whose
	// node stands for all of them: traffic reached it under a name that does
	// not say the zone (legacy kuma.io/service clusters).
	ZoneUnknown bool
	// SourceZones are the zones of the proxies whose requests reached the
	// node (over its incoming edges).
	SourceZones []string
	// ProxyServices are the names the node's own proxies report as, before
	// rollup (kuma_io_service, e.g. backend_kuma-demo_svc_8080; kuma_workload
	// on Kuma 3.0): what tracing and access logs name the service by.
	ProxyServices []string
	// Stats is the traffic into the node: what its own proxies received
	// when they report inbound stats, else the sum of its incoming edges.
	Stats Stats
}

// Edge is traffic from one node to another, as the callers' proxies saw it.
type Edge struct {
	ID     string
	Source string
	Target string
	// SourceZones are the zones of the reporting proxies. DestinationZones
	// are the zones the traffic went to where the cluster name or the CP
	// tells; DestinationZoneUnknown is set when some of it went to a zone
	// nobody can tell (legacy names of a service in several zones,
	// MeshMultiZoneServices).
	SourceZones            []string
	DestinationZones       []string
	DestinationZoneUnknown bool
	Stats                  Stats
}

// CrossZone reports traffic known to leave its source's zone.
func (e Edge) CrossZone() bool {
	for _, d := range e.DestinationZones {
		for _, s := range e.SourceZones {
			if s != d {
				return true
			}
		}
	}
	return false
}

// add merges o's traffic and zones into e.
func (e *Edge) add(o *Edge) {
	e.Stats.add(&o.Stats)
	e.SourceZones = addSorted(e.SourceZones, o.SourceZones...)
	e.DestinationZones = addSorted(e.DestinationZones, o.DestinationZones...)
	e.DestinationZoneUnknown = e.DestinationZoneUnknown || o.DestinationZoneUnknown
}

// Stats is traffic over the window. Counts are totals over the window;
// rates are per second.
type Stats struct {
	Requests     StatusCounts
	GRPCFailures float64
	RxBytes      float64
	TxBytes      float64
	Connections  float64
	// Latency is in milliseconds, from merged histogram buckets.
	Latency Latency

	RequestRate float64
	ByteRate    float64
	// ErrorRatio is (5xx + gRPC failures) / requests, capped at 1.
	ErrorRatio float64

	hist histogram
}

// StatusCounts are request counts by status class.
type StatusCounts struct {
	Class2xx, Class3xx, Class4xx, Class5xx float64
}

// Total is the number of requests.
func (c StatusCounts) Total() float64 {
	return c.Class2xx + c.Class3xx + c.Class4xx + c.Class5xx
}

// Latency holds request time quantiles in milliseconds.
type Latency struct {
	P50, P95, P99 float64
	// Known is false when there were no latency observations.
	Known bool
	// FiniteOnly is set when the +Inf bucket exceeded Envoy's top finite bound (an
	// hour) by more than a request in a hundred: the finite buckets lost counts (their
	// le text changed within the window), so the quantiles are over them alone.
	FiniteOnly bool
}

// IsTCP reports traffic that has bytes but no HTTP requests.
func (s Stats) IsTCP() bool {
	return s.Requests.Total() == 0 && (s.RxBytes > 0 || s.TxBytes > 0 || s.Connections > 0)
}

// Active reports whether there was any traffic at all.
func (s Stats) Active() bool {
	return s.Requests.Total() > 0 || s.RxBytes > 0 || s.TxBytes > 0 || s.Connections > 0
}

func (s *Stats) add(o *Stats) {
	s.Requests.Class2xx += o.Requests.Class2xx
	s.Requests.Class3xx += o.Requests.Class3xx
	s.Requests.Class4xx += o.Requests.Class4xx
	s.Requests.Class5xx += o.Requests.Class5xx
	s.GRPCFailures += o.GRPCFailures
	s.RxBytes += o.RxBytes
	s.TxBytes += o.TxBytes
	s.Connections += o.Connections
	s.hist.merge(o.hist)
}

// addSample adds one upstream or inbound sample's value.
func (s *Stats) addSample(smp *sample.Sample) {
	switch smp.Kind {
	case sample.Requests, sample.InboundRequests:
		s.addClass(smp.Class, smp.Value)
	case sample.GRPCFailures:
		s.GRPCFailures += smp.Value
	case sample.LatencyBucket:
		s.hist.add(smp.LE, smp.Value)
	case sample.RxBytes:
		s.RxBytes += smp.Value
	case sample.TxBytes:
		s.TxBytes += smp.Value
	case sample.Connections:
		s.Connections += smp.Value
	}
}

func (s *Stats) addClass(class string, v float64) {
	switch class {
	case "2xx":
		s.Requests.Class2xx += v
	case "3xx":
		s.Requests.Class3xx += v
	case "4xx":
		s.Requests.Class4xx += v
	case "5xx":
		s.Requests.Class5xx += v
	}
}

// finish derives rates, the error ratio and quantiles.
func (s *Stats) finish(window time.Duration) {
	if secs := window.Seconds(); secs > 0 {
		s.RequestRate = s.Requests.Total() / secs
		s.ByteRate = (s.RxBytes + s.TxBytes) / secs
	}
	if total := s.Requests.Total(); total > 0 {
		s.ErrorRatio = min(1, (s.Requests.Class5xx+s.GRPCFailures)/total)
	}
	hist, finiteOnly := s.hist.plausible()
	s.Latency.FiniteOnly = finiteOnly
	p50 := hist.quantile(0.5)
	if math.IsNaN(p50) { // no observations
		return
	}
	s.Latency = Latency{P50: p50, P95: hist.quantile(0.95), P99: hist.quantile(0.99), Known: true, FiniteOnly: finiteOnly}
}
