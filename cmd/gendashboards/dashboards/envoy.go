package dashboards

// Envoy metric families the dashboards read (real names, testdata/envoy/README.md).
var (
	rqTotal       = counter("envoy_cluster_upstream_rq_total")
	rqClass       = counter("envoy_cluster_upstream_rq_xx")
	cxActive      = gauge("envoy_cluster_upstream_cx_active")
	cxTx          = counter("envoy_cluster_upstream_cx_tx_bytes_total")
	cxRx          = counter("envoy_cluster_upstream_cx_rx_bytes_total")
	membersTotal  = gauge("envoy_cluster_membership_total")
	membersHealth = gauge("envoy_cluster_membership_healthy")
	hcmClass      = counter("envoy_http_downstream_rq_xx")
)

// Envoy histograms (milliseconds).
const (
	rqTimeHist     = "envoy_cluster_upstream_rq_time"
	cxConnectHist  = "envoy_cluster_upstream_cx_connect_ms"
	cxLengthHist   = "envoy_cluster_upstream_cx_length_ms"
	downstreamHist = "envoy_http_downstream_rq_time"
)

// scope is a set of Envoy series (some proxies' clusters or listeners) and the labels
// each panel splits them by; no labels means one total.
type scope struct {
	s  sel
	by []string
	// legend overrides the legend built from by, for labels only one regime has
	// ({{kuma_io_service}}{{kuma_workload}} shows whichever is set).
	legend string
}

func (c scope) suffix() string {
	if c.legend != "" {
		return " " + c.legend
	}
	return legendOf(c.by)
}

// label names one kind of series, per group when grouped.
func (c scope) label(name string) string { return name + c.suffix() }

// zeroed is a target for a counter or gauge that MeshMetric may omit while it is 0.
// A total falls back to vector(0); grouped series fall back per group, to 0 times the
// group's endpoint count, which every cluster reports.
func (c scope) zeroed(expr, legend string) PromQuery {
	if len(c.by) == 0 {
		return promZero(expr, legend)
	}
	t := prom(expr+" or 0 * "+sumBy(instant(membersTotal, c.s), c.by...), legend)
	t.core = expr
	return t
}

func (c scope) requests(title, description string) panel {
	return timeseries(title, "reqps", description, prom(sumRate(rqTotal, c.s, c.by...), c.label("requests")))
}

// statusCodes stacks a response-class counter (upstream or downstream) by class.
func (c scope) statusCodes(title, description string, classes metric) panel {
	by := append([]string{"envoy_response_code_class"}, c.by...)
	return stacked(title, "reqps", description, prom(sumRate(classes, c.s, by...), "{{envoy_response_code_class}}xx"+c.suffix()))
}

// errorShare is the share of requests answered 5xx.
func (c scope) errorShare(title, description string, classes metric) panel {
	return timeseries(title, "percentunit", description, c.share5xx(classes))
}

// share5xx is the share of requests answered 5xx; a group without 5xx reads 0, one
// without requests reads nothing.
func (c scope) share5xx(classes metric) PromQuery {
	fiveXX := sumRate(classes, c.s.and(both(`envoy_response_code_class="5"`)), c.by...)
	all := sumRate(classes, c.s, c.by...)
	t := prom(ratio(fiveXX, all), c.label("5xx"))
	if len(c.by) > 0 {
		t = prom("("+fiveXX+" or 0 * "+all+") / "+all, c.label("5xx"))
	}
	t.core = fiveXX
	return t
}

func (c scope) latency(title, description, histogram string) panel {
	var targets []Target
	for _, q := range []float64{0.5, 0.95, 0.99} {
		targets = append(targets, prom(quantile(q, histogram, c.s, c.by...), c.label(percentName(q))))
	}
	return timeseries(title, "ms", description, targets...)
}

// p99 is the 99th percentile of an Envoy histogram in milliseconds.
func (c scope) p99(title, description, histogram string) panel {
	return timeseries(title, "ms", description, prom(quantile(0.99, histogram, c.s, c.by...), c.label("p99")))
}

func (c scope) bytes(title, description string) panel {
	return timeseries(title, "Bps", description,
		prom(sumRate(cxTx, c.s, c.by...), c.label("sent")),
		prom(sumRate(cxRx, c.s, c.by...), c.label("received")))
}

// active draws a gauge of things in progress (connections, requests).
func (c scope) active(title, description string, m metric) panel {
	return timeseries(title, "short", description, prom(sumBy(instant(m, c.s), c.by...), c.label("active")))
}

// failures draws cluster counters of things that went wrong, each zero when never counted.
func (c scope) failures(title, description string, names ...string) panel {
	var targets []Target
	for _, n := range names {
		targets = append(targets, c.zeroed(sumRate(counter("envoy_cluster_"+n), c.s, c.by...), c.label(n)))
	}
	return timeseries(title, "ops", description, targets...)
}

