package frames

import (
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

func TestHealthColorFollowsTheThresholds(t *testing.T) {
	stats := func(ratio, p99 float64) graph.Stats {
		return graph.Stats{ErrorRatio: ratio, Latency: graph.Latency{P99: p99, Known: p99 > 0}}
	}
	strict := models.Health{DegradedErrorRatio: 0.001, FailingErrorRatio: 0.01, DegradedP99Ms: 500}
	tests := []struct {
		name   string
		stats  graph.Stats
		health models.Health
		want   string
	}{
		{"defaults: healthy", stats(0.005, 900), models.DefaultHealth, "green"},
		{"defaults: 1 % degrades", stats(0.01, 0), models.DefaultHealth, "orange"},
		{"defaults: 5 % fails", stats(0.05, 0), models.DefaultHealth, "red"},
		{"defaults: latency never degrades", stats(0, 60_000), models.DefaultHealth, "green"},
		{"strict: 0.5 % degrades", stats(0.005, 0), strict, "orange"},
		{"strict: 1 % fails", stats(0.01, 0), strict, "red"},
		{"strict: a slow p99 degrades", stats(0, 500), strict, "orange"},
		{"strict: unknown latency is no verdict", stats(0, 0), strict, "green"},
	}
	for _, tt := range tests {
		if got := healthColor(tt.stats, tt.health); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// Nodes and edges take the query's thresholds; ids, instrumentation and radii are the
// map's whatever the thresholds.
func TestNodeGraphHealthAndInstrumentation(t *testing.T) {
	g := legacyGraph()
	colors := func(h models.Health) map[string]string {
		out := map[string]string{}
		for _, f := range NodeGraph(g, LinkOptions{Mesh: "default", Health: h}) {
			ids, color := f.Fields[0], f.Fields[0]
			for _, field := range f.Fields {
				if field.Name == "color" {
					color = field
				}
			}
			for i := range f.Rows() {
				out[ids.At(i).(string)] = color.At(i).(string)
			}
		}
		return out
	}
	lenient := colors(models.Health{DegradedErrorRatio: 0.5, FailingErrorRatio: 0.9})
	if c := colors(models.Health{})["frontend->backend"]; c != "orange" {
		t.Errorf("frontend->backend (2.8 %% errors) with the default thresholds: %s", c)
	}
	if c := lenient["frontend->backend"]; c != "green" {
		t.Errorf("frontend->backend with lenient thresholds: %s", c)
	}
	nodes := NodeGraph(g, LinkOptions{Mesh: "default"})[0]
	instrumented := map[string]bool{}
	for _, field := range nodes.Fields {
		if field.Name == "isInstrumented" {
			for i := range nodes.Rows() {
				instrumented[nodes.Fields[0].At(i).(string)] = field.At(i).(bool)
			}
		}
	}
	for id, want := range map[string]bool{"frontend": true, "edge-gateway": true, "stripe-api": false, "billing-legacy": false} {
		if got, ok := instrumented[id]; !ok || got != want {
			t.Errorf("%s instrumented = %v (present %v), want %v", id, got, ok, want)
		}
	}
}

func TestEdgeMTLS(t *testing.T) {
	node := func(id string, kind graph.Kind, known, mtls bool) graph.Node {
		return graph.Node{ID: id, Name: id, KnownToCP: known, Info: graph.Info{Kind: kind, MTLS: mtls}}
	}
	nodes := map[string]graph.Node{}
	for _, n := range []graph.Node{
		node("a", graph.KindInternal, true, true), node("b", graph.KindInternal, true, true),
		node("plain", graph.KindInternal, true, false), node("gw", graph.KindGatewayBuiltin, true, true),
		node("ext", graph.KindExternal, true, false), node("unknown", graph.KindInternal, false, false),
		node("mz", graph.KindMultiZone, true, false),
	} {
		nodes[n.ID] = n
	}
	tests := map[[2]string]string{
		{"a", "b"}: "enabled", {"gw", "a"}: "enabled",
		{"a", "plain"}: "disabled", {"plain", "a"}: "disabled",
		{"a", "ext"}: "", {"a", "unknown"}: "", {"a", "mz"}: "",
	}
	for ends, want := range tests {
		if got := edgeMTLS(nodes, graph.Edge{Source: ends[0], Target: ends[1]}); got != want {
			t.Errorf("%s->%s: %q, want %q", ends[0], ends[1], got, want)
		}
	}
	// Only plaintext between mesh services is marked.
	g := graph.Graph{Nodes: []graph.Node{nodes["a"], nodes["plain"], nodes["ext"]},
		Edges: []graph.Edge{{ID: "a->plain", Source: "a", Target: "plain"}, {ID: "a->ext", Source: "a", Target: "ext"}}}
	edges := NodeGraph(g, LinkOptions{})[1]
	main, _ := edges.FieldByName("mainstat")
	if got := main.At(0).(string); got != plaintextMarker+"0.00 req/s" {
		t.Errorf("plaintext edge main stat %q", got)
	}
	if got := main.At(1).(string); got != "0.00 req/s" {
		t.Errorf("external edge main stat %q", got)
	}
}
