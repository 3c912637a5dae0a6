package frames

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// service builds a topology entry; online and total are dataplane counts.
func service(name string, kind graph.Kind, status graph.Status, online, total int, protocol string, zones ...string) graph.Service {
	return graph.Service{Name: name, Info: graph.Info{Kind: kind, Zones: zones, Protocol: protocol, Status: status, MTLS: online > 0,
		Dataplanes: graph.Dataplanes{Online: online, Offline: total - online, Total: total}}}
}

// legacyTopology is the "default" mesh's service insights as recorded from
// kuma-cp 2.14.3 (testdata/kuma-cp/v2.14.3/global/GET_meshes_default_service-insights.json).
func legacyTopology() graph.Topology {
	return graph.Topology{Services: []graph.Service{
		service("backend", graph.KindInternal, graph.StatusPartiallyDegraded, 1, 2, "", "zone-1", "zone-2"),
		service("catalog", graph.KindInternal, graph.StatusOnline, 1, 1, "", "zone-1"),
		service("edge-gateway", graph.KindGatewayBuiltin, graph.StatusOnline, 1, 1, "", "zone-1"),
		service("frontend", graph.KindInternal, graph.StatusOnline, 1, 1, "", "zone-1"),
		service("kong-gateway", graph.KindGatewayDelegated, graph.StatusOffline, 0, 1, "", "zone-1"),
		service("redis", graph.KindInternal, graph.StatusOffline, 0, 1, "", "zone-1"),
		service("search", graph.KindInternal, graph.StatusOffline, 0, 1, "", "zone-1"),
		service("search-indexer", graph.KindInternal, graph.StatusOffline, 0, 1, "", "zone-1"),
		service("stripe-api", graph.KindExternal, graph.StatusNotAvailable, 0, 0, ""),
	}}
}

// unifiedTopology is the "default" mesh's MeshServices (one per zone),
// MeshExternalService and delegated gateway as recorded from kuma-cp
// 3.0-dev (testdata/kuma-cp/head-3.0-dev/global/).
func unifiedTopology() graph.Topology {
	selected := func(s graph.Service, labels map[string]string) graph.Service {
		s.Selector = labels
		return s
	}
	wl := func(name string) map[string]string { return map[string]string{graph.WorkloadLabel: name} }
	return graph.Topology{Services: []graph.Service{
		selected(service("backend", graph.KindInternal, graph.StatusOffline, 0, 1, "http", "zone-2"), wl("backend")),
		selected(service("backend", graph.KindInternal, graph.StatusOnline, 1, 1, "http", "zone-1"), wl("backend")),
		selected(service("billing", graph.KindInternal, graph.StatusOnline, 1, 1, "http", "zone-1"), map[string]string{"app": "billing"}),
		selected(service("catalog", graph.KindInternal, graph.StatusOnline, 1, 1, "grpc", "zone-1"), wl("catalog")),
		selected(service("frontend", graph.KindInternal, graph.StatusOnline, 1, 1, "http", "zone-1"), wl("frontend")),
		selected(service("redis", graph.KindInternal, graph.StatusOffline, 0, 1, "tcp", "zone-1"), wl("redis")),
		selected(service("search", graph.KindInternal, graph.StatusOffline, 0, 1, "http", "zone-1"), wl("search")),
		service("edge-gateway", graph.KindGatewayDelegated, graph.StatusOnline, 1, 1, "", "zone-1"),
		service("httpbin", graph.KindExternal, graph.StatusUnknown, 0, 0, ""),
	}}
}

// TestNodeGraphFromRecordedPrometheus runs the whole map pipeline per
// naming regime: recorded-style Prometheus responses (pkg/prom/testdata)
// through prom, graph and frames.
func TestNodeGraphFromRecordedPrometheus(t *testing.T) {
	tests := []struct {
		fixture string
		topo    graph.Topology
		regime  naming.Regime
		opts    graph.Options
	}{
		{"legacy", legacyTopology(), naming.RegimeLegacy, graph.Options{}},
		{"meshservice", legacyTopology(), naming.RegimeMeshService, graph.Options{HideIdle: true}},
		{"unified", unifiedTopology(), naming.RegimeUnified, graph.Options{GroupByZone: true}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			fake, hc := promfake.Start(t, "../prom/testdata", tt.fixture)
			client, err := prom.New(fake.URL, hc)
			if err != nil {
				t.Fatal(err)
			}
			to := time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)
			set, err := client.FetchMeshSamples(context.Background(), prom.MeshQuery{Mesh: "default", From: to.Add(-time.Hour), To: to})
			if err != nil {
				t.Fatal(err)
			}
			if set.Regime != tt.regime {
				t.Errorf("detected %q, want %q", set.Regime, tt.regime)
			}
			frames := NodeGraph(graph.Build(tt.topo, set, tt.opts), LinkOptions{Mesh: "default"})
			experimental.CheckGoldenJSONResponse(t, "testdata", "nodegraph-pipeline-"+tt.fixture, &backend.DataResponse{Frames: frames}, *update)
		})
	}
}
