package plugin_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

func calleesQuery(t *testing.T, ds *plugin.Datasource, js string) backend.DataResponse {
	t.Helper()
	r, err := ds.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: "callees", JSON: []byte(js), TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Responses["A"]
}

// A service's callees are the targets of its edges on the map, on the same answers: for
// every service of the map, in every naming regime and grouped by zone (a service in two
// zones is two nodes, one callee).
func TestCalleesAreTheMapsEdges(t *testing.T) {
	for _, tt := range joinCases {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.datasource(t)
			m := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"`+tt.options+`}`)
			nodes, edges := rows(t, m.Frames[0]), rows(t, m.Frames[1])
			want := map[string][]string{}
			for _, n := range nodes {
				want[n["title"].(string)] = []string{}
			}
			for _, e := range edges {
				src, dst := nodes[e["source"].(string)]["title"].(string), nodes[e["target"].(string)]["title"].(string)
				if !slices.Contains(want[src], dst) {
					want[src] = append(want[src], dst)
				}
			}
			calling := 0
			for service, callees := range want {
				slices.Sort(callees)
				r := calleesQuery(t, ds, `{"queryType":"callees","mesh":"default","service":"`+service+`"`+tt.options+`}`)
				if r.Error != nil || len(r.Frames) != 1 || r.Frames[0].Fields[0].Name != "name" {
					t.Fatalf("%s: error %v, frames %v; want one frame whose first field is name", service, r.Error, r.Frames)
				}
				var got []string
				for i := range r.Frames[0].Rows() {
					got = append(got, r.Frames[0].Fields[0].At(i).(string))
				}
				if !slices.Equal(got, callees) && !(len(got) == 0 && len(callees) == 0) {
					t.Errorf("callees of %s = %v, the map's edges lead to %v", service, got, callees)
				}
				if len(callees) > 0 {
					calling++
				}
			}
			if calling == 0 {
				t.Fatalf("no service of the map calls another: nothing compared")
			}
		})
	}
}

// A callee list is the join's: without a side it is an error, never "calls nothing";
// without a service it is a 400.
func TestCalleesErrors(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	tests := []struct {
		name, cp, prom, query string
		badRequest            bool
		errContains           string
	}{
		{"Prometheus down", cp.URL, down.URL, `{"queryType":"callees","mesh":"default","service":"frontend"}`, false, ""},
		{"CP down", down.URL, pr.URL, `{"queryType":"callees","mesh":"default","service":"frontend"}`, false, ""},
		{"no service", cp.URL, pr.URL, `{"queryType":"callees","mesh":"default"}`, true, `needs a service`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := calleesQuery(t, newDatasource(t, tt.cp, promSettings(tt.prom)), tt.query)
			if r.Error == nil || len(r.Frames) != 0 || !strings.Contains(r.Error.Error(), tt.errContains) {
				t.Fatalf("error %v, %d frames; want an error with %q and no frames", r.Error, len(r.Frames), tt.errContains)
			}
			if tt.badRequest != (r.Status == backend.StatusBadRequest) {
				t.Errorf("status %d; a 400: %v", r.Status, tt.badRequest)
			}
		})
	}
}
