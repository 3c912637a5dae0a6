package meshsim_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

// TestTruths pins what the shop topology must produce, independently of Prometheus.
func TestTruths(t *testing.T) {
	shop, err := meshsim.Load("../../../examples/topologies/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := meshsim.New(shop.PerRegime(), meshsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mesh, from, to string
		clusters       []string
		rps, errors    float64
		matchers       string
	}{
		// zone-2's backend is offline, so zone-2's frontend calls zone-1's.
		{"default-legacy", "frontend", "backend", []string{"backend"}, 40, 0.05,
			`kuma_io_service=~"frontend",mesh=~"default-legacy",envoy_cluster_name=~"backend"`},
		{"default-msvc", "frontend", "backend", []string{"default-msvc_backend__zone-1_msvc_9090"}, 40, 0.05, ""},
		{"default-unified", "frontend", "backend", []string{"kri_msvc_default-unified_zone-1__backend_9090"}, 40, 0.05, ""},
		{"default-legacy", "backend", "stripe-api", []string{"stripe-api"}, 2, 0.1, ""},
		{"default-msvc", "backend", "stripe-api", []string{"stripe-api"}, 2, 0.1, ""},
		{"default-unified", "backend", "stripe-api", []string{"kri_extsvc_default-unified___stripe-api_443"}, 2, 0.1, ""},
		{"default-legacy", "frontend", "redis", []string{"redis"}, 0, 0, ""},
	} {
		tr, ok := sim.Truth(tc.mesh, tc.from, tc.to)
		if !ok {
			t.Fatalf("no truth for %s %s->%s", tc.mesh, tc.from, tc.to)
		}
		if !reflect.DeepEqual(tr.Clusters, tc.clusters) || tr.RPS != tc.rps || tr.ErrorRatio != tc.errors {
			t.Errorf("%s %s->%s: clusters %v, %g rps, %g errors; want %v, %g, %g", tc.mesh, tc.from, tc.to,
				tr.Clusters, tr.RPS, tr.ErrorRatio, tc.clusters, tc.rps, tc.errors)
		}
		if tc.matchers != "" && tr.Matchers() != tc.matchers {
			t.Errorf("matchers %s, want %s", tr.Matchers(), tc.matchers)
		}
	}
	// frontend: 50 from the builtin and 5 from the delegated gateway; redis counts bytes.
	want := map[string][2]float64{"frontend": {55, 55 * 400}, "backend": {40, 40 * 400}, "catalog": {20, 20 * 400},
		"redis": {0, 20000}, "reviews": {0, 0}}
	for _, st := range sim.ServiceTruths() {
		if w := want[st.Service]; st.Mesh == "default-legacy" && (math.Abs(st.RPS-w[0]) > 1e-9 || math.Abs(st.RxBytesPerSec-w[1]) > 1e-6) {
			t.Errorf("inbound %s: %g rps, %g bytes/s; want %v", st.Service, st.RPS, st.RxBytesPerSec, w)
		}
	}
}

// TestZoneTruths pins how the multizone topology's traffic crosses zones: toZones splits
// frontend's calls, and backend in zone-1 reaches payments, which runs in zone-2 only.
func TestZoneTruths(t *testing.T) {
	topo, err := meshsim.Load("../../../examples/topologies/multizone.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := meshsim.New(topo, meshsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to string
		want     []meshsim.ZoneTruth
	}{
		{"frontend", "backend", []meshsim.ZoneTruth{{From: "zone-1", To: "zone-1", RPS: 30, BytesPerSec: 30 * 1600}, {From: "zone-1", To: "zone-2", RPS: 10, BytesPerSec: 10 * 1600}}},
		{"backend", "payments", []meshsim.ZoneTruth{{From: "zone-1", To: "zone-2", RPS: 4, BytesPerSec: 4 * 1600}, {From: "zone-2", To: "zone-2", RPS: 2, BytesPerSec: 2 * 1600}}},
		{"backend", "redis", []meshsim.ZoneTruth{{From: "zone-1", To: "zone-1", BytesPerSec: 8000}, {From: "zone-2", To: "zone-2", BytesPerSec: 4000}}},
		// An external service is in no zone; backend has two proxies in zone-1, one in zone-2.
		{"backend", "httpbin", []meshsim.ZoneTruth{{From: "zone-1", RPS: 2, BytesPerSec: 2 * 1600}, {From: "zone-2", RPS: 1, BytesPerSec: 1600}}},
	} {
		tr, ok := sim.Truth("default", tc.from, tc.to)
		if !ok {
			t.Fatalf("no truth for %s->%s", tc.from, tc.to)
		}
		same := len(tr.Zones) == len(tc.want)
		for i := 0; same && i < len(tc.want); i++ {
			g, w := tr.Zones[i], tc.want[i]
			same = g.From == w.From && g.To == w.To && math.Abs(g.RPS-w.RPS) < 1e-9 && math.Abs(g.BytesPerSec-w.BytesPerSec) < 1e-6
		}
		if !same {
			t.Errorf("%s->%s zones %+v, want %+v", tc.from, tc.to, tr.Zones, tc.want)
		}
	}
}
