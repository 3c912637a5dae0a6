package prom

import (
	"strconv"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

var (
	to   = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)
	from = to.Add(-time.Hour)
	// notInternal is the matcher that keeps the proxies' own clusters out of upstream queries.
	notInternal = `,envoy_cluster_name!~` + strconv.Quote(naming.InternalClusterRegex())
)

// upstream adds notInternal to a selector.
func upstream(sel string) string { return sel[:len(sel)-1] + notInternal + "}" }

func TestQueriesLegacy(t *testing.T) {
	q := MeshQuery{Mesh: "default", Zones: []string{"zone-1"}, Regime: naming.RegimeLegacy, From: from, To: to}
	const (
		sel = `{mesh="default",kuma_io_zone=~"zone-1"}`
		by  = `mesh,kuma_io_service,kuma_io_zone,kuma_proxy_role,kuma_io_mesh_gateway`
	)
	up := upstream(sel)
	want := map[string]string{
		"requests": `label_replace(sum by (` + by + `,envoy_cluster_name,envoy_response_code_class) (increase(envoy_cluster_upstream_rq_xx` + up + `[3600s])), "kuma_datasource_kind", "requests", "", "")` +
			` or label_replace(sum by (` + by + `,envoy_cluster_name) (increase({__name__=~"envoy_cluster_grpc_(.+_)?failure",` + up[1:] + `[3600s])), "kuma_datasource_kind", "grpc_failures", "", "")`,
		"latency": `sum by (` + by + `,envoy_cluster_name,le) (increase(envoy_cluster_upstream_rq_time_bucket` + up + `[3600s]))`,
		"tcp": `label_replace(sum by (` + by + `,envoy_cluster_name) (increase(envoy_cluster_upstream_cx_rx_bytes_total` + up + `[3600s])), "kuma_datasource_kind", "rx_bytes", "", "")` +
			` or label_replace(sum by (` + by + `,envoy_cluster_name) (increase(envoy_cluster_upstream_cx_tx_bytes_total` + up + `[3600s])), "kuma_datasource_kind", "tx_bytes", "", "")` +
			` or label_replace(sum by (` + by + `,envoy_cluster_name) (increase(envoy_cluster_upstream_cx_total` + up + `[3600s])), "kuma_datasource_kind", "connections", "", "")`,
		"inbound": `sum by (` + by + `,envoy_http_conn_manager_prefix,envoy_response_code_class) (increase(envoy_http_downstream_rq_xx` + sel + `[3600s]))`,
	}
	subs := queries(q)
	if len(subs) != len(want) {
		t.Fatalf("%d sub-queries, want %d", len(subs), len(want))
	}
	for _, sq := range subs {
		if sq.expr != want[sq.name] {
			t.Errorf("%s:\n got %s\nwant %s", sq.name, sq.expr, want[sq.name])
		}
	}
}

