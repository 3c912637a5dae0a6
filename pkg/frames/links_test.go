package frames

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

var (
	tempoLoki = models.Links{TracesUID: "tempo", TracesType: models.TracesTempo, LogsUID: "loki", LogsMatcher: models.DefaultLogsMatcher}
	jaeger    = models.Links{TracesUID: "jaeger", TracesType: models.TracesJaeger, LogsMatcher: models.DefaultLogsMatcher}
)

func TestLinkQueries(t *testing.T) {
	frontend := graph.Node{Name: "frontend", ProxyServices: []string{"frontend_kuma-demo_svc_8080"}}
	// A rolled-up node: two ports' proxies, names with regex metacharacters.
	backend := graph.Node{Name: "backend", ProxyServices: []string{"backend_kuma-demo_svc_8080", "backend_kuma-demo_svc_9090"}}
	external := graph.Node{Name: "stripe-api"} // no proxy of its own
	tests := []struct{ name, got, want string }{
		{"Tempo node", nodeTracesQuery(tempoLoki, frontend), `{resource.service.name="frontend_kuma-demo_svc_8080"}`},
		{"Tempo rolled-up node", nodeTracesQuery(tempoLoki, backend), `{resource.service.name=~"backend_kuma-demo_svc_8080|backend_kuma-demo_svc_9090"}`},
		{"Tempo node without proxies", nodeTracesQuery(tempoLoki, external), `{resource.service.name="stripe-api"}`},
		{"Tempo edge: the source calling the destination", edgeTracesQuery(tempoLoki, frontend, external),
			`{resource.service.name="frontend_kuma-demo_svc_8080"} >> {resource.service.name="stripe-api"}`},
		{"Jaeger node: a search by its first service", nodeTracesQuery(jaeger, backend), "backend_kuma-demo_svc_8080"},
		{"Jaeger edge: the source's", edgeTracesQuery(jaeger, frontend, backend), "frontend_kuma-demo_svc_8080"},
		{"Loki node", logsQuery(tempoLoki, proxyNames(frontend)), `{container="kuma-sidecar"} |= "frontend_kuma-demo_svc_8080"`},
		{"Loki edge: both names", logsQuery(tempoLoki, proxyNames(frontend), proxyNames(backend)),
			`{container="kuma-sidecar"} |= "frontend_kuma-demo_svc_8080" |~ "backend_kuma-demo_svc_8080|backend_kuma-demo_svc_9090"`},
		{"Loki, a universal matcher and a name to escape", logsQuery(models.Links{LogsMatcher: `{job="kuma-dp"}`}, []string{`web.v2`, `a"b`}),
			`{job="kuma-dp"} |~ "web\\.v2|a\"b"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}

// The links appear only for the data sources configured: no traces or logs data
// source, no link and no query field (TestNodeGraphGolden's frames have none).
func TestNodeGraphLinksGolden(t *testing.T) {
	tests := map[string]models.Links{
		"nodegraph-links-tempo-loki": tempoLoki,
		"nodegraph-links-jaeger":     jaeger,
	}
	for name, links := range tests {
		t.Run(name, func(t *testing.T) {
			frames := NodeGraph(multiZoneGraph(graph.Options{GroupByZone: true}), LinkOptions{Mesh: "default", Data: links})
			experimental.CheckGoldenJSONResponse(t, "testdata", name, &backend.DataResponse{Frames: frames}, *update)
		})
	}
	for _, f := range NodeGraph(legacyGraph(), LinkOptions{Mesh: "default", Data: models.Links{LogsMatcher: models.DefaultLogsMatcher}}) {
		if len(f.Fields[0].Config.Links) != 1 {
			t.Errorf("%s: links %+v without a data source, want the dashboard's only", f.Name, f.Fields[0].Config.Links)
		}
		for _, field := range f.Fields {
			if field.Name == tracesQueryField || field.Name == logsQueryField {
				t.Errorf("%s: field %s without a data source", f.Name, field.Name)
			}
		}
	}
}
