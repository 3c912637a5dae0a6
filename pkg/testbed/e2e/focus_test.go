package e2e_test

import (
	"math"
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestMapFocusHealthAndInstrumentation: the built binary against the simulated shop mesh.
// A focus on backend's callers is backend and exactly the topology's callers of it;
// the query's health thresholds colour the edges and the nodes' rings by the truths' error
// ratios; the external service is not instrumented, every node has a radius; edges
// inside the mTLS mesh are mTLS.
func TestMapFocusHealthAndInstrumentation(t *testing.T) {
	p := e2e.Start(t, nil)
	bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Sim: meshsim.Options{Regime: meshsim.RegimeLegacy}})
	inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
	mapOf := func(js string) (nodes, edges map[string]map[string]any) {
		t.Helper()
		r := lastTenMinutes(t, p, inst, bed, js)
		return rows(t, r.Frames[0]), rows(t, r.Frames[1])
	}

	wantNodes, wantEdges := []string{"backend"}, []string{}
	for _, truth := range bed.Sim.Truths() {
		if truth.To == "backend" {
			wantNodes, wantEdges = append(wantNodes, truth.From), append(wantEdges, truth.From+"->backend")
		}
	}
	nodes, edges := mapOf(`{"queryType":"mesh-graph","mesh":"default","focus":"backend","direction":"in"}`)
	gotNodes, gotEdges := keys(nodes), keys(edges)
	for _, l := range [][]string{wantNodes, wantEdges, gotNodes, gotEdges} {
		slices.Sort(l)
	}
	if len(wantEdges) == 0 || !slices.Equal(gotNodes, wantNodes) || !slices.Equal(gotEdges, wantEdges) {
		t.Errorf("focus on backend's callers: nodes %v edges %v, want %v %v", gotNodes, gotEdges, wantNodes, wantEdges)
	}

	// Failing at 3 %: an edge is red exactly when its true error ratio is above (the
	// shop's ratios are 0, 1 %, 2 %, 5 % + timeouts and 10 %, far from 3 %).
	nodes, edges = mapOf(`{"queryType":"mesh-graph","mesh":"default","healthErrorRatioDegraded":0.001,"healthErrorRatioFailing":0.03}`)
	for _, truth := range bed.Sim.Truths() {
		e := edges[truth.From+"->"+truth.To]
		if e == nil || truth.Protocol == meshsim.ProtocolTCP {
			continue
		}
		if red, want := e["color"] == "red", truth.ErrorRatio+truth.GRPCFailureRatio > 0.03; red != want {
			t.Errorf("%s->%s colour %v at %.3f errors, want red %v", truth.From, truth.To, e["color"], truth.ErrorRatio+truth.GRPCFailureRatio, want)
		}
	}
	// A node's ring (its one full arc: Grafana ignores the color field when arcs exist)
	// fails exactly when the requests into it fail above 3 %.
	in := map[string][2]float64{} // destination → requests/s, failed requests/s
	for _, truth := range bed.Sim.Truths() {
		if truth.To != "" && truth.RPS > 0 {
			in[truth.To] = [2]float64{in[truth.To][0] + truth.RPS, in[truth.To][1] + truth.RPS*(truth.ErrorRatio+truth.GRPCFailureRatio)}
		}
	}
	for name, r := range in {
		ratio := r[1] / r[0]
		if math.Abs(ratio-0.03) < 0.005 {
			continue // too close to the threshold for the simulator's noise
		}
		n := nodes[name]
		if failing, want := num(n["arc__failing"]) == 1, ratio > 0.03; n == nil || failing != want {
			t.Errorf("node %s ring failing %v at %.3f errors, want %v (node %v)", name, failing, ratio, want, n)
		}
	}
	// The shop mesh runs mTLS: every edge between its services is mTLS, the external's unknown.
	for id, e := range edges {
		want := "enabled"
		if e["target"] == "stripe-api" {
			want = ""
		}
		if e["detail__mtls"] != want {
			t.Errorf("%s mTLS %q, want %q", id, e["detail__mtls"], want)
		}
	}
	for id, n := range nodes {
		if want := id != "stripe-api"; n["isInstrumented"] != want {
			t.Errorf("%s isInstrumented %v, want %v", id, n["isInstrumented"], want)
		}
		if r := num(n["nodeRadius"]); !(r >= 30 && r <= 60) {
			t.Errorf("%s nodeRadius %v", id, n["nodeRadius"])
		}
	}
}
