package e2e_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

const pluginID = "kumahq-kuma-datasource"

// shopNamespace is the Kubernetes namespace the shop's services run in here.
const shopNamespace = "shop"

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
	Title           string           `json:"title"`
	Datasource      *datasourceRef   `json:"datasource"`
	Targets         []map[string]any `json:"targets"`
	Panels          []panelJSON      `json:"panels"`
	Transformations []struct {
		ID      string         `json:"id"`
		Options map[string]any `json:"options"`
	} `json:"transformations"`
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
// data (the map with edges); the Mesh dashboard's service table, pivoted as its
// transformation says, with the simulator's numbers; $destination with exactly what
// $source calls.
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
				topo.Services[i].Namespace = shopNamespace
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
						if v.Name == "destination" {
							checkCallees(t, values, vars["source"].(string), bed.Sim.Truths())
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
							if q["queryType"] == "service-stats" && len(r.Frames) > 0 {
								checkServiceTable(t, panel, r.Frames[0], bed.Sim, vars["mesh"].(string), shopNamespace)
							}
						}
					}
				})
			}
		})
	}
}

// matrix is what Grafana's "Grouping to matrix" makes of a frame: one row per value of
// rowField, one column per value of columnField, the cell valueField's. It fails the
// test where a field is missing or a (row, column) has two values, which the
// transformation would silently reduce to one.
func matrix(t *testing.T, f *data.Frame, rowField, columnField, valueField string) map[string]map[string]float64 {
	t.Helper()
	field := func(name string) *data.Field {
		fl, i := f.FieldByName(name)
		if i < 0 {
			t.Fatalf("the answer has no field %q for Grouping to matrix; fields: %v", name, f.Fields)
		}
		return fl
	}
	rows, cols, values := field(rowField), field(columnField), field(valueField)
	out := map[string]map[string]float64{}
	for i := 0; i < f.Rows(); i++ {
		row, col := fmt.Sprint(rows.At(i)), fmt.Sprint(cols.At(i))
		if out[row] == nil {
			out[row] = map[string]float64{}
		}
		if _, dup := out[row][col]; dup {
			t.Errorf("two values for %s %s: the matrix would show one", row, col)
		}
		v, _ := values.At(i).(float64)
		out[row][col] = v
	}
	return out
}

// checkServiceTable holds a service-stats table panel to the simulator: pivoted as its
// Grouping to matrix transformation says, each service's req/s and error share are
// what its proxies received (HTTP; gRPC failures are counted at the callers), its p99
// lies within the latency buckets of its callers' edges, and its dataplanes are
// counted (backend has an offline instance in zone-2). Services in a Kubernetes
// namespace are on the map as <name>_<namespace> (kuma.io/service without _svc_<port>).
func checkServiceTable(t *testing.T, panel panelJSON, f *data.Frame, sim *meshsim.Sim, mesh, namespace string) {
	t.Helper()
	var m map[string]map[string]float64
	for _, tr := range panel.Transformations {
		if tr.ID == "groupingToMatrix" {
			o := tr.Options
			m = matrix(t, f, fmt.Sprint(o["rowField"]), fmt.Sprint(o["columnField"]), fmt.Sprint(o["valueField"]))
		}
	}
	if m == nil {
		t.Fatalf("panel %q does not pivot its numeric-long answer with Grouping to matrix", panel.Title)
	}
	mapName := func(service string) string {
		if namespace == "" {
			return service
		}
		return service + "_" + namespace
	}
	checked := 0
	for _, truth := range sim.ServiceTruths() {
		if truth.Mesh != mesh || truth.Protocol == meshsim.ProtocolTCP {
			continue
		}
		row, ok := m[mapName(truth.Service)]
		if !ok {
			t.Errorf("%q: no row for %s; rows: %v", panel.Title, truth.Service, m)
			continue
		}
		checked++
		within(t, truth.Service+" req/s", row["rps"], truth.RPS, 0.01)
		if truth.Protocol != meshsim.ProtocolGRPC {
			within(t, truth.Service+" error ratio", row["error_ratio"], truth.ErrorRatio, 0.01)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, e := range sim.Truths() {
			if e.Mesh == mesh && e.To == truth.Service && e.RPS > 0 {
				l, h := e.P99()
				lo, hi = min(lo, l), max(hi, h)
			}
		}
		if p99, ok := row["p99"]; truth.RPS > 0 && !(ok && p99 >= lo && p99 <= hi) {
			t.Errorf("%s p99 = %v ms (present: %v), want within its callers' buckets [%v, %v]", truth.Service, p99, ok, lo, hi)
		}
		if !(row["dataplanes_total"] >= 1 && row["dataplanes_online"] <= row["dataplanes_total"]) {
			t.Errorf("%s dataplanes %v online of %v", truth.Service, row["dataplanes_online"], row["dataplanes_total"])
		}
	}
	if b := m[mapName("backend")]; !(b["dataplanes_online"] >= 1 && b["dataplanes_online"] < b["dataplanes_total"]) {
		t.Errorf("backend dataplanes %v: want one of them offline (a zone-2 instance)", b)
	}
	if checked == 0 {
		t.Errorf("%q: no service of %s to check", panel.Title, mesh)
	}
}

// checkCallees: the destination list is what source calls in the simulated mesh, by the
// names the services list gives (on Kubernetes without the namespace).
func checkCallees(t *testing.T, got []string, source string, truths []meshsim.EdgeTruth) {
	t.Helper()
	var want []string
	for _, e := range truths {
		if e.From == source {
			want = append(want, e.To)
		}
	}
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("$destination offers %v, want what %s calls: %v", got, source, want)
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
