package e2e_test

import (
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

func shopTopology(t *testing.T) *meshsim.Topology {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	topo, err := meshsim.Load(filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "topologies", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// stores are the databases the map's numbers are checked on, each with its tolerance
// on rates and ratios: VictoriaMetrics' increase does not extrapolate and takes the
// sample before the window as its base (docs/stores.md), so it is held to 3 %.
var stores = []struct {
	store     meshsimtest.Store
	tolerance float64
}{
	{meshsimtest.StorePrometheus, 0.01},
	{meshsimtest.StorePrometheus3, 0.01},
	{meshsimtest.StoreVictoriaMetrics, 0.03},
}

// TestMeshGraphMatchesTheSimulatedMesh is the service map end to end, per store and
// naming regime: the shop topology → a backfilled real store and the simulated CP → the
// built binary over gRPC → frames whose numbers are the topology's, within the store's
// tolerance and one latency bucket.
func TestMeshGraphMatchesTheSimulatedMesh(t *testing.T) {
	p := e2e.Start(t, nil)
	for _, st := range stores {
		for _, regime := range []meshsim.Regime{meshsim.RegimeLegacy, meshsim.RegimeMeshService, meshsim.RegimeUnified} {
			t.Run(string(st.store)+"/"+string(regime), func(t *testing.T) {
				bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Store: st.store, Sim: meshsim.Options{Regime: regime}})
				inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
				r := lastTenMinutes(t, p, inst, bed, `{"queryType":"mesh-graph","mesh":"default"}`)
				nodes, edges := rows(t, r.Frames[0]), rows(t, r.Frames[1])
				for _, n := range r.Frames[0].Meta.Notices {
					t.Logf("notice: %s", n.Text)
					// Prometheus 3 says so of every rate of Envoy's counters (no _total).
					if strings.Contains(n.Text, "might not be a counter") {
						t.Errorf("notice that tells the user nothing: %s", n.Text)
					}
				}
				checkEdges(t, bed.Sim.Truths(), edges, st.tolerance)
				checkNodes(t, nodes, regime)
			})
		}
	}
}

// eachEdge calls check with each truth's edge of edges (by "from->to"), and reports the
// missing ones.
func eachEdge[E any](t *testing.T, truths []meshsim.EdgeTruth, edges map[string]E, check func(id string, truth meshsim.EdgeTruth, e E)) {
	t.Helper()
	for _, truth := range truths {
		id := truth.From + "->" + truth.To
		e, ok := edges[id]
		if !ok {
			t.Errorf("edge %s missing; edges: %v", id, keys(edges))
			continue
		}
		check(id, truth, e)
	}
}

func checkEdges(t *testing.T, truths []meshsim.EdgeTruth, edges map[string]map[string]any, tolerance float64) {
	t.Helper()
	eachEdge(t, truths, edges, func(id string, truth meshsim.EdgeTruth, e map[string]any) {
		if truth.Protocol == meshsim.ProtocolTCP {
			within(t, id+" bytes/s", num(e["detail__bps"]), truth.TxBytesPerSec+truth.RxBytesPerSec, tolerance)
			if e["strokeDasharray"] == "" {
				t.Errorf("%s: TCP edge not dashed", id)
			}
			return
		}
		within(t, id+" req/s", num(e["detail__rps"]), truth.RPS, tolerance)
		within(t, id+" error %", num(e["secondarystat"]), 100*(truth.ErrorRatio+truth.GRPCFailureRatio), tolerance)
		for name, bucket := range map[string]func() (float64, float64){"detail__p50": truth.P50, "detail__p99": truth.P99} {
			lo, hi := bucket()
			if v := num(e[name]); !(v >= lo && v <= hi) {
				t.Errorf("%s %s = %v ms, want within the bucket [%v, %v]", id, name, v, lo, hi)
			}
		}
	})
}

func checkNodes(t *testing.T, nodes map[string]map[string]any, regime meshsim.Regime) {
	t.Helper()
	want := map[string]string{"frontend": "", "backend": "", "catalog": "", "redis": "", "reviews": "idle", "kong-gateway": "gateway", "stripe-api": "external"}
	if regime != meshsim.RegimeUnified {
		want["edge-gateway"] = "gateway" // Kuma 3.0 has no builtin gateways
	}
	for name, role := range want {
		n, ok := nodes[name]
		if !ok {
			t.Errorf("node %s missing; nodes: %v", name, keys(nodes))
			continue
		}
		switch role {
		case "idle":
			if num(n["arc__idle"]) != 1 {
				t.Errorf("%s should be idle: %v", name, n)
			}
		case "gateway", "external":
			if s, _ := n["subtitle"].(string); !containsFold(s, role) {
				t.Errorf("%s subtitle %q does not say %s", name, s, role)
			}
		}
	}
	if s, _ := nodes["backend"]["detail__status"].(string); s != "partially degraded" {
		t.Errorf("backend status %q, want partially degraded (one zone-2 instance offline)", s)
	}
}

// lastTenMinutes asks the plugin for query js over the bed's last ten minutes; any error
// fails the test.
func lastTenMinutes(t *testing.T, p *e2e.Plugin, inst e2e.Instance, bed *meshsimtest.Bed, js string) backend.DataResponse {
	t.Helper()
	resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: "A", JSON: js, From: bed.End.Add(-10 * time.Minute).UnixMilli(), To: bed.End.UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	return r
}

// rows indexes a frame's rows by their id field.
func rows(t *testing.T, f *data.Frame) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for i := 0; i < f.Rows(); i++ {
		row := map[string]any{}
		for _, field := range f.Fields {
			v := field.At(i)
			if p, ok := v.(*float64); ok {
				if p == nil {
					v = math.NaN()
				} else {
					v = *p
				}
			}
			row[field.Name] = v
		}
		id, _ := row["id"].(string)
		out[id] = row
	}
	return out
}

func num(v any) float64 {
	f, ok := v.(float64)
	if !ok {
		return math.NaN()
	}
	return f
}

func within(t *testing.T, what string, got, want, tolerance float64) {
	t.Helper()
	if want == 0 {
		if got != 0 {
			t.Errorf("%s = %v, want 0", what, got)
		}
		return
	}
	// NaN (a missing field or row, see num) compares false: it must fail, not pass.
	if math.IsNaN(got) || math.Abs(got-want)/want > tolerance {
		t.Errorf("%s = %v, want %v within %.0f%%", what, got, want, tolerance*100)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
