package e2e_test

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestMeshGraphAcrossZones is issue 14 end to end, per store and naming regime: the multizone
// topology (frontend in zone-1 sends 30 req/s to backend in zone-1 and 10 req/s to backend
// in zone-2) → the built binary → with groupByZone, one node per service and zone and the
// cross-zone edges at the simulator's rates; zone-2's view (zoneSide any) shows the
// traffic into zone-2. Legacy kuma.io/service names do not tell a destination's zone:
// there the edge goes to one node of the service marked "zone unknown", with a notice.
func TestMeshGraphAcrossZones(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	topo, err := meshsim.Load(filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "topologies", "multizone.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	zonesOf := map[string][]string{}
	for _, s := range topo.Services {
		for _, z := range topo.Zones {
			if s.Instances[z] > 0 {
				zonesOf[s.Name] = append(zonesOf[s.Name], z)
			}
		}
	}
	p := e2e.Start(t, nil)
	for _, st := range stores {
		for _, regime := range meshsim.Regimes {
			t.Run(string(st.store)+"/"+string(regime), func(t *testing.T) {
				bed := meshsimtest.Start(t, topo, meshsimtest.Options{Store: st.store, Sim: meshsim.Options{Regime: regime}})
				inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
				// node is the map's node of a service in a zone: every zone of a service is
				// its own node, except that a legacy cluster name of a service in several
				// zones cannot say which, so it lands on the service's zone-unknown node.
				node := func(name, zone string, destination bool) string {
					switch {
					case zone == "":
						return name
					case destination && regime == meshsim.RegimeLegacy && len(zonesOf[name]) > 1:
						return name
					}
					return name + "@" + zone
				}
				query := func(js string) (nodes, edges map[string]map[string]any, notices []string) {
					t.Helper()
					r := lastTenMinutes(t, p, inst, bed, js)
					for _, n := range r.Frames[0].Meta.Notices {
						notices = append(notices, n.Text)
					}
					return rows(t, r.Frames[0]), rows(t, r.Frames[1]), notices
				}
				// want sums the simulator's per-zone truths into the map's edges, keeping those
				// the view selects.
				want := func(keep func(to string, z meshsim.ZoneTruth) bool) map[string]meshsim.ZoneTruth {
					out := map[string]meshsim.ZoneTruth{}
					for _, tr := range bed.Sim.Truths() {
						for _, z := range tr.Zones {
							if !keep(tr.To, z) {
								continue
							}
							id := node(tr.From, z.From, false) + "->" + node(tr.To, z.To, true)
							sum := out[id]
							sum.RPS += z.RPS
							sum.BytesPerSec += z.BytesPerSec
							out[id] = sum
						}
					}
					return out
				}
				check := func(t *testing.T, edges map[string]map[string]any, want map[string]meshsim.ZoneTruth) {
					t.Helper()
					for id, w := range want {
						e, ok := edges[id]
						switch {
						case !ok:
							t.Errorf("edge %s missing; edges: %v", id, keys(edges))
						case w.RPS > 0:
							within(t, id+" req/s", num(e["detail__rps"]), w.RPS, st.tolerance)
						default:
							within(t, id+" bytes/s", num(e["detail__bps"]), w.BytesPerSec, st.tolerance)
						}
					}
					if len(edges) != len(want) {
						t.Errorf("edges %v, want %v", keys(edges), keys(want))
					}
				}

				t.Run("groupByZone", func(t *testing.T) {
					nodes, edges, notices := query(`{"queryType":"mesh-graph","mesh":"default","groupByZone":true}`)
					check(t, edges, want(func(string, meshsim.ZoneTruth) bool { return true }))
					if regime != meshsim.RegimeLegacy {
						// The measured case: 30 req/s stay in zone-1, 10 req/s cross to zone-2.
						within(t, "frontend@zone-1->backend@zone-1", num(edges["frontend@zone-1->backend@zone-1"]["detail__rps"]), 30, st.tolerance)
						within(t, "frontend@zone-1->backend@zone-2", num(edges["frontend@zone-1->backend@zone-2"]["detail__rps"]), 10, st.tolerance)
						if e := edges["frontend@zone-1->backend@zone-2"]; e["detail__cross_zone"] != "yes" || e["detail__source_zone"] != "zone-1" || e["detail__destination_zone"] != "zone-2" {
							t.Errorf("cross-zone edge details: %v", e)
						}
						if z := nodes["payments@zone-2"]["detail__source_zones"]; z != "zone-1, zone-2" {
							t.Errorf("payments@zone-2 has traffic from %q, want zone-1, zone-2", z)
						}
						if len(notices) != 0 {
							t.Errorf("notices %q: every destination's zone is known", notices)
						}
						return
					}
					if s, _ := nodes["backend"]["subtitle"].(string); !strings.Contains(s, "zone unknown") {
						t.Errorf("legacy backend subtitle %q does not say zone unknown", s)
					}
					if !containsAny(notices, `groupByZone: traffic to "backend", "redis" goes to one node marked "zone unknown"`) {
						t.Errorf("notices %q lack the zone-unknown notice", notices)
					}
				})

				t.Run("showZoneProxies", func(t *testing.T) {
					nodes, edges, _ := query(`{"queryType":"mesh-graph","mesh":"default","groupByZone":true,"showZoneProxies":true}`)
					// Traffic into another zone passes that zone's ingress: the sources' edge ends
					// there with their requests, the ingress' hop carries connections and bytes
					// (it passes mTLS through). A legacy name of a service in several zones does
					// not say which ingress: the sources' edge goes straight to the service.
					hops := map[string]meshsim.ZoneTruth{}
					for _, tr := range bed.Sim.Truths() {
						for _, z := range tr.Zones {
							from, to := node(tr.From, z.From, false), node(tr.To, z.To, true)
							if z.To != "" && z.To != z.From {
								in := "zone-ingress@" + z.To
								sum := hops[in+"->"+to]
								sum.BytesPerSec += z.BytesPerSec
								hops[in+"->"+to] = sum
								if regime != meshsim.RegimeLegacy || len(zonesOf[tr.To]) == 1 {
									to = in
								}
							}
							sum := hops[from+"->"+to]
							sum.RPS += z.RPS
							sum.BytesPerSec += z.BytesPerSec
							hops[from+"->"+to] = sum
						}
					}
					check(t, edges, hops)
					if regime != meshsim.RegimeLegacy {
						within(t, "frontend@zone-1->zone-ingress@zone-2", num(edges["frontend@zone-1->zone-ingress@zone-2"]["detail__rps"]), 10, st.tolerance)
					}
					for id, n := range nodes {
						if strings.HasPrefix(id, "zone-ingress@") {
							if s, _ := n["subtitle"].(string); !strings.Contains(s, "zone ingress") {
								t.Errorf("%s subtitle %q does not say zone ingress", id, s)
							}
						}
					}
				})

				t.Run("zone-2 either side", func(t *testing.T) {
					_, edges, notices := query(`{"queryType":"mesh-graph","mesh":"default","groupByZone":true,"zones":["zone-2"],"zoneSide":"any"}`)
					check(t, edges, want(func(_ string, z meshsim.ZoneTruth) bool {
						// A legacy name of a service in several zones may enter zone-2: kept.
						return z.From == "zone-2" || z.To == "zone-2" || regime == meshsim.RegimeLegacy && z.To != ""
					}))
					if regime != meshsim.RegimeLegacy {
						within(t, "zone-2's view of frontend@zone-1->backend@zone-2", num(edges["frontend@zone-1->backend@zone-2"]["detail__rps"]), 10, st.tolerance)
					} else if !containsAny(notices, "zoneSide any kept traffic from other zones to") {
						t.Errorf("notices %q lack the kept-unknown notice", notices)
					}
				})

				t.Run("zone-2 as destination", func(t *testing.T) {
					_, edges, notices := query(`{"queryType":"mesh-graph","mesh":"default","groupByZone":true,"zones":["zone-2"],"zoneSide":"destination"}`)
					check(t, edges, want(func(to string, z meshsim.ZoneTruth) bool {
						// A legacy name of a service in several zones cannot be placed: left out.
						return z.To == "zone-2" && (regime != meshsim.RegimeLegacy || len(zonesOf[to]) == 1)
					}))
					if regime == meshsim.RegimeLegacy && !containsAny(notices, "zoneSide destination left out traffic to") {
						t.Errorf("notices %q lack the left-out notice", notices)
					}
				})
			})
		}
	}
}

func containsAny(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestMeshGraphThroughZoneEgress is showZoneProxies on the shop topology, per store and regime:
// backend's calls to the external stripe-api leave through zone-1's egress (the mesh has
// zoneEgress), so the map draws backend → zone-egress@zone-1 → stripe-api, both hops at
// the simulator's rate (the egress terminates mTLS and counts requests); zone-2's
// frontend reaches catalog (in zone-1 only, so its zone is known in every regime) through
// zone-1's ingress, whose hop carries bytes.
func TestMeshGraphThroughZoneEgress(t *testing.T) {
	p := e2e.Start(t, nil)
	for _, st := range stores {
		for _, regime := range meshsim.Regimes {
			t.Run(string(st.store)+"/"+string(regime), func(t *testing.T) {
				bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Store: st.store, Sim: meshsim.Options{Regime: regime}})
				inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
				r := lastTenMinutes(t, p, inst, bed, `{"queryType":"mesh-graph","mesh":"default","showZoneProxies":true}`)
				nodes, edges := rows(t, r.Frames[0]), rows(t, r.Frames[1])
				stripe, ok := bed.Sim.Truth("default", "backend", "stripe-api")
				if !ok || stripe.RPS == 0 {
					t.Fatalf("no truth for backend->stripe-api: %+v", stripe)
				}
				for _, id := range []string{"backend->zone-egress@zone-1", "zone-egress@zone-1->stripe-api"} {
					within(t, id+" req/s", num(edges[id]["detail__rps"]), stripe.RPS, st.tolerance)
				}
				if _, ok := edges["backend->stripe-api"]; ok {
					t.Errorf("backend->stripe-api drawn past the egress; edges %v", keys(edges))
				}
				// frontend's requests into zone-1 from zone-2 end at zone-1's ingress, except
				// those a legacy name of a service in several zones (backend) does not place.
				zonesOf := map[string]int{}
				for _, s := range shopTopology(t).Services {
					zonesOf[s.Name] = len(s.Instances)
				}
				var crossRPS, crossBytes float64
				for _, tr := range bed.Sim.Truths() {
					for _, z := range tr.Zones {
						if tr.From != "frontend" || z.To != "zone-1" || z.From == z.To || regime == meshsim.RegimeLegacy && zonesOf[tr.To] > 1 {
							continue
						}
						crossRPS += z.RPS
						if tr.To == "catalog" {
							crossBytes += z.BytesPerSec
						}
					}
				}
				if crossBytes == 0 {
					t.Fatal("no cross-zone traffic to catalog")
				}
				within(t, "frontend->zone-ingress@zone-1 req/s", num(edges["frontend->zone-ingress@zone-1"]["detail__rps"]), crossRPS, st.tolerance)
				within(t, "zone-ingress@zone-1->catalog bytes/s", num(edges["zone-ingress@zone-1->catalog"]["detail__bps"]), crossBytes, st.tolerance)
				for id, kind := range map[string]string{"zone-egress@zone-1": "zone egress", "zone-ingress@zone-1": "zone ingress"} {
					if s, _ := nodes[id]["subtitle"].(string); !strings.HasPrefix(s, kind+" · zone-1") {
						t.Errorf("%s subtitle %q", id, s)
					}
				}
			})
		}
	}
}
