package plugin_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

var promTestdata = filepath.Join("..", "prom", "testdata")

// The dashboard range every map query below asks for: one hour ending at a fixed time.
var (
	rangeTo   = time.Unix(1764010800, 0).UTC()
	rangeFrom = rangeTo.Add(-time.Hour)
)

func graphQuery(t *testing.T, ds *plugin.Datasource, js string) backend.DataResponse {
	t.Helper()
	r, err := ds.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: "mesh-graph", JSON: []byte(js),
		TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Responses["A"]
}

func promSettings(url string) string { return `{"prometheusUrl":"` + url + `"}` }

func TestMeshGraphGolden(t *testing.T) {
	tests := []struct {
		golden, set, fixture, query string
	}{
		{"mesh-graph-legacy", kumatest.V2_14, "legacy", `{"queryType":"mesh-graph","mesh":"default"}`},
		{"mesh-graph-meshservice", kumatest.V2_14, "meshservice", `{"queryType":"mesh-graph","mesh":"default"}`},
		{"mesh-graph-unified-kuma-3", kumatest.Head3, "unified", `{"queryType":"mesh-graph","mesh":"default"}`},
		{"mesh-graph-legacy-hide-idle", kumatest.V2_14, "legacy", `{"queryType":"mesh-graph","mesh":"default","hideIdle":true}`},
		// The recorded 3.0 global CP lists MeshService backend in zone-1 and zone-2: one node each.
		{"mesh-graph-unified-kuma-3-group-by-zone", kumatest.Head3, "unified", `{"queryType":"mesh-graph","mesh":"default","groupByZone":true}`},
		{"mesh-graph-unified-kuma-3-zone-2-any", kumatest.Head3, "unified", `{"queryType":"mesh-graph","mesh":"default","groupByZone":true,"zones":["zone-2"],"zoneSide":"any"}`},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(tt.set))
			pr, _ := promfake.Start(t, promTestdata, tt.fixture)
			ds := newDatasource(t, cp.URL, promSettings(pr.URL))
			r := graphQuery(t, ds, tt.query)
			if r.Error != nil {
				t.Fatal(r.Error)
			}
			if len(r.Frames) != 2 || r.Frames[0].Name != "nodes" || r.Frames[1].Name != "edges" {
				t.Fatalf("want nodes and edges frames, got %d", len(r.Frames))
			}
			if r.Frames[0].Meta.PreferredVisualization != data.VisTypeNodeGraph {
				t.Error("nodes frame is not marked for the node graph")
			}
			if pr.Requests() > 4 {
				t.Errorf("%d PromQL round trips, want at most 4", pr.Requests())
			}
			if got := pr.Form("requests")["time"]; got != strconv.FormatInt(rangeTo.Unix(), 10) && !strings.HasPrefix(got, strconv.FormatInt(rangeTo.Unix(), 10)) {
				t.Errorf("queries evaluated at %q, want the end of the dashboard range %d", got, rangeTo.Unix())
			}
			if q := pr.Form("requests")["query"]; !strings.Contains(q, "[3600s]") && !strings.Contains(q, "[1h]") {
				t.Errorf("requests query does not cover the dashboard range: %s", q)
			}
			experimental.CheckGoldenJSONResponse(t, "testdata", tt.golden, &r, *updateGolden)
		})
	}
}

func TestMeshGraphRateIntervalNarrowsTheWindow(t *testing.T) {
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	ds := newDatasource(t, cp.URL, promSettings(pr.URL))
	if r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default","rateInterval":"5m"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
	if q := pr.Form("requests")["query"]; !strings.Contains(q, "[300s]") && !strings.Contains(q, "[5m]") {
		t.Errorf("requests query does not use the 5m window: %s", q)
	}
}

func TestMeshGraphPartialFailure(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	t.Run("Prometheus down: CP nodes with a notice", func(t *testing.T) {
		cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
		ds := newDatasource(t, cp.URL, promSettings(down.URL))
		r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`)
		nodes := requireNodes(t, r)
		if nodes.Rows() < 8 {
			t.Errorf("want the CP's services as nodes, got %d", nodes.Rows())
		}
		requireNotice(t, nodes, "Prometheus unavailable")
	})
	t.Run("CP down: the map from metrics with a notice", func(t *testing.T) {
		pr, _ := promfake.Start(t, promTestdata, "legacy")
		ds := newDatasource(t, down.URL, promSettings(pr.URL))
		r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`)
		nodes := requireNodes(t, r)
		if r.Frames[1].Rows() == 0 {
			t.Error("want edges from metrics")
		}
		requireNotice(t, nodes, "control plane unavailable")
	})
	t.Run("one sub-query failing", func(t *testing.T) {
		cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
		pr, _ := promfake.Start(t, promTestdata, "legacy")
		pr.Fail = map[string]bool{"latency": true}
		ds := newDatasource(t, cp.URL, promSettings(pr.URL))
		r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`)
		nodes := requireNodes(t, r)
		if r.Frames[1].Rows() == 0 {
			t.Error("want edges from the other sub-queries")
		}
		requireNotice(t, nodes, "latency")
	})
	t.Run("both down: an error naming both", func(t *testing.T) {
		ds := newDatasource(t, down.URL, promSettings(down.URL))
		r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`)
		if r.Error == nil || !strings.Contains(r.Error.Error(), "kuma CP") || !strings.Contains(strings.ToLower(r.Error.Error()), "prom") {
			t.Fatalf("error = %v", r.Error)
		}
	})
	t.Run("unknown mesh", func(t *testing.T) {
		cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
		pr, _ := promfake.Start(t, promTestdata, "legacy")
		ds := newDatasource(t, cp.URL, promSettings(pr.URL))
		r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"nope"}`)
		if r.Error == nil || r.Status != backend.StatusNotFound || !strings.Contains(r.Error.Error(), `unknown mesh "nope"`) {
			t.Fatalf("status %d error %v", r.Status, r.Error)
		}
	})
	t.Run("bad rollup regex", func(t *testing.T) {
		ds := newDatasource(t, down.URL, "")
		r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default","rollupRegEx":"(("}`)
		if r.Error == nil || r.Status != backend.StatusBadRequest {
			t.Fatalf("status %d error %v", r.Status, r.Error)
		}
	})
}

