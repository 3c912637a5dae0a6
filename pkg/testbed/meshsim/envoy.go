package meshsim

import "strconv"

// Levels Envoy reports that the simulation keeps constant: they only have to look real.
const (
	circuitBreakerMax   = 1024
	retryBudget         = 3
	internalRPS         = 0.2 // admin scrapes, ADS pushes, passthrough
	internalBytesPerReq = 2048
	memoryAllocated     = 9.2e6
	memoryHeap          = 14.7e6
)

var connectLatency = Latency{MedianMs: 1, Spread: 2}

// EnvoyMetrics returns what the dataplane's Envoy would expose T seconds after it
// started, with common appended to every sample.
func (d *Dataplane) EnvoyMetrics(t float64, common ...Label) *Families {
	f := NewFamilies(append(d.bodyLabels(), common...)...)
	r := d.Mesh.Naming
	f.Gauge("envoy_server_live", 1)
	f.Gauge("envoy_server_state", 0)
	f.Gauge("envoy_server_uptime", t)
	f.Gauge("envoy_server_concurrency", 2)
	f.Gauge("envoy_server_memory_allocated", memoryAllocated)
	f.Gauge("envoy_server_memory_heap_size", memoryHeap)
	f.Gauge("envoy_control_plane_connected_state", 1)
	for _, c := range internalClusters(r) {
		internalCluster(f, c, t, meshTrafficLabel(r, c))
	}
	var served []load // what this proxy's listener receives
	for _, o := range d.outbound {
		clusterMetrics(f, o.cluster, o.proto, traffic{[]load{o.load}, t}, o.members, o.healthy, meshTrafficLabel(r, o.cluster))
	}
	switch d.Kind {
	case KindSidecar:
		served = d.inbound
		in := inboundName(r, d.Port())
		tr := traffic{served, t}
		clusterMetrics(f, in, d.Protocol(), tr, 1, 1, meshTrafficLabel(r, in))
		if d.Protocol().IsHTTP() {
			downstreamHTTP(f, in, tr, meshTrafficLabel(r, in))
		} else {
			downstreamTCP(f, in, tr)
		}
		d.mtlsMetrics(f, in, tr, t)
		d.dnsMetrics(f, t)
	case KindGatewayBuiltin:
		for _, o := range d.outbound {
			served = append(served, o.load)
		}
		tr := traffic{served, t}
		prefix := d.Gateway.Name + "_" + d.Gateway.ListenerProtocol() + "_" + strconv.Itoa(d.Port())
		downstreamHTTP(f, prefix, tr, nil)
		// Every request has a route here; the router counts misses (404s it answers itself).
		f.Counter("envoy_http_no_route", 0, Label{"envoy_http_conn_manager_prefix", prefix})
		if d.Gateway.TLS {
			l := Label{"envoy_listener_address", "0.0.0.0_" + strconv.Itoa(d.Port())}
			f.Counter("envoy_listener_ssl_handshake", tr.total((*Edge).cxRate), l)
			f.Counter("envoy_listener_ssl_connection_error", 0, l)
		}
	}
	return f
}

