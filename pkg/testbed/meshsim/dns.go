package meshsim

// DNS lookups of every sidecar's application through kuma-dp's DNS proxy, and the
// share it forwards upstream (not answered from the mesh's VIPs).
const (
	dnsLookupsPerSec = 2.0
	dnsUpstreamShare = 0.1
)

var (
	dnsLatency         = Latency{MedianMs: 0.5, Spread: 2}
	dnsUpstreamLatency = Latency{MedianMs: 5, Spread: 2}
)

// dnsMetrics writes kuma-dp's DNS proxy histograms (seconds). They are kuma-dp's own
// metrics, which MeshMetric's default profile keeps
// (testdata/envoy/meshmetric-profile/basic.golden); no recorded legacy merge shows
// them, so only unified (MeshMetric) proxies export them here.
func (d *Dataplane) dnsMetrics(f *Families, t float64) {
	if d.Mesh.Naming != RegimeUnified {
		return
	}
	ms := make([]float64, len(promDefaultBuckets))
	for i, b := range promDefaultBuckets {
		ms[i] = b * 1000
	}
	for _, h := range []struct {
		name  string
		lat   Latency
		count float64
	}{
		{"kuma_dp_dns_request_duration_seconds", dnsLatency, dnsLookupsPerSec * t},
		{"kuma_dp_dns_upstream_request_duration_seconds", dnsUpstreamLatency, dnsLookupsPerSec * dnsUpstreamShare * t},
	} {
		f.Histogram(h.name, promDefaultBuckets, h.lat.cumulativeCounts(ms, h.count), h.count, h.count*h.lat.MeanMs()/1000)
	}
}
