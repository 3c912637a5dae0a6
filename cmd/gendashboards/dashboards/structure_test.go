package dashboards_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/cmd/gendashboards/dashboards"
)

// repoRoot is where dashboards/ and plugin.json live.
const repoRoot = "../../.."

var wantUIDs = []string{"kumads-cp", "kumads-dataplane", "kumads-gateway", "kumads-mesh", "kumads-service", "kumads-service-to-service",
	"kumads-zone-egress", "kumads-zone-ingress"}

// loadFiles reads every committed dashboard as generic JSON, keyed by file name, so
// the checks see exactly what Grafana will load.
func loadFiles(t *testing.T) map[string]map[string]any {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "dashboards", "*"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: invalid JSON: %v", p, err)
		}
		out[filepath.Base(p)] = d
	}
	return out
}

func TestCommittedDashboardsAreGenerated(t *testing.T) {
	var want []string
	for _, d := range built(t) {
		name := dashboards.FileName(d)
		want = append(want, name)
		gen, err := dashboards.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(repoRoot, "dashboards", name))
		if err != nil || !bytes.Equal(got, gen) {
			t.Errorf("dashboards/%s is not what pkg/dashboards generates: run go run ./cmd/gendashboards", name)
		}
	}
	var files []string
	for name := range loadFiles(t) {
		files = append(files, name)
	}
	sort.Strings(want)
	sort.Strings(files)
	if !slices.Equal(files, want) {
		t.Errorf("dashboards/ holds %v, the generator writes %v", files, want)
	}
}

// kumasOwnUIDs are the uids of Kuma's own dashboards (kumahq/kuma, the MADR-096 set):
// importing ours next to them must replace none.
var kumasOwnUIDs = []string{"kuma-mesh", "kuma-cp-v2", "kuma-service-health", "kuma-service-debug", "kuma-zone-ingress", "kuma-zone-egress"}

func TestStableUIDs(t *testing.T) {
	var got []string
	for name, d := range loadFiles(t) {
		uid, _ := d["uid"].(string)
		if name != uid+".json" {
			t.Errorf("%s has uid %q", name, uid)
		}
		got = append(got, uid)
		if !strings.HasPrefix(uid, "kumads-") || slices.Contains(kumasOwnUIDs, uid) {
			t.Errorf("uid %q: ours carry the kumads- prefix, so none equals one of Kuma's own", uid)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, wantUIDs) {
		t.Errorf("uids %v, want %v", got, wantUIDs)
	}
}

func TestPluginIncludesEveryDashboard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plugin struct {
		Includes []struct{ Type, Name, Path string } `json:"includes"`
	}
	if err := json.Unmarshal(raw, &plugin); err != nil {
		t.Fatal(err)
	}
	var included []string
	for _, inc := range plugin.Includes {
		if inc.Type != "dashboard" {
			continue
		}
		if _, err := os.Stat(filepath.Join(repoRoot, inc.Path)); err != nil {
			t.Errorf("plugin.json includes %s: %v", inc.Path, err)
		}
		included = append(included, filepath.Base(inc.Path))
	}
	for name, d := range loadFiles(t) {
		if !slices.Contains(included, name) {
			t.Errorf("dashboards/%s is not in plugin.json includes", name)
		}
		var title string
		for _, inc := range plugin.Includes {
			if filepath.Base(inc.Path) == name {
				title = inc.Name
			}
		}
		if title != "" && title != d["title"] {
			t.Errorf("plugin.json names %s %q, the dashboard is titled %q", name, title, d["title"])
		}
	}
}

// panelsOf lists panels, including any nested in collapsed rows.
func panelsOf(d map[string]any) []map[string]any {
	var out []map[string]any
	var walk func(list any)
	walk = func(list any) {
		items, _ := list.([]any)
		for _, it := range items {
			p := it.(map[string]any)
			out = append(out, p)
			walk(p["panels"])
		}
	}
	walk(d["panels"])
	return out
}

// TestTitlesAreUniquePerRow: within a row a title names one panel (tests and links
// address panels by row and title).
func TestTitlesAreUniquePerRow(t *testing.T) {
	for name, d := range loadFiles(t) {
		seen := map[string]bool{}
		row := ""
		for _, p := range panelsOf(d) {
			title, _ := p["title"].(string)
			if p["type"] == "row" {
				row = title
				continue
			}
			if seen[row+"/"+title] {
				t.Errorf("%s: two panels titled %q in row %q", name, title, row)
			}
			seen[row+"/"+title] = true
		}
	}
}

func TestPanelsHaveUniqueIDsAndDoNotOverlap(t *testing.T) {
	type rect struct {
		title      string
		x, y, w, h int
	}
	num := func(m map[string]any, k string) int { v, _ := m[k].(float64); return int(v) }
	for name, d := range loadFiles(t) {
		ids := map[int]string{}
		var placed []rect
		for _, p := range panelsOf(d) {
			title, _ := p["title"].(string)
			id := num(p, "id")
			if prev, dup := ids[id]; dup || id == 0 {
				t.Errorf("%s: panel %q has id %d, also used by %q", name, title, id, prev)
			}
			ids[id] = title
			g, _ := p["gridPos"].(map[string]any)
			r := rect{title, num(g, "x"), num(g, "y"), num(g, "w"), num(g, "h")}
			if r.w <= 0 || r.h <= 0 || r.x < 0 || r.x+r.w > 24 {
				t.Errorf("%s: panel %q has gridPos %+v", name, title, r)
			}
			for _, o := range placed {
				if r.x < o.x+o.w && o.x < r.x+r.w && r.y < o.y+o.h && o.y < r.y+r.h {
					t.Errorf("%s: panel %q overlaps %q", name, title, o.title)
				}
			}
			placed = append(placed, r)
		}
	}
}

