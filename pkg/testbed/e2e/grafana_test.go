package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

// templateCases are testdata/template-variables.json: jest runs the same cases on
// src/datasource.ts, so a change to one side that the other lacks fails a test.
type templateCases struct {
	Variables map[string]any `json:"variables"`
	Cases     []struct {
		Name  string         `json:"name"`
		Query map[string]any `json:"query"`
		Want  map[string]any `json:"want"`
	} `json:"cases"`
	VariableQueries []struct {
		Name   string         `json:"name"`
		Stored map[string]any `json:"stored"`
		Want   map[string]any `json:"want"`
	} `json:"variableQueries"`
}

func loadTemplateCases(t *testing.T) templateCases {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "template-variables.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc templateCases
	if err := json.Unmarshal(raw, &tc); err != nil {
		t.Fatal(err)
	}
	return tc
}

func TestApplyTemplateVariablesMatchesTheFrontEnd(t *testing.T) {
	tc := loadTemplateCases(t)
	vars := e2e.Variables{}
	for name, v := range tc.Variables {
		switch v := v.(type) {
		case string:
			vars[name] = v
		case []any:
			var values []string
			for _, x := range v {
				values = append(values, x.(string))
			}
			vars[name] = values
		}
	}
	for _, c := range tc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if got := e2e.ApplyTemplateVariables(c.Query, vars); !reflect.DeepEqual(got, c.Want) {
				t.Errorf("got  %v\nwant %v", got, c.Want)
			}
		})
	}
}

func TestToKumaQueryMatchesTheFrontEnd(t *testing.T) {
	tc := loadTemplateCases(t)
	if len(tc.VariableQueries) == 0 {
		t.Fatal("no variable query cases")
	}
	for _, c := range tc.VariableQueries {
		t.Run(c.Name, func(t *testing.T) {
			if got := e2e.ToKumaQuery(c.Stored); !reflect.DeepEqual(got, c.Want) {
				t.Errorf("got  %v\nwant %v", got, c.Want)
			}
		})
	}
}

func TestGlobalVariables(t *testing.T) {
	g := e2e.GlobalVariables(1_000, 3_601_000, 30_000)
	want := e2e.Variables{"__interval": "30s", "__interval_ms": "30000", "__range": "1h", "__range_s": "3600", "__range_ms": "3600000", "__from": "1000", "__to": "3601000"}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %v", g)
	}
}

// TestCustomAllValueIsSentAsItIs: Grafana formats no custom all value, so "All" of the
// dashboards' $zone (.*) reaches the backend unescaped in every format.
func TestCustomAllValueIsSentAsItIs(t *testing.T) {
	vars := e2e.Variables{"zone": e2e.AllValue(".*"), "mesh": "default"}
	for _, tc := range []struct {
		name  string
		query map[string]any
		want  map[string]any
	}{
		{"regex field", map[string]any{"zone": "$zone"}, map[string]any{"zone": ".*"}},
		{"inside a pattern", map[string]any{"zone": "Global|${zone}"}, map[string]any{"zone": "Global|.*"}},
		{"zones list", map[string]any{"zones": []any{"$zone"}}, map[string]any{"zones": []any{".*"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e2e.ApplyTemplateVariables(tc.query, vars); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