func requireNodes(t *testing.T, r backend.DataResponse) *data.Frame {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("want a partial map, got error %v", r.Error)
	}
	if len(r.Frames) != 2 {
		t.Fatalf("want nodes and edges, got %d frames", len(r.Frames))
	}
	return r.Frames[0]
}

func requireNotice(t *testing.T, f *data.Frame, text string) {
	t.Helper()
	for _, n := range f.Meta.Notices {
		if strings.Contains(n.Text, text) {
			return
		}
	}
	t.Errorf("no notice mentions %q: %+v", text, f.Meta.Notices)
}

// Prometheus can only select the reporting proxies' zone: a source view asks it for those
// proxies, a destination or either-side view fetches every zone and leaves the choice to
// the graph, which knows the destinations' zones; an unknown side is the user's error.
func TestMeshGraphZoneSide(t *testing.T) {
	tests := []struct {
		zoneSide     string
		wantMatcher  bool
		wantBadInput bool
	}{
		{zoneSide: "", wantMatcher: true},
		{zoneSide: "source", wantMatcher: true},
		{zoneSide: "destination"},
		{zoneSide: "any"},
		{zoneSide: "inbound", wantBadInput: true},
	}
	for _, tt := range tests {
		t.Run(tt.zoneSide, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.Head3))
			pr, _ := promfake.Start(t, promTestdata, "unified")
			ds := newDatasource(t, cp.URL, promSettings(pr.URL))
			r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default","zones":["zone-2"],"zoneSide":"`+tt.zoneSide+`"}`)
			if tt.wantBadInput {
				if r.Error == nil || r.Status != backend.StatusBadRequest || !strings.Contains(r.Error.Error(), `unknown zoneSide "inbound"`) {
					t.Fatalf("status %d, error %v; want 400 naming zoneSide", r.Status, r.Error)
				}
				return
			}
			if r.Error != nil {
				t.Fatal(r.Error)
			}
			if got := strings.Contains(pr.Form("requests")["query"], "zone-2"); got != tt.wantMatcher {
				t.Errorf("zone matcher in PromQL = %v, want %v: %s", got, tt.wantMatcher, pr.Form("requests")["query"])
			}
		})
	}
}

// The data source's traces and logs settings become the map's internal links; the
// recorded 2.14 mesh's proxies report kuma.io/service names, which the queries carry.
func TestMeshGraphLinksGolden(t *testing.T) {
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	ds := newDatasource(t, cp.URL, `{"prometheusUrl":"`+pr.URL+`","tracesDatasourceUid":"tempo","tracesDatasourceType":"tempo","logsDatasourceUid":"loki"}`)
	r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`)
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	experimental.CheckGoldenJSONResponse(t, "testdata", "mesh-graph-legacy-links", &r, *updateGolden)
}

// A query's health thresholds override the data source's; an order that cannot be is
// the user's error.
func TestMeshGraphHealthOverride(t *testing.T) {
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	ds := newDatasource(t, cp.URL, `{"prometheusUrl":"`+pr.URL+`","healthErrorRatioFailing":0.5,"healthErrorRatioDegraded":0.4}`)
	if r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default","healthErrorRatioFailing":0.3}`); r.Status != backend.StatusBadRequest ||
		!strings.Contains(r.Error.Error(), "healthErrorRatioDegraded (0.4) is above healthErrorRatioFailing (0.3)") {
		t.Fatalf("status %d error %v", r.Status, r.Error)
	}
	lenient, strict := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`), graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default","healthErrorRatioDegraded":0.001,"healthErrorRatioFailing":0.002}`)
	colors := func(r backend.DataResponse) string {
		f := r.Frames[1]
		field, _ := f.FieldByName("color")
		var out []string
		for i := range f.Rows() {
			out = append(out, field.At(i).(string))
		}
		return strings.Join(out, " ")
	}
	if strings.Contains(colors(lenient), "red") || !strings.Contains(colors(strict), "red") {
		t.Errorf("edge colours: data source's (50 %% fails) %q, query's (0.2 %% fails) %q", colors(lenient), colors(strict))
	}
}
