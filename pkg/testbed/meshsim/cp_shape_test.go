package meshsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

const recordedHost = "127.0.0.1:5681" // the recorded global CP, so next URLs compare equal

// dynamicMaps are objects whose keys are data (label names, versions, backends), not
// schema; their values still have to match in shape.
var dynamicMaps = []string{"labels", "tags", "issuedBackends", "supportedBackends", "policies", "resources",
	"dpVersions.kumaDp", "dpVersions.envoy", "stat", "dataplaneTags", "matchLabels", "selectors.[].match"}

// shape flattens a JSON document into path -> JSON type, with array elements under
// "[]" and the keys of dynamic maps under "*".
func shape(v any, path string, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		out[path] = "object"
		dynamic := slices.ContainsFunc(dynamicMaps, func(m string) bool { return strings.HasSuffix(path, "."+m) })
		for k, child := range v {
			if dynamic {
				k = "*"
			}
			shape(child, path+"."+k, out)
		}
	case []any:
		out[path] = "array"
		for _, child := range v {
			shape(child, path+".[]", out)
		}
	case string:
		out[path] = "string"
	case float64:
		out[path] = "number"
	case bool:
		out[path] = "bool"
	case nil:
		out[path] = "null"
	}
}

// itemShapes returns, over the items of a list (or the one object), the union of
// paths with their types and the paths every item has.
func itemShapes(t *testing.T, body []byte) (union map[string]string, common map[string]bool) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	items := []any{doc}
	if m, ok := doc.(map[string]any); ok && m["items"] != nil {
		items = m["items"].([]any)
	}
	union, counts := map[string]string{}, map[string]int{}
	for _, it := range items {
		s := map[string]string{}
		shape(it, "", s)
		for p, typ := range s {
			union[p] = typ
			counts[p]++
		}
	}
	common = map[string]bool{}
	for p, n := range counts {
		if n == len(items) {
			common[p] = true
		}
	}
	return union, common
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Host = recordedHost
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func shopSim(t *testing.T, kumaVersion int) *meshsim.Sim {
	t.Helper()
	shop, err := meshsim.Load("../../../examples/topologies/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := meshsim.New(shop, meshsim.Options{KumaVersion: kumaVersion})
	if err != nil {
		t.Fatal(err)
	}
	return sim
}

// TestCPShapes compares the fake CP's items with the recorded ones: every field it
// writes must exist in the recording with the same JSON type, and every field all
// recorded items have must be there.
func TestCPShapes(t *testing.T) {
	for _, tc := range []struct {
		version int
		dir     string
		paths   map[string]string // request -> recorded file
	}{
		{2, "v2.14.3", map[string]string{
			"/":                                "GET_index.json",
			"/meshes":                          "GET_meshes.json",
			"/mesh-insights":                   "GET_mesh-insights.json",
			"/zones+insights":                  "GET_zones+insights.json",
			"/meshes/default/service-insights": "GET_meshes_default_service-insights.json",
			"/meshes/default/service-insights/backend": "GET_meshes_default_service-insights_backend.json",
			"/meshes/default/dataplanes+insights":      "GET_meshes_default_dataplanes+insights.json",
			"/meshes/default/meshservices":             "GET_meshes_default_meshservices.json",
			"/meshes/default/meshmultizoneservices":    "GET_meshes_default_meshmultizoneservices.json",
			"/meshes/default/meshgateways":             "GET_meshes_default_meshgateways.json",
			"/meshes/default/external-services":        "GET_meshes_default_external-services.json",
		}},
		{3, "head-3.0-dev", map[string]string{
			"/":                                     "GET_index.json",
			"/meshes":                               "GET_meshes.json",
			"/mesh-insights":                        "GET_mesh-insights.json",
			"/zones+insights":                       "GET_zones+insights.json",
			"/meshes/default/dataplanes+insights":   "GET_meshes_default_dataplanes+insights.json",
			"/meshes/default/meshservices":          "GET_meshes_default_meshservices.json",
			"/meshes/default/meshexternalservices":  "GET_meshes_default_meshexternalservices.json",
			"/meshes/default/meshmultizoneservices": "GET_meshes_default_meshmultizoneservices.json",
			"/meshes/default/workloads":             "GET_meshes_default_workloads.json",
		}},
	} {
		h := shopSim(t, tc.version).Handler()
		for path, file := range tc.paths {
			t.Run(fmt.Sprintf("kuma%d%s", tc.version, path), func(t *testing.T) {
				rec := get(t, h, path)
				if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
					t.Fatalf("status %d, content type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
				}
				recorded, err := os.ReadFile(filepath.Join("../../../testdata/kuma-cp", tc.dir, "global", file))
				if err != nil {
					t.Fatal(err)
				}
				want, required := itemShapes(t, recorded)
				got, _ := itemShapes(t, rec.Body.Bytes())
				for p, typ := range got {
					if want[p] != typ {
						t.Errorf("%s: %s, recording has %q", p, typ, want[p])
					}
				}
				for p := range required {
					if _, ok := got[p]; !ok && len(got) > 0 {
						t.Errorf("%s: missing, every recorded item has it", p)
					}
				}
			})
		}
	}
}
