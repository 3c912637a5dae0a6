package plugin_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

func statsQuery(t *testing.T, ds *plugin.Datasource, js string, interval time.Duration) backend.DataResponse {
	t.Helper()
	r, err := ds.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: "service-stats", JSON: []byte(js), Interval: interval,
		TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Responses["A"]
}

// mapStats reads the map's frames as the numbers service-stats names: per service (node
// title and zone) and per edge (its ends' titles and zones), keyed as alert instances'
// labels are.
func mapStats(t *testing.T, r backend.DataResponse) map[string]float64 {
	t.Helper()
	nodes, edges := rows(t, r.Frames[0]), rows(t, r.Frames[1])
	out := map[string]float64{}
	put := func(key string, row map[string]any, stats map[string]string) {
		for stat, field := range stats {
			if v, ok := row[field].(float64); ok {
				if field == "secondarystat" { // the map shows percent
					v /= 100
				}
				out[key+" "+stat] = v
			}
		}
	}
	traffic := map[string]string{"rps": "detail__rps", "error_ratio": "secondarystat", "p50": "detail__p50", "p95": "detail__p95", "p99": "detail__p99"}
	entity := func(n map[string]any) string { return fmt.Sprintf("%v@%v", n["title"], n["detail__zone"]) }
	for _, n := range nodes {
		put("service "+entity(n), n, traffic)
		put("service "+entity(n), n, map[string]string{"dataplanes_online": "detail__dataplanes_online", "dataplanes_total": "detail__dataplanes_total"})
	}
	for _, e := range edges {
		put("edge "+entity(nodes[e["source"].(string)])+" -> "+entity(nodes[e["target"].(string)]), e, traffic)
	}
	return out
}

// statsOf reads a service-stats answer as Grafana's alerting does: one instance each.
func statsOf(t *testing.T, r backend.DataResponse) map[string]float64 {
	t.Helper()
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	instances, err := e2e.AlertInstances(r.Frames)
	if err != nil {
		t.Fatalf("alerting refuses the answer: %v", err)
	}
	out := map[string]float64{}
	for _, in := range instances {
		l := in.Labels
		key := "service " + l["service"] + "@" + l["zone"]
		if _, ok := l["peer"]; ok {
			key = "edge " + l["service"] + "@" + l["zone"] + " -> " + l["peer"] + "@" + l["peer_zone"]
		}
		if l["mesh"] != "default" {
			t.Errorf("%s: mesh label %q", key, l["mesh"])
		}
		last := in.Values[len(in.Values)-1]
		if last == nil {
			t.Errorf("%s %s: no value", key, l["stat"])
			continue
		}
		out[key+" "+l["stat"]] = *last
	}
	return out
}

// joinCases are recorded CPs and Prometheus answers with the join options that matter to
// what is compared with the map: every naming regime, grouping by zone, a zone filter.
var joinCases = []joinCase{
	{"legacy", kumatest.V2_14, "legacy", ``},
	{"meshservice", kumatest.V2_14, "meshservice", ``},
	{"unified", kumatest.Head3, "unified", ``},
	{"unified grouped by zone", kumatest.Head3, "unified", `,"groupByZone":true`},
	{"unified zone-2, either side", kumatest.Head3, "unified", `,"groupByZone":true,"zones":["zone-2"],"zoneSide":"any"`},
}

type joinCase struct{ name, set, fixture, options string }

// datasource answers from the case's recorded CP and Prometheus.
func (c joinCase) datasource(t *testing.T) *plugin.Datasource {
	t.Helper()
	cp := kumatest.NewServer(t, kumatest.FixtureDir(c.set))
	pr, _ := promfake.Start(t, promTestdata, c.fixture)
	return newDatasource(t, cp.URL, promSettings(pr.URL))
}

// The numbers are the map's: on the same CP and Prometheus answers, every service and
// edge of the map is one alert instance per stat, with the map's value.
func TestServiceStatsEqualsTheMap(t *testing.T) {
	for _, tt := range joinCases {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.datasource(t)
			want := mapStats(t, graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"`+tt.options+`}`))
			got := statsOf(t, statsQuery(t, ds, `{"queryType":"service-stats","mesh":"default"`+tt.options+`}`, 0))
			for k, v := range statsOf(t, statsQuery(t, ds, `{"queryType":"service-stats","mesh":"default","scope":"edge"`+tt.options+`}`, 0)) {
				got[k] = v
			}
			if len(want) == 0 || !strings.Contains(fmt.Sprint(keys(want)), "edge ") {
				t.Fatalf("the map has no stats to compare: %v", want)
			}
			for k, w := range want {
				if g, ok := got[k]; !ok {
					t.Errorf("%s: the map has %v, service-stats nothing", k, w)
				} else if math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
					t.Errorf("%s = %v, the map's is %v", k, g, w)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s: service-stats has it, the map not", k)
				}
			}
		})
	}
}