// clusterMetrics writes the upstream families of one cluster; the protocol, not the
// traffic, decides the families, so an idle cluster still reports zeros.
func clusterMetrics(f *Families, cluster string, p Protocol, tr traffic, members, healthy int, extra []Label) {
	l := append([]Label{{"envoy_cluster_name", cluster}}, extra...)
	with := func(name, value string) []Label { return append(l[:len(l):len(l)], Label{name, value}) }
	if p.IsHTTP() {
		reqs := tr.requests()
		f.Counter("envoy_cluster_upstream_rq_total", reqs, l...)
		f.Counter("envoy_cluster_upstream_rq_completed", reqs, l...)
		for _, c := range statusClasses {
			f.Counter("envoy_cluster_upstream_rq_xx", tr.class(c), with("envoy_response_code_class", c[:1])...)
		}
		for _, c := range statusClasses {
			f.Counter("envoy_cluster_upstream_rq", tr.class(c), with("envoy_response_code", representativeCode[c])...)
		}
		f.Counter("envoy_cluster_upstream_rq_timeout", tr.requestsWith(func(e *Edge) float64 { return e.Timeout }), l...)
		f.Counter("envoy_cluster_upstream_rq_retry", tr.requestsWith(func(e *Edge) float64 { return e.Retry }), l...)
		f.Counter("envoy_cluster_upstream_rq_rx_reset", tr.requestsWith(func(e *Edge) float64 { return e.Reset }), l...)
		f.Counter("envoy_cluster_upstream_rq_tx_reset", 0, l...)
		f.Counter("envoy_cluster_upstream_rq_retry_overflow", 0, l...)
		f.Counter("envoy_cluster_upstream_rq_pending_overflow", 0, l...)
		f.Gauge("envoy_cluster_upstream_rq_active", tr.gauge(func(e *Edge, _ Protocol) float64 { return e.RPS * e.Latency.MeanMs() / 1000 }), l...)
		buckets, sum := tr.latency()
		f.Histogram("envoy_cluster_upstream_rq_time", EnvoyBucketsMs, buckets, reqs, sum, l...)
		if p == ProtocolGRPC {
			grpcMetrics(f, tr, l)
		}
	}
	cxTotal := tr.total((*Edge).cxRate)
	cxActive := tr.gauge((*Edge).cxActive)
	f.Counter("envoy_cluster_upstream_cx_total", cxTotal, l...)
	f.Gauge("envoy_cluster_upstream_cx_active", cxActive, l...)
	f.Counter("envoy_cluster_upstream_cx_tx_bytes_total", tr.total((*Edge).txBytes), l...)
	f.Counter("envoy_cluster_upstream_cx_rx_bytes_total", tr.total((*Edge).rxBytes), l...)
	f.Counter("envoy_cluster_upstream_cx_connect_fail", 0, l...)
	f.Counter("envoy_cluster_upstream_cx_connect_timeout", 0, l...)
	buckets, sum := fixedHistogram(connectLatency, cxTotal)
	f.Histogram("envoy_cluster_upstream_cx_connect_ms", EnvoyBucketsMs, buckets, cxTotal, sum, l...)
	buckets, sum = fixedHistogram(connectionLength(tr), cxTotal)
	f.Histogram("envoy_cluster_upstream_cx_length_ms", EnvoyBucketsMs, buckets, cxTotal, sum, l...)
	f.Gauge("envoy_cluster_membership_total", float64(members), l...)
	f.Gauge("envoy_cluster_membership_healthy", float64(healthy), l...)
	f.Gauge("envoy_cluster_membership_degraded", 0, l...)
	f.Counter("envoy_cluster_membership_change", float64(members), l...)
	f.Gauge("envoy_cluster_circuit_breakers_default_cx_open", 0, l...)
	f.Gauge("envoy_cluster_circuit_breakers_default_rq_open", 0, l...)
	f.Gauge("envoy_cluster_circuit_breakers_default_remaining_cx", circuitBreakerMax-cxActive, l...)
	f.Gauge("envoy_cluster_circuit_breakers_default_remaining_rq", circuitBreakerMax, l...)
	f.Gauge("envoy_cluster_circuit_breakers_default_remaining_pending", circuitBreakerMax, l...)
	f.Gauge("envoy_cluster_circuit_breakers_default_remaining_retries", retryBudget, l...)
	f.Gauge("envoy_cluster_outlier_detection_ejections_active", 0, l...)
	f.Counter("envoy_cluster_outlier_detection_ejections_enforced_total", 0, l...)
}

// connectionLength follows from Little's law: mean length = active / opening rate.
func connectionLength(tr traffic) Latency {
	rate, active := tr.gauge((*Edge).cxRate), tr.gauge((*Edge).cxActive)
	if rate == 0 || active == 0 {
		return Latency{MedianMs: 60000, Spread: 2}
	}
	return Latency{MedianMs: active / rate * 1000, Spread: 2}
}

