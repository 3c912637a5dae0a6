package dashboards_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
)

// kumaQueries are the query models the dashboards send to this data source: variable
// queries and panel targets (except those of the service map's join — mesh-graph,
// service-stats, callees — which need Prometheus: the e2e test sends those), keyed by
// where they come from.
func kumaQueries(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range built(t) {
		for _, v := range d.Templating.List {
			if v.Type != "query" || v.Query == nil || models.IsJoin(fmt.Sprint(v.Query.Map["queryType"])) {
				continue
			}
			raw, err := json.Marshal(v.Query)
			if err != nil {
				t.Fatal(err)
			}
			out[*d.Uid+" $"+v.Name] = string(raw)
		}
		for _, p := range flat(t, d) {
			for _, target := range p.kuma {
				if models.IsJoin(target.QueryType) {
					continue
				}
				raw, err := json.Marshal(target)
				if err != nil {
					t.Fatal(err)
				}
				out[*d.Uid+" panel "+p.title] = string(raw)
			}
		}
	}
	return out
}

// recordedValues substitutes names of the recorded CP's content for the variables.
var recordedValues = strings.NewReplacer("$mesh", "default", "$zone", "zone-1",
	"$service", "backend", "$source", "frontend", "$destination", "backend", "$__rate_interval", "1m")

// TestKumaQueriesOfTheDashboards runs every query the dashboards send to this data
// source through the plugin's QueryData against the recorded control planes.
func TestKumaQueriesOfTheDashboards(t *testing.T) {
	// What the variables must offer from the recorded 2.14.3 CP, by query type.
	want214 := map[string][]string{
		"meshes":     {"default", "payments"},
		"zones":      {"zone-1", "zone-2"},
		"services":   {"backend", "frontend", "catalog", "redis"},
		"dataplanes": {"backend-v1-1", "backend-v2-1"},
		"gateways":   {"edge-gateway", "kong-gateway"},
	}
	queries := kumaQueries(t)
	for _, set := range []string{kumatest.V2_14, kumatest.Head3} {
		t.Run(set, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(set))
			inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "kuma", URL: cp.URL, JSONData: []byte("{}")})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*plugin.Datasource)
			t.Cleanup(ds.Dispose)
			for where, model := range queries {
				model = recordedValues.Replace(model)
				var m struct{ QueryType, Service string }
				if err := json.Unmarshal([]byte(model), &m); err != nil {
					t.Fatal(err)
				}
				resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
					Queries: []backend.DataQuery{{RefID: "A", QueryType: m.QueryType, JSON: []byte(model)}},
				})
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				r := resp.Responses["A"]
				if r.Error != nil || len(r.Frames) != 1 || r.Frames[0].Rows() == 0 {
					t.Errorf("%s %s: error %v, %d frames; want one non-empty table", where, model, r.Error, len(r.Frames))
					continue
				}
				if !strings.Contains(where, "$") {
					continue // a panel's table; its shape is the plugin's golden files' business
				}
				names := firstField(t, r.Frames[0])
				if set == kumatest.V2_14 {
					for _, w := range want214[m.QueryType] {
						if !slices.Contains(names, w) {
							t.Errorf("%s: values %v lack %q", where, names, w)
						}
					}
				}
				if m.QueryType == "dataplanes" && m.Service != "" {
					for _, n := range names {
						if !strings.HasPrefix(n, m.Service) {
							t.Errorf("%s: dataplane %q is not one of %s", where, n, m.Service)
						}
					}
				}
			}
		})
	}
}

// firstField is the variable values: the first field, which must be "name".
func firstField(t *testing.T, f *data.Frame) []string {
	t.Helper()
	if len(f.Fields) == 0 || f.Fields[0].Name != "name" {
		t.Fatalf("frame %q: first field is not name", f.Name)
	}
	out := make([]string, f.Rows())
	for i := range out {
		out[i], _ = f.Fields[0].At(i).(string)
	}
	return out
}
