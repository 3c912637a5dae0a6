package e2e_test

import (
	"errors"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestServiceStatsMatchesTheSimulatedMesh is an alert rule's query end to end, per store
// (within its tolerance): the shop topology in a real store and the simulated CP → the built binary → frames read
// as Grafana's alerting reads them → one instance per edge and stat whose numbers are
// the topology's; over a range, one series per edge and stat with a point per step.
// The map's frames, on the same bed, are refused by alerting.
func TestServiceStatsMatchesTheSimulatedMesh(t *testing.T) {
	p := e2e.Start(t, nil)
	for _, st := range stores {
		for _, regime := range []meshsim.Regime{meshsim.RegimeLegacy, meshsim.RegimeUnified} {
			t.Run(string(st.store)+"/"+string(regime), func(t *testing.T) {
				bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Store: st.store, Sim: meshsim.Options{Regime: regime}})
				inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
				from, to := bed.End.Add(-10*time.Minute).UnixMilli(), bed.End.UnixMilli()
				instances := func(js string, intervalMS int64) []e2e.AlertInstance {
					t.Helper()
					resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: "A", JSON: js, From: from, To: to, IntervalMS: intervalMS})
					if err != nil {
						t.Fatal(err)
					}
					r := resp.Responses["A"]
					if r.Error != nil {
						t.Fatal(r.Error)
					}
					in, err := e2e.AlertInstances(r.Frames)
					if err != nil {
						t.Fatalf("alerting refuses %s: %v", js, err)
					}
					return in
				}

				edges := byEntity(instances(`{"queryType":"service-stats","mesh":"default","scope":"edge"}`, 0))
				checkEdgeStats(t, bed.Sim.Truths(), edges, st.tolerance)

				services := byEntity(instances(`{"queryType":"service-stats","mesh":"default","stats":["dataplanes_online","dataplanes_total"]}`, 0))
				if b := services["backend"]; !(b["dataplanes_online"] >= 1 && b["dataplanes_online"] < b["dataplanes_total"]) {
					t.Errorf("backend dataplanes %v: want one of them offline (a zone-2 instance)", b)
				}

				// Two 5-minute points, each the map over its own 5 minutes: constant traffic
				// gives the truth's rate at each.
				for _, in := range instances(`{"queryType":"service-stats","mesh":"default","scope":"edge","format":"timeseries","stats":["rps"]}`, 300_000) {
					id := in.Labels["service"] + "->" + in.Labels["peer"]
					if len(in.Values) != 2 {
						t.Errorf("%s: %d points, want 2", id, len(in.Values))
					}
					truth, ok := edges[id]
					if !ok {
						t.Errorf("series %s is no edge of the instant answer", id)
						continue
					}
					for _, v := range in.Values {
						if v != nil {
							within(t, id+" rps point", *v, truth["rps"], 2*st.tolerance)
						}
					}
				}

				resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: "A", JSON: `{"queryType":"mesh-graph","mesh":"default"}`, From: from, To: to})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e2e.AlertInstances(resp.Responses["A"].Frames); !errors.Is(err, e2e.ErrNotWideSeries) {
					t.Errorf("alerting on the map's frames: %v, want %v", err, e2e.ErrNotWideSeries)
				}
			})
		}
	}
}

// byEntity indexes instances by "source->target" (or the service), then stat.
func byEntity(instances []e2e.AlertInstance) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, in := range instances {
		id := in.Labels["service"]
		if peer, ok := in.Labels["peer"]; ok {
			id += "->" + peer
		}
		if out[id] == nil {
			out[id] = map[string]float64{}
		}
		out[id][in.Labels["stat"]] = *in.Values[0]
	}
	return out
}

// checkEdgeStats holds the edges' stats to the simulator's truths: rates within tolerance,
// quantiles within their latency bucket; a TCP edge is there with no requests.
func checkEdgeStats(t *testing.T, truths []meshsim.EdgeTruth, edges map[string]map[string]float64, tolerance float64) {
	t.Helper()
	eachEdge(t, truths, edges, func(id string, truth meshsim.EdgeTruth, e map[string]float64) {
		if truth.Protocol == meshsim.ProtocolTCP {
			if e["rps"] != 0 {
				t.Errorf("%s: TCP edge with %v req/s", id, e["rps"])
			}
			return
		}
		within(t, id+" rps", e["rps"], truth.RPS, tolerance)
		within(t, id+" error_ratio", e["error_ratio"], truth.ErrorRatio+truth.GRPCFailureRatio, tolerance)
		for stat, bucket := range map[string]func() (float64, float64){"p50": truth.P50, "p99": truth.P99} {
			if lo, hi := bucket(); !(e[stat] >= lo && e[stat] <= hi) {
				t.Errorf("%s %s = %v ms, want within the bucket [%v, %v]", id, stat, e[stat], lo, hi)
			}
		}
	})
}