func TestQueriesPerRegime(t *testing.T) {
	tests := []struct {
		name    string
		q       MeshQuery
		sel, by string
	}{
		{
			name: "unified",
			q:    MeshQuery{Mesh: "default", Zones: []string{"zone-1", "zone-2"}, Regime: naming.RegimeUnified},
			sel:  `{mesh="default",zone=~"zone-1|zone-2"}`,
			by:   `mesh,kuma_workload,kuma_io_service,zone,kuma_proxy_role,kuma_io_mesh_gateway`,
		},
		{
			name: "meshservice, all zones",
			q:    MeshQuery{Mesh: "payments", Regime: naming.RegimeMeshService},
			sel:  `{mesh="payments"}`,
			by:   `mesh,kuma_io_service,kuma_io_zone,kuma_proxy_role,kuma_io_mesh_gateway`,
		},
		{
			name: "auto matches both zone labels, each may be absent",
			q:    MeshQuery{Mesh: "default", Zones: []string{"zone-1"}},
			sel:  `{mesh="default",kuma_io_zone=~"zone-1|",zone=~"zone-1|"}`,
			by:   `mesh,kuma_workload,kuma_io_service,zone,kuma_io_zone,kuma_proxy_role,kuma_io_mesh_gateway`,
		},
		{
			name: "hostile mesh and zones stay inside their strings",
			q:    MeshQuery{Mesh: "x\"} or vector(1) or up{a=\"\\", Zones: []string{`z.1|.*`, "}\n{"}, Regime: naming.RegimeLegacy},
			sel:  `{mesh="x\"} or vector(1) or up{a=\"\\",kuma_io_zone=~"z\\.1\\|\\.\\*|\\}\n\\{"}`,
			by:   `mesh,kuma_io_service,kuma_io_zone,kuma_proxy_role,kuma_io_mesh_gateway`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.From, tt.q.To = from, to
			want := `sum by (` + tt.by + `,envoy_cluster_name,le) (increase(envoy_cluster_upstream_rq_time_bucket` + upstream(tt.sel) + `[3600s]))`
			if got := queries(tt.q)[1].expr; got != want {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		from, to time.Time
		want     time.Duration
	}{
		{from, to, time.Hour},
		{to.Add(-90*time.Second - 300*time.Millisecond), to, 90 * time.Second},
		{to.Add(-10 * time.Second), to, MinWindow},
		{to, from, MinWindow},
	}
	for _, tt := range tests {
		if got := (MeshQuery{From: tt.from, To: tt.to}).Window(); got != tt.want {
			t.Errorf("Window(%v..%v) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// The zone proxies' sub-query runs only when asked. Their scrape job has no mesh label,
// so the mesh is matched in the cluster names (legacy and MeshService names start with
// it, KRI names carry it after the type), escaped like every other value; their zone
// and kind are the job's zone and proxy labels in every regime.
func TestZoneProxyQuery(t *testing.T) {
	if subs := queries(MeshQuery{Mesh: "default", Regime: naming.RegimeUnified, From: from, To: to}); len(subs) != 4 {
		t.Errorf("%d sub-queries without zone proxies, want 4", len(subs))
	}
	tests := []struct {
		name, mesh, clusters string
	}{
		{name: "plain", mesh: "default", clusters: `envoy_cluster_name=~"default_.+|kri_[a-z]+_default_.+"`},
		{name: "hostile mesh stays a literal inside its string", mesh: `a.b"}|.*`, clusters: `envoy_cluster_name=~"a\\.b\"\\}\\|\\.\\*_.+|kri_[a-z]+_a\\.b\"\\}\\|\\.\\*_.+"`},
	}
	for _, regime := range []naming.Regime{naming.RegimeAuto, naming.RegimeLegacy, naming.RegimeMeshService, naming.RegimeUnified} {
		for _, tt := range tests {
			t.Run(string(regime)+"/"+tt.name, func(t *testing.T) {
				subs := queries(MeshQuery{Mesh: tt.mesh, Zones: []string{"zone-1"}, Regime: regime, ZoneProxies: true, From: from, To: to})
				if len(subs) != 5 || subs[4].name != "zone proxies" {
					t.Fatalf("sub-queries %+v, want the zone proxies' fifth", subs)
				}
				sel := `{proxy=~"ingress|egress",` + tt.clusters + notInternal + `}[3600s]`
				const by = `proxy,zone,envoy_cluster_name`
				part := func(metric, kind, more string) string {
					return `label_replace(sum by (` + by + more + `) (increase(` + metric + sel + `)), "kuma_datasource_kind", "` + kind + `", "", "")`
				}
				want := part("envoy_cluster_upstream_rq_xx", "requests", ",envoy_response_code_class") +
					" or " + part("envoy_cluster_upstream_rq_time_bucket", "latency_bucket", ",le") +
					" or " + part("envoy_cluster_upstream_cx_rx_bytes_total", "rx_bytes", "") +
					" or " + part("envoy_cluster_upstream_cx_tx_bytes_total", "tx_bytes", "") +
					" or " + part("envoy_cluster_upstream_cx_total", "connections", "")
				if subs[4].expr != want {
					t.Errorf("\n got %s\nwant %s", subs[4].expr, want)
				}
			})
		}
	}
}

// A zone proxy's series decodes to a sample with its kind and zone and no source; a
// sidecar's never carries a zone-proxy kind, whatever its labels.
func TestDecodeZoneProxy(t *testing.T) {
	s := series{labels: []string{"proxy", "ingress", "zone", "zone-2", "envoy_cluster_name", "default_backend", "kuma_datasource_kind", "connections"}, value: 5}
	got, ok := decode(&s, "", zoneProxyReporter, false)
	want := sample.Sample{Kind: sample.Connections, Proxy: sample.Proxy{Zone: "zone-2", ZoneProxy: "ingress"}, Cluster: "default_backend", Value: 5}
	if !ok || got != want {
		t.Errorf("decode = %+v, %v; want %+v", got, ok, want)
	}
	got, _ = decode(&s, "", reporterOf(naming.RegimeUnified), false)
	if got.Proxy.ZoneProxy != "" {
		t.Errorf("a sidecar's sample as a zone proxy's: %+v", got)
	}
}