// upstream is the request traffic to a destination ("each destination", "$destination"):
// rate, status classes, latency percentiles and 5xx share.
func (c scope) upstream(destination string) []panel {
	return []panel{
		c.requests("Request rate", "Requests per second sent to "+destination),
		c.statusCodes("Status codes", "Responses from "+destination+" per second by class", rqClass),
		c.latency("HTTP latency", "Upstream request time to "+destination+": first request byte sent to last response byte received", rqTimeHist),
		c.errorShare("5xx share", "Share of requests to "+destination+" answered 5xx", rqClass),
	}
}

// errors are the request-level and connection-level failures Envoy counts per
// cluster; where says whose (", mesh-wide").
func (c scope) errors(where string) []panel {
	return []panel{
		c.failures("Request errors", "Requests that timed out, were reset or retried"+where+", per second",
			"upstream_rq_timeout", "upstream_rq_rx_reset", "upstream_rq_tx_reset", "upstream_rq_retry", "upstream_rq_pending_failure_eject"),
		c.failures("Connection errors", "Connections that failed or broke"+where+", per second",
			"upstream_cx_connect_fail", "upstream_cx_connect_timeout",
			"upstream_cx_destroy_local_with_active_rq", "upstream_cx_destroy_remote_with_active_rq"),
	}
}

// connections are the open connections to a peer, connect time and connection length.
func (c scope) connections(peer string) []panel {
	return []panel{
		c.active("Active connections", "Open connections to "+peer, cxActive),
		c.p99("Connect time p99", "Time to establish a connection to "+peer, cxConnectHist),
		c.p99("Connection length p99", "How long connections to "+peer+" stay open", cxLengthHist),
	}
}

// resilience are the panels of MeshHealthCheck and MeshCircuitBreaker at work.
func (c scope) resilience() []panel {
	gaugeOf := func(name string) PromQuery {
		return c.zeroed(sumBy(instant(gauge("envoy_cluster_"+name), c.s), c.by...), c.label(name))
	}
	rateOf := func(name string) PromQuery {
		return c.zeroed(sumRate(counter("envoy_cluster_"+name), c.s, c.by...), c.label(name+"/s"))
	}
	return []panel{
		c.failures("Health checks", "Active health checks (MeshHealthCheck) per second; zero without a MeshHealthCheck policy",
			"health_check_attempt", "health_check_success", "health_check_failure"),
		c.endpoints(),
		timeseries("Circuit breakers", "short",
			"Open circuit breakers (1 = a MeshCircuitBreaker connection or request limit is reached) and connections/requests they rejected per second",
			gaugeOf("circuit_breakers_default_cx_open"), gaugeOf("circuit_breakers_default_rq_open"),
			rateOf("upstream_cx_overflow"), rateOf("upstream_rq_pending_overflow"), rateOf("upstream_rq_retry_overflow")),
		timeseries("Circuit-breaker headroom", "short",
			"Connections and pending requests the circuit breakers still admit before they open (MeshCircuitBreaker thresholds), the lowest across proxies; near 0 the destination is about to be cut off",
			prom(aggregate("min", instant(gauge("envoy_cluster_circuit_breakers_default_remaining_cx"), c.s), c.by...), c.label("connections left")),
			prom(aggregate("min", instant(gauge("envoy_cluster_circuit_breakers_default_remaining_pending"), c.s), c.by...), c.label("pending requests left"))),
		timeseries("Outlier detection", "short",
			"Endpoints ejected by outlier detection (MeshCircuitBreaker outlierDetection) and ejections enforced per second",
			gaugeOf("outlier_detection_ejections_active"), rateOf("outlier_detection_ejections_enforced_total")),
	}
}

// endpoints are the endpoints behind the clusters and how many of them are healthy.
func (c scope) endpoints() panel {
	return timeseries("Endpoints", "short", "Endpoints behind the clusters and how many of them Envoy considers healthy",
		prom(sumBy(instant(membersTotal, c.s), c.by...), c.label("total")),
		prom(sumBy(instant(membersHealth, c.s), c.by...), c.label("healthy")))
}

// rbac draws MeshTrafficPermission decisions: Envoy counts them in the HTTP filter
// (envoy_http_rbac_*) or the network filter (envoy_rbac_*).
func rbac(s sel) panel {
	decision := func(d string) PromQuery {
		return promZero(sumRate(counter("envoy_(http_)?rbac_"+d), s), d)
	}
	return timeseries("RBAC decisions", "ops", "Inbound requests and connections allowed or denied by MeshTrafficPermission, per second",
		decision("allowed"), decision("denied"))
}
