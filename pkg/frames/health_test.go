package frames

import (
	"strings"
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
		if got := statsVerdict(tt.stats, tt.health).color(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// Nodes and edges take the query's thresholds: an edge's colour and a node's ring (the
// one full arc Grafana draws) show the same verdict. Ids, instrumentation and radii are
// the map's whatever the thresholds.
func TestNodeGraphHealthAndInstrumentation(t *testing.T) {
	g := legacyGraph()
	// verdicts reads each edge's colour and each node's full arc, by id.
	verdicts := func(h models.Health) map[string]string {
		out := map[string]string{}
		frames := NodeGraph(g, LinkOptions{Mesh: "default", Health: h})
		nodes, edges := frames[0], frames[1]
		for i := range nodes.Rows() {
			for _, field := range nodes.Fields {
				if v, ok := strings.CutPrefix(field.Name, "arc__"); ok && field.At(i).(float64) == 1 {
					out[nodes.Fields[0].At(i).(string)] += v
				}
			}
		}
		color, _ := edges.FieldByName("color")
		for i := range edges.Rows() {
			out[edges.Fields[0].At(i).(string)] = color.At(i).(string)
		}
		return out
	}
	lenient := models.Health{DegradedErrorRatio: 0.5, FailingErrorRatio: 0.9}
	strict := models.Health{DegradedErrorRatio: 0.0001, FailingErrorRatio: 0.001}
	tests := []struct {
		health models.Health
		id     string
		want   string
	}{
		{models.Health{}, "frontend->backend", "orange"}, // 2.8 % errors
		{lenient, "frontend->backend", "green"},
		{strict, "frontend->backend", "red"},
		// backend: 2.8 % of its requests fail, and the CP says partially degraded.
		{models.Health{}, "backend", "degraded"},
		{lenient, "backend", "degraded"},
		{strict, "backend", "failing"},
		{strict, "frontend", "healthy"}, // calls out, receives nothing measured
		{models.Health{}, "search", "idle"},
	}
	for _, tt := range tests {
		if got := verdicts(tt.health)[tt.id]; got != tt.want {
			t.Errorf("%s under %+v: %q, want %q", tt.id, tt.health, got, tt.want)
		}
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
