package meshsim_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

// TestZoneProxies pins what the shop topology's zone proxies carry: zone-2's frontend
// reaches backend, catalog and redis through zone-1's ingress, backend's calls to
// stripe-api leave through zone-1's egress; each regime names the clusters its way.
func TestZoneProxies(t *testing.T) {
	shop, err := meshsim.Load("../../../examples/topologies/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sim, err := meshsim.New(shop.PerRegime(), meshsim.Options{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]*meshsim.Families{}
	for _, target := range sim.Targets() {
		if target.Job == meshsim.JobZoneProxies {
			families[labelOf(target.Labels, "pod")] = target.Families(start.Add(time.Minute))
		}
	}
	pods := slices.Sorted(maps.Keys(families))
	if want := []string{"kuma-egress-zone-1", "kuma-egress-zone-2", "kuma-ingress-zone-1", "kuma-ingress-zone-2"}; !slices.Equal(pods, want) {
		t.Fatalf("zone proxy targets %v, want %v", pods, want)
	}
	for _, tc := range []struct {
		pod, family, cluster string
		want                 bool
	}{
		{"kuma-ingress-zone-1", "envoy_cluster_upstream_cx_tx_bytes_total", "default-legacy_backend", true},
		{"kuma-ingress-zone-1", "envoy_cluster_upstream_cx_tx_bytes_total", "default-msvc_backend__zone-1_msvc_9090", true},
		{"kuma-ingress-zone-1", "envoy_cluster_upstream_cx_tx_bytes_total", "kri_msvc_default-unified_zone-1__catalog_50051", true},
		{"kuma-ingress-zone-1", "envoy_cluster_upstream_cx_tx_bytes_total", "default-legacy_redis", true},
		// The ingress passes TLS through: no request counts.
		{"kuma-ingress-zone-1", "envoy_cluster_upstream_rq_total", "default-legacy_backend", false},
		// Nothing crosses into zone-2: kong-gateway's frontend calls stay local.
		{"kuma-ingress-zone-2", "envoy_cluster_upstream_cx_tx_bytes_total", "default-legacy_frontend", false},
		{"kuma-egress-zone-1", "envoy_cluster_upstream_rq_total", "default-legacy_stripe-api", true},
		{"kuma-egress-zone-1", "envoy_cluster_upstream_rq_total", "default-msvc_stripe-api", true},
		{"kuma-egress-zone-1", "envoy_cluster_upstream_rq_total", "kri_extsvc_default-unified___stripe-api_443", true},
		// zone-2's backend is offline: nothing leaves zone-2.
		{"kuma-egress-zone-2", "envoy_cluster_upstream_rq_total", "default-legacy_stripe-api", false},
	} {
		if got := hasSeries(families[tc.pod], tc.family, tc.cluster); got != tc.want {
			t.Errorf("%s %s{envoy_cluster_name=%q}: present %v, want %v", tc.pod, tc.family, tc.cluster, got, tc.want)
		}
	}
}

func hasSeries(f *meshsim.Families, family, cluster string) bool {
	for _, fam := range f.List() {
		if fam.Name != family {
			continue
		}
		for _, s := range fam.Samples {
			if labelOf(s.Labels, "envoy_cluster_name") == cluster && s.Value > 0 {
				return true
			}
		}
	}
	return false
}

func labelOf(labels []meshsim.Label, name string) string {
	for _, l := range labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}
