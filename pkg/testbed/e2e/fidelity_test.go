package e2e_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestQueriesAsGrafanaSendsThem: queries in the shapes Grafana really delivers
// (../shared/grafana-facts.md), through the built binary, against the simulated shop mesh.
func TestQueriesAsGrafanaSendsThem(t *testing.T) {
	p := e2e.Start(t, nil)
	bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Sim: meshsim.Options{Regime: meshsim.RegimeLegacy}})
	inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `","prometheusScrapeInterval":15}`}
	from, to := bed.End.Add(-time.Hour).UnixMilli(), bed.End.UnixMilli()
	tests := []struct {
		name     string
		json     string
		interval int64
		// wantErr is a text of the error; empty wants frames, and edges for a map.
		wantErr    string
		wantStatus backend.Status
		// sameEdgesAs and notAs are maps whose edges (id and req/s) the answer must and
		// must not have.
		sameEdgesAs, notAs string
	}{
		{name: "no query type at all (hand-written, provisioned, or kept from another data source)", json: `{"refId":"A","mesh":"default"}`},
		{name: "the Mesh dashboard's map with $__rate_interval", json: `{"queryType":"mesh-graph","mesh":"default","rateInterval":"$__rate_interval"}`, interval: 15_000},
		{name: "an alert rule's map: $__rate_interval with the rule's 1s interval", json: `{"queryType":"mesh-graph","mesh":"default","rateInterval":"${__rate_interval}"}`, interval: 1000},
		{name: "an API call's map: $__interval and no interval sent", json: `{"queryType":"mesh-graph","mesh":"default","rateInterval":"$__interval","hideIdle":true}`},
		{name: "the community zone field as a pattern", json: `{"queryType":"mesh-graph","mesh":"default","zone":"zone-.*"}`},
		{name: "a zone pattern narrows the map to the zones it matches", json: `{"queryType":"mesh-graph","mesh":"default","zone":"zone-1|west"}`,
			sameEdgesAs: `{"queryType":"mesh-graph","mesh":"default","zones":["zone-1"]}`, notAs: `{"queryType":"mesh-graph","mesh":"default"}`},
		{name: "a zone pattern matching no zone", json: `{"queryType":"mesh-graph","mesh":"default","zone":"west-.*"}`, wantErr: `zone "west-.*" matches none of the control plane's zones`, wantStatus: backend.StatusBadRequest},
		{name: "a variable Grafana did not interpolate (an alert rule)", json: `{"queryType":"services","mesh":"$mesh"}`, wantErr: `mesh "$mesh" holds $mesh, which Grafana did not interpolate`, wantStatus: backend.StatusBadRequest},
		{name: "a macro the backend does not know", json: `{"queryType":"mesh-graph","mesh":"default","rateInterval":"$__interval_ms"}`, wantErr: "did not interpolate", wantStatus: backend.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: "A", JSON: tt.json, From: from, To: to, IntervalMS: tt.interval})
			if err != nil {
				t.Fatalf("the plugin did not answer: %v", err)
			}
			r := resp.Responses["A"]
			if tt.wantErr != "" {
				if r.Error == nil || !strings.Contains(r.Error.Error(), tt.wantErr) || r.Status != tt.wantStatus {
					t.Fatalf("status %d, error %v; want %d with %q", r.Status, r.Error, tt.wantStatus, tt.wantErr)
				}
				return
			}
			if r.Error != nil || len(r.Frames) == 0 || r.Frames[0].Rows() == 0 {
				t.Fatalf("error %v, %d frames", r.Error, len(r.Frames))
			}
			if strings.Contains(tt.json, "mesh-graph") && (len(r.Frames) < 2 || r.Frames[1].Rows() == 0) {
				t.Fatal("the map has no edges")
			}
			if tt.sameEdgesAs != "" {
				got := edgeRates(t, r)
				if want := edgeRates(t, answer(t, p, inst, tt.sameEdgesAs, from, to)); !maps.Equal(got, want) {
					t.Errorf("edges %v, want those of %s: %v", got, tt.sameEdgesAs, want)
				}
				if all := edgeRates(t, answer(t, p, inst, tt.notAs, from, to)); maps.Equal(got, all) {
					t.Errorf("edges %v are those of %s too: the pattern narrowed nothing", got, tt.notAs)
				}
			}
		})
	}
	// The process is still the one that answered the first query.
	if h, err := p.CheckHealth(ctx(t), inst); err != nil || h.Status != backend.HealthStatusOk {
		t.Fatalf("health after the queries: %+v, %v", h, err)
	}
}

func answer(t *testing.T, p *e2e.Plugin, inst e2e.Instance, js string, from, to int64) backend.DataResponse {
	t.Helper()
	resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: "A", JSON: js, From: from, To: to})
	if err != nil || resp.Responses["A"].Error != nil {
		t.Fatalf("%s: %v %v", js, err, resp.Responses["A"].Error)
	}
	return resp.Responses["A"]
}

// edgeRates are a map's edges by id, with their req/s.
func edgeRates(t *testing.T, r backend.DataResponse) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for id, e := range rows(t, r.Frames[1]) {
		out[id] = num(e["detail__rps"])
	}
	return out
}