// TestDataSourcesGoThroughVariables walks every "datasource" key of every dashboard.
func TestDataSourcesGoThroughVariables(t *testing.T) {
	allowed := map[string]string{"${datasource}": "prometheus", "${kuma}": dashboards.PluginID}
	for name, d := range loadFiles(t) {
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, c := range v {
					if k == "datasource" {
						ref, ok := c.(map[string]any)
						uid, _ := ref["uid"].(string)
						if typ, known := allowed[uid]; !ok || !known || ref["type"] != typ {
							t.Errorf("%s: %s.datasource = %v, want a reference through $datasource or $kuma", name, path, c)
						}
					}
					walk(path+"."+k, c)
				}
			case []any:
				for _, c := range v {
					walk(path+"[]", c)
				}
			}
		}
		walk("", d)
		for _, p := range panelsOf(d) {
			if p["type"] != "row" && p["datasource"] == nil {
				t.Errorf("%s: panel %q has no datasource", name, p["title"])
			}
		}
	}
}

func TestEveryPanelHasAUnit(t *testing.T) {
	for name, d := range loadFiles(t) {
		for _, p := range panelsOf(d) {
			if p["type"] == "row" {
				continue
			}
			fc, _ := p["fieldConfig"].(map[string]any)
			defaults, _ := fc["defaults"].(map[string]any)
			if unit, _ := defaults["unit"].(string); unit == "" {
				t.Errorf("%s: panel %q has no unit", name, p["title"])
			}
		}
	}
}

func TestDashboardsLinkToEachOther(t *testing.T) {
	for name, d := range loadFiles(t) {
		links, _ := d["links"].([]any)
		var got []string
		for _, l := range links {
			l := l.(map[string]any)
			if l["keepTime"] != true || l["includeVars"] != true {
				t.Errorf("%s: link %v does not keep time and variables", name, l["title"])
			}
			// The SDK's link builder would put every link in Grafana 12's controls menu.
			if p, set := l["placement"]; set {
				t.Errorf("%s: link %v is placed %v, want it above the panels (no placement)", name, l["title"], p)
			}
			got = append(got, strings.TrimPrefix(l["url"].(string), "/d/"))
		}
		got = append(got, d["uid"].(string))
		sort.Strings(got)
		if !slices.Equal(got, wantUIDs) {
			t.Errorf("%s links to %v, want every other dashboard", name, got)
		}
	}
}

// TestDataLinksTargetTheDashboards: table links open one of the dashboards.
func TestDataLinksTargetTheDashboards(t *testing.T) {
	for name, d := range loadFiles(t) {
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if url, ok := v["url"].(string); ok {
					uid, _, _ := strings.Cut(strings.TrimPrefix(url, "/d/"), "?")
					if !strings.HasPrefix(url, "/d/") || !slices.Contains(wantUIDs, uid) {
						t.Errorf("%s: link %q does not open one of the dashboards", name, url)
					}
				}
				for _, c := range v {
					walk(c)
				}
			case []any:
				for _, c := range v {
					walk(c)
				}
			}
		}
		walk(d["panels"])
	}
}

func TestVariables(t *testing.T) {
	for name, d := range loadFiles(t) {
		tpl, _ := d["templating"].(map[string]any)
		vars := map[string]map[string]any{}
		list, _ := tpl["list"].([]any)
		for _, v := range list {
			v := v.(map[string]any)
			vars[v["name"].(string)] = v
		}
		if v := vars["datasource"]; v == nil || v["type"] != "datasource" || v["query"] != "prometheus" {
			t.Errorf("%s: $datasource = %v, want a Prometheus datasource variable", name, v)
		}
		if v := vars["kuma"]; v == nil || v["type"] != "datasource" || v["query"] != dashboards.PluginID {
			t.Errorf("%s: $kuma = %v, want a %s datasource variable", name, v, dashboards.PluginID)
		}
		for vn, v := range vars {
			if v["type"] != "query" {
				continue
			}
			ds, _ := v["datasource"].(map[string]any)
			q, _ := v["query"].(map[string]any)
			if ds["uid"] != "${kuma}" || q["queryType"] == nil {
				t.Errorf("%s: $%s must be answered by this data source's query model, got datasource %v query %v", name, vn, ds, v["query"])
			}
		}
	}
}

// TestQueriesOnLoad: detail rows are collapsed, so that opening a dashboard sends at
// most maxQueriesOnLoad queries (the Dataplane dashboard once sent more than 60); a
// collapsed row's panels query only when it is opened.
func TestQueriesOnLoad(t *testing.T) {
	const maxQueriesOnLoad = 40
	for name, d := range loadFiles(t) {
		n := 0
		panels, _ := d["panels"].([]any)
		for _, p := range panels {
			targets, _ := p.(map[string]any)["targets"].([]any)
			n += len(targets)
		}
		if n > maxQueriesOnLoad {
			t.Errorf("%s sends %d queries on load, want at most %d: collapse detail rows", name, n, maxQueriesOnLoad)
		}
	}
}
