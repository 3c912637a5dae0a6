package meshsim

import "strconv"

// promDefaultBuckets are client_golang's default bounds (seconds), which kuma-cp uses
// for its histograms.
var promDefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// xdsTypeURLs are the resource types every proxy subscribes to.
var xdsTypeURLs = []string{
	"type.googleapis.com/envoy.config.cluster.v3.Cluster",
	"type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
	"type.googleapis.com/envoy.config.listener.v3.Listener",
}

// Rates of CP activity; only their shape matters, but they are fixed so that CP
// dashboards show exact, checkable values.
const (
	xdsPushesPerProxy = 1.0 / 30 // one push per proxy and type every 30 s
	apiRPS            = 0.5
	storeOpsPerSec    = 2
	kdsPushesPerSec   = 0.1
	// bootstrapsPerProxy: each proxy fetches its bootstrap again about hourly (pods
	// rescheduled, kuma-dp restarts), so the DP server's HTTP side is never idle.
	bootstrapsPerProxy = 1.0 / 3600
	cpGoroutines       = 73
	cpMemory           = 1.18e8
)

// histogramOf writes a kuma-cp histogram of count observations with cpLatency.
type histogramOf func(name string, count float64, labels ...Label)

// cpLatency is the distribution of every simulated CP duration: fast, like a healthy CP.
var cpLatency = Latency{Buckets: []LatencyBucket{{LeMs: 5, Share: 0.9}, {LeMs: 25, Share: 0.09}, {LeMs: 100, Share: 0.01}}}

// CPMetrics returns kuma-cp's own metrics (the diagnostics port's /metrics) T seconds
// after start. zone is "" for the global CP, which labels its samples zone="Global".
func (s *Sim) CPMetrics(zone string, t float64, common ...Label) *Families {
	zl := Label{"zone", "Global"}
	if zone != "" {
		zl = Label{"zone", zone}
	}
	f := NewFamilies(append([]Label{zl}, common...)...)
	var hist histogramOf = func(name string, count float64, labels ...Label) {
		ms := make([]float64, len(promDefaultBuckets))
		for i, b := range promDefaultBuckets {
			ms[i] = b * 1000
		}
		buckets := cpLatency.cumulativeCounts(ms, count)
		f.Histogram(name, promDefaultBuckets, buckets, count, count*cpLatency.MeanMs()/1000, labels...)
	}
	f.Gauge("cp_info", 1, Label{"instance_id", s.instanceID(zone)}, Label{"product", "Kuma"},
		Label{"version", s.version()}, Label{"git_tag", "v" + s.version()})
	f.Gauge("leader", 1)
	f.Gauge("go_goroutines", cpGoroutines)
	f.Gauge("process_resident_memory_bytes", cpMemory)
	f.Counter("process_cpu_seconds_total", 0.01*t)
	f.Counter("kuma_cp_log_lines_total", t, Label{"level", "info"})
	f.Gauge("api_server_http_requests_inflight", 0)
	hist("api_server_http_request_duration_seconds", apiRPS*t, Label{"code", "200"}, Label{"handler", "/meshes"},
		Label{"method", "GET"}, Label{"service", ""})
	hist("store", storeOpsPerSec*t, Label{"operation", "get"}, Label{"resource_type", "Dataplane"})
	hist("component_heartbeat", t/10)
	for kind, n := range s.resourceCounts(zone) {
		f.Gauge("resources_count", float64(n), Label{"resource_type", kind}, Label{"tenant", ""})
	}
	if zone == "" {
		f.Gauge("kds_delta_streams_active", float64(len(s.model.Topology.Zones)))
		for _, z := range s.model.Topology.Zones {
			f.Gauge("kds_zone_active_connections", 1, Label{"zone_name", z})
		}
		f.Counter("kds_delta_responses_sent", kdsPushesPerSec*t, Label{"type_url", "Dataplane"})
		hist("kds_delta_generation", kdsPushesPerSec*t)
		return f
	}
	online := 0
	for _, d := range s.model.Dataplanes {
		if d.Zone == zone && d.Online {
			online++
		}
	}
	online += s.zoneProxyStreams(zone) // zone proxies hold ADS streams too
	pushes := float64(online) * xdsPushesPerProxy * t
	f.Gauge("xds_streams_active", float64(online))
	for _, u := range xdsTypeURLs {
		f.Counter("xds_requests_received", pushes, Label{"confirmation", "ACK"}, Label{"error_type", "no_error"}, Label{"type_url", u})
	}
	for _, u := range xdsTypeURLs {
		f.Counter("xds_responses_sent", pushes, Label{"type_url", u})
	}
	f.Counter("xds_generation_errors", 0)
	s.certMetrics(f, zone, t, hist)
	// The DP server's HTTP side (kumahq/kuma pkg/dp-server/server/server.go: go-http-metrics
	// with the prefix dp_server, gRPC left out) serves kuma-dp's bootstrap requests.
	hist("dp_server_http_request_duration_seconds", float64(online)*bootstrapsPerProxy*t,
		Label{"code", "200"}, Label{"handler", "/bootstrap"}, Label{"method", "POST"}, Label{"service", ""})
	f.Gauge("dp_server_http_requests_inflight", 0, Label{"handler", "/bootstrap"}, Label{"service", ""})
	hist("xds_generation", pushes, Label{"proxy_type", "dataplane"}, Label{"result", "changed"})
	hist("xds_delivery", pushes)
	f.Gauge("kds_delta_streams_active", 1)
	f.Counter("kds_delta_requests_received", kdsPushesPerSec*t, Label{"confirmation", "ACK"}, Label{"error_type", "no_error"}, Label{"type_url", "Dataplane"})
	return f
}

// resourceCounts counts the stored resources a CP would report per type.
func (s *Sim) resourceCounts(zone string) map[string]int {
	counts := map[string]int{"Mesh": len(s.model.Topology.Meshes)}
	for _, d := range s.model.Dataplanes {
		if zone == "" || d.Zone == zone {
			counts["Dataplane"]++
		}
	}
	counts["MeshService"] = len(s.meshServices(""))
	s.zoneProxyCounts(zone, counts)
	return counts
}

func (s *Sim) instanceID(zone string) string {
	if zone == "" {
		return "kuma-global-cp-5fe6"
	}
	return "kuma-" + zone + "-cp-" + strconv.Itoa(len(zone))
}
