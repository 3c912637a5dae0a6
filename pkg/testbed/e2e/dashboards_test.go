package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

const pluginID = "kumahq-kuma-datasource"

// dashboardJSON is the part of a dashboard file that concerns this data source.
type dashboardJSON struct {
	UID        string `json:"uid"`
	Templating struct {
		List []struct {
			Type       string         `json:"type"`
			Name       string         `json:"name"`
			Datasource *datasourceRef `json:"datasource"`
			Query      any            `json:"query"`
			Multi      bool           `json:"multi"`
			IncludeAll bool           `json:"includeAll"`
			AllValue   string         `json:"allValue"`
			Sort       int            `json:"sort"`
			Current    struct {
				Value any `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
	Panels []panelJSON `json:"panels"`
}

type panelJSON struct {
	Title      string           `json:"title"`
	Datasource *datasourceRef   `json:"datasource"`
	Targets    []map[string]any `json:"targets"`
	Panels     []panelJSON      `json:"panels"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// ours reports whether a reference picks this data source: by type, or through the
// dashboards' $kuma data source variable.
func (r *datasourceRef) ours() bool {
	return r != nil && (r.Type == pluginID || r.UID == "${kuma}" || r.UID == "$kuma")
}

// TestDashboardsThroughTheBinary sends every query the shipped dashboards make of this
// data source (variable queries in order, then every panel target) the way Grafana
// would: variables resolved from the earlier variables' real answers, globals
// interpolated, $__rate_interval left alone, our applyTemplateVariables applied; then
// through the built binary against the simulated mesh in a real Prometheus, for a Kuma 2
// and a Kuma 3 deployment on Kubernetes. Every answer must come without error and with
// data (the map with edges).
func TestDashboardsThroughTheBinary(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	p := e2e.Start(t, nil)
	for _, tc := range []struct {
		name string
		sim  meshsim.Options
	}{
		{"kuma-2-legacy-kubernetes", meshsim.Options{KumaVersion: 2, Regime: meshsim.RegimeLegacy}},
		{"kuma-3-unified-kubernetes", meshsim.Options{KumaVersion: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo := shopTopology(t)
			for i := range topo.Services {
				topo.Services[i].Namespace = "shop"
				if tc.sim.KumaVersion == 3 {
					// On Kubernetes a workload is named after a pod label or the
					// ServiceAccount, not after the MeshService.
					topo.Services[i].Workload = topo.Services[i].Name + "-sa"
				}
			}
			bed := meshsimtest.Start(t, topo, meshsimtest.Options{Sim: tc.sim})
			inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
			from, to := bed.End.Add(-time.Hour).UnixMilli(), bed.End.UnixMilli()
			const intervalMS = 15_000
			for _, file := range files {
				raw, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				var d dashboardJSON
				if err := json.Unmarshal(raw, &d); err != nil {
					t.Fatal(err)
				}
				t.Run(d.UID, func(t *testing.T) {
					send := func(what string, q map[string]any) backend.DataResponse {
						t.Helper()
						js, _ := json.Marshal(q)
						resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: "A", JSON: string(js), From: from, To: to, IntervalMS: intervalMS})
						if err != nil {
							t.Fatalf("%s: %v", what, err)
						}
						r := resp.Responses["A"]
						if r.Error != nil {
							t.Errorf("%s: %s sent %s: %v", d.UID, what, js, r.Error)
						}
						return r
					}
					vars := e2e.GlobalVariables(from, to, intervalMS)
					for _, v := range d.Templating.List {
						// A custom variable takes its stored current value.
						if cur, ok := v.Current.Value.(string); ok && v.Type == "custom" {
							vars[v.Name] = cur
							continue
						}
						if v.Type != "query" || !v.Datasource.ours() {
							continue
						}
						stored, _ := v.Query.(map[string]any)
						r := send("variable $"+v.Name, e2e.ApplyTemplateVariables(e2e.ToKumaQuery(stored), vars))
						values := firstColumn(r)
						if len(values) == 0 {
							t.Fatalf("variable $%s has no values", v.Name)
						}
						if v.Sort == 1 {
							slices.Sort(values)
						}
						// A new dashboard shows "All" where it may, else the first value.
						switch {
						case v.Multi && v.IncludeAll && v.AllValue != "":
							vars[v.Name] = e2e.AllValue(v.AllValue)
						case v.Multi && v.IncludeAll:
							vars[v.Name] = values
						default:
							vars[v.Name] = values[0]
						}
					}
					if svc, ok := vars["service"].(string); ok && tc.sim.KumaVersion == 3 && !slices.Equal(vars["workload"].([]string), []string{svc + "-sa"}) {
						t.Errorf("$workload of %s = %v, want the workload its proxies carry", svc, vars["workload"])
					}
					for _, panel := range flatten(d.Panels) {
						for _, target := range panel.Targets {
							ds, _ := json.Marshal(target["datasource"])
							var ref *datasourceRef
							_ = json.Unmarshal(ds, &ref)
							if !ref.ours() && !(ref == nil && panel.Datasource.ours()) {
								continue
							}
							q := map[string]any{}
							for k, v := range target {
								if k != "datasource" {
									q[k] = v
								}
							}
							r := send("panel "+panel.Title, e2e.ApplyTemplateVariables(q, vars))
							if len(r.Frames) == 0 || r.Frames[0].Rows() == 0 {
								t.Errorf("%s: panel %q has no data", d.UID, panel.Title)
							}
							if q["queryType"] == "mesh-graph" && (len(r.Frames) < 2 || r.Frames[1].Rows() == 0) {
								t.Errorf("%s: the map %q has no edges", d.UID, panel.Title)
							}
						}
					}
				})
			}
		})
	}
}

func flatten(panels []panelJSON) []panelJSON {
	var out []panelJSON
	for _, p := range panels {
		out = append(out, p)
		out = append(out, flatten(p.Panels)...)
	}
	return out
}

// firstColumn is what Grafana makes of a variable query's answer: the first field's values.
func firstColumn(r backend.DataResponse) []string {
	if len(r.Frames) == 0 || len(r.Frames[0].Fields) == 0 {
		return nil
	}
	f := r.Frames[0].Fields[0]
	var out []string
	for i := 0; i < f.Len(); i++ {
		switch v := f.At(i).(type) {
		case string:
			out = append(out, v)
		case *string:
			if v != nil {
				out = append(out, *v)
			}
		}
	}
	return out
}