// grpcMetrics writes the grpc_stats filter's per-cluster counters.
func grpcMetrics(f *Families, tr traffic, l []Label) {
	calls := tr.requests()
	failed := tr.requestsWith(func(e *Edge) float64 { return e.GRPCFailure })
	f.Counter("envoy_cluster_grpc_total", calls, l...)
	f.Counter("envoy_cluster_grpc_success", calls-failed, l...)
	f.Counter("envoy_cluster_grpc_failure", failed, l...)
	f.Counter("envoy_cluster_grpc_request_message_count", calls, l...)
	f.Counter("envoy_cluster_grpc_response_message_count", calls, l...)
}

// downstreamHTTP writes the HTTP connection manager families of a listener; it
// receives what its sources send, so bytes are mirrored.
func downstreamHTTP(f *Families, prefix string, tr traffic, extra []Label) {
	l := append([]Label{{"envoy_http_conn_manager_prefix", prefix}}, extra...)
	reqs := tr.requests()
	f.Counter("envoy_http_downstream_rq_total", reqs, l...)
	f.Counter("envoy_http_downstream_rq_completed", reqs, l...)
	for _, c := range statusClasses {
		f.Counter("envoy_http_downstream_rq_xx", tr.class(c), append(l[:len(l):len(l)], Label{"envoy_response_code_class", c[:1]})...)
	}
	f.Gauge("envoy_http_downstream_rq_active", tr.gauge(func(e *Edge, _ Protocol) float64 { return e.RPS * e.Latency.MeanMs() / 1000 }), l...)
	buckets, sum := tr.latency()
	f.Histogram("envoy_http_downstream_rq_time", EnvoyBucketsMs, buckets, reqs, sum, l...)
	f.Counter("envoy_http_downstream_cx_total", tr.total((*Edge).cxRate), l...)
	f.Gauge("envoy_http_downstream_cx_active", tr.gauge((*Edge).cxActive), l...)
	f.Counter("envoy_http_downstream_cx_rx_bytes_total", tr.total((*Edge).txBytes), l...)
	f.Counter("envoy_http_downstream_cx_tx_bytes_total", tr.total((*Edge).rxBytes), l...)
}

// downstreamTCP writes the TCP proxy families of an inbound.
func downstreamTCP(f *Families, prefix string, tr traffic) {
	l := Label{"envoy_tcp_prefix", prefix}
	f.Counter("envoy_tcp_downstream_cx_total", tr.total((*Edge).cxRate), l)
	f.Counter("envoy_tcp_downstream_cx_no_route", 0, l)
	f.Counter("envoy_tcp_downstream_cx_rx_bytes_total", tr.total((*Edge).txBytes), l)
	f.Counter("envoy_tcp_downstream_cx_tx_bytes_total", tr.total((*Edge).rxBytes), l)
	f.Gauge("envoy_tcp_downstream_cx_rx_bytes_buffered", 0, l)
	f.Gauge("envoy_tcp_downstream_cx_tx_bytes_buffered", 0, l)
}

// internalCluster writes a few families for a non-mesh cluster so that queries which
// forget to filter them out give visibly wrong answers.
func internalCluster(f *Families, cluster string, t float64, extra []Label) {
	l := append([]Label{{"envoy_cluster_name", cluster}}, extra...)
	f.Counter("envoy_cluster_upstream_rq_total", internalRPS*t, l...)
	f.Counter("envoy_cluster_upstream_rq_xx", internalRPS*t, append(l[:len(l):len(l)], Label{"envoy_response_code_class", "2"})...)
	f.Counter("envoy_cluster_upstream_cx_total", 1, l...)
	f.Gauge("envoy_cluster_upstream_cx_active", 1, l...)
	f.Counter("envoy_cluster_upstream_cx_tx_bytes_total", internalRPS*internalBytesPerReq*t, l...)
	f.Counter("envoy_cluster_upstream_cx_rx_bytes_total", internalRPS*internalBytesPerReq*t, l...)
	f.Gauge("envoy_cluster_membership_total", 1, l...)
	f.Gauge("envoy_cluster_membership_healthy", 1, l...)
}
