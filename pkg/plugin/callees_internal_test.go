package plugin

import (
	"slices"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
)

// The source is found by its map name or, on Kubernetes, by the display name the
// services list gives; every node of it counts; callees are display names, each once;
// folded nodes are no callee.
func TestCalleeNames(t *testing.T) {
	node := func(id, name, namespace string, kind graph.Kind) graph.Node {
		return graph.Node{ID: id, Name: name, Namespace: namespace, Info: graph.Info{Kind: kind}}
	}
	g := graph.Graph{
		Nodes: []graph.Node{
			node("frontend_shop@zone-1", "frontend_shop", "shop", graph.KindInternal),
			node("frontend_shop@zone-2", "frontend_shop", "shop", graph.KindInternal),
			node("frontend", "frontend", "", graph.KindInternal),
			node("backend_shop", "backend_shop", "shop", graph.KindInternal),
			node("catalog_shop", "catalog_shop", "shop", graph.KindInternal),
			node("stripe-api", "stripe-api", "", graph.KindExternal),
			node("other@zone-1", "other", "", graph.KindOther),
		},
		Edges: []graph.Edge{
			{ID: "1", Source: "frontend_shop@zone-1", Target: "backend_shop"},
			{ID: "2", Source: "frontend_shop@zone-2", Target: "backend_shop"},
			{ID: "3", Source: "frontend_shop@zone-2", Target: "catalog_shop"},
			{ID: "4", Source: "frontend_shop@zone-1", Target: "other@zone-1"},
			{ID: "5", Source: "frontend", Target: "stripe-api"},
			{ID: "6", Source: "backend_shop", Target: "stripe-api"},
		},
	}
	tests := []struct {
		service string
		want    []string
	}{
		{"frontend_shop", []string{"backend", "catalog"}},
		// The display name matches the namespaced service and a universal one of that name.
		{"frontend", []string{"backend", "catalog", "stripe-api"}},
		{"backend", []string{"stripe-api"}},
		{"catalog", []string{}},
		{"unknown", []string{}},
	}
	for _, tt := range tests {
		if got := calleeNames(g, tt.service); !slices.Equal(got, tt.want) {
			t.Errorf("callees of %s = %v, want %v", tt.service, got, tt.want)
		}
	}
}