func TestServiceStatsGolden(t *testing.T) {
	tests := []struct{ golden, set, fixture, query string }{
		{"service-stats-legacy", kumatest.V2_14, "legacy", `{"queryType":"service-stats","mesh":"default"}`},
		{"service-stats-unified-edges", kumatest.Head3, "unified", `{"queryType":"service-stats","mesh":"default","scope":"edge","groupByZone":true,"stats":["rps","error_ratio","p99"]}`},
		// The map keeps backend's callers and callees for context; stats are backend's own.
		{"service-stats-legacy-backend", kumatest.V2_14, "legacy", `{"queryType":"service-stats","mesh":"default","serviceRegex":"^backend$","stats":["error_ratio"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(tt.set))
			pr, _ := promfake.Start(t, promTestdata, tt.fixture)
			ds := newDatasource(t, cp.URL, promSettings(pr.URL))
			r := statsQuery(t, ds, tt.query, 0)
			if r.Error != nil {
				t.Fatal(r.Error)
			}
			if len(r.Frames) != 1 || r.Frames[0].Meta.Type != data.FrameTypeNumericLong || r.Frames[0].Meta.TypeVersion == (data.FrameTypeVersion{}) {
				t.Fatalf("want one numeric-long frame with a type version, got %d frames, meta %+v", len(r.Frames), r.Frames[0].Meta)
			}
			experimental.CheckGoldenJSONResponse(t, "testdata", tt.golden, &r, *updateGolden)
		})
	}
}

// Over a range, every point is the map over the window before it: the last point of a
// series equals the instant answer over the same window.
func TestServiceStatsTimeSeries(t *testing.T) {
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	ds := newDatasource(t, cp.URL, promSettings(pr.URL))
	r := statsQuery(t, ds, `{"queryType":"service-stats","mesh":"default","format":"timeseries","stats":["rps","error_ratio"]}`, 15*time.Minute)
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	for _, f := range r.Frames {
		if f.Meta.Type != data.FrameTypeTimeSeriesMulti || f.Meta.TypeVersion == (data.FrameTypeVersion{}) {
			t.Fatalf("frame %q: meta %+v, want timeseries-multi with a type version", f.Name, f.Meta)
		}
		if f.Rows() != 4 {
			t.Errorf("%v: %d points, want 4 (an hour in 15m steps)", f.Fields[1].Labels, f.Rows())
		}
		if got := f.Fields[0].At(f.Rows() - 1).(time.Time); !got.Equal(rangeTo.Truncate(15 * time.Minute)) {
			t.Errorf("last point at %v, want %v", got, rangeTo)
		}
	}
	if q := pr.Form("requests")["query"]; !strings.Contains(q, "[900s]") {
		t.Errorf("a point covers its step (15m): %s", q)
	}
	series := statsOf(t, r)
	instant := statsOf(t, statsQuery(t, ds, `{"queryType":"service-stats","mesh":"default","rateInterval":"15m","stats":["rps","error_ratio"]}`, 0))
	if len(series) == 0 || len(series) != len(instant) {
		t.Fatalf("%d series, %d instant numbers", len(series), len(instant))
	}
	for k, v := range instant {
		if series[k] != v {
			t.Errorf("%s: last point %v, instant %v", k, series[k], v)
		}
	}
}

// An alert rule must see an error, never a zero drawn without one side.
func TestServiceStatsNeedsBothSides(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	tests := map[string]struct{ cp, prom string }{
		"Prometheus down": {cp.URL, down.URL},
		"CP down":         {down.URL, pr.URL},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ds := newDatasource(t, tt.cp, promSettings(tt.prom))
			for _, format := range []string{"instant", "timeseries"} {
				r := statsQuery(t, ds, `{"queryType":"service-stats","mesh":"default","format":"`+format+`","stats":["rps"]}`, time.Minute)
				if r.Error == nil || len(r.Frames) != 0 {
					t.Errorf("%s: want an error and no frames, got %v and %d frames", format, r.Error, len(r.Frames))
				}
			}
		})
	}
	t.Run("bad input is a 400", func(t *testing.T) {
		ds := newDatasource(t, cp.URL, promSettings(pr.URL))
		r := statsQuery(t, ds, `{"queryType":"service-stats","mesh":"default","scope":"edge","stats":["dataplanes_online"]}`, 0)
		if r.Status != backend.StatusBadRequest || !strings.Contains(r.Error.Error(), "not an edge's") {
			t.Fatalf("status %d error %v", r.Status, r.Error)
		}
	})
}

// rows indexes a node-graph frame's rows by id, each row its fields' values (a null
// latency left out).
func rows(t *testing.T, f *data.Frame) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for i := range f.Rows() {
		row := map[string]any{}
		for _, field := range f.Fields {
			if v, ok := field.ConcreteAt(i); ok {
				row[field.Name] = v
			}
		}
		out[row["id"].(string)] = row
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
