package prom

import (
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

func TestRecordedWindow(t *testing.T) {
	for _, tc := range []struct {
		window, want time.Duration
		ok           bool
	}{
		{30 * time.Minute, 30 * time.Minute, false},
		{59*time.Minute + 59*time.Second, 55 * time.Minute, false},
		{time.Hour, time.Hour, true},
		{time.Hour + 4*time.Minute + 59*time.Second, time.Hour, true},
		{24 * time.Hour, 24 * time.Hour, true},
	} {
		w, ok := recordedWindow(MeshQuery{From: to.Add(-tc.window), To: to})
		if w != tc.want || ok != tc.ok {
			t.Errorf("%v: %v %t, want %v %t", tc.window, w, ok, tc.want, tc.ok)
		}
	}
}

// The recorded path groups as the raw one does (per regime, zones matched the same way),
// over the recorded series of the window's whole rule intervals, scaled to the window.
func TestRecordedExpr(t *testing.T) {
	q := MeshQuery{Mesh: "default", Zones: []string{"zone-1"}, Regime: naming.RegimeLegacy, From: to.Add(-90 * time.Minute).Add(-150 * time.Second), To: to}
	const by = `mesh,kuma_io_service,kuma_io_zone,kuma_proxy_role,kuma_io_mesh_gateway`
	const sel = `{mesh="default",kuma_io_zone=~"zone-1"}[5400s] offset 60s))`
	for name, want := range map[string]string{
		"latency": `sum by (` + by + `,envoy_cluster_name,le) (sum_over_time(kuma_edge:envoy_cluster_upstream_rq_time_bucket:increase5m` + sel + ` * 1.0277777777777777`,
		"requests": `label_replace(sum by (` + by + `,envoy_cluster_name,envoy_response_code_class) (sum_over_time(kuma_edge:envoy_cluster_upstream_rq_xx:increase5m` + sel + ` * 1.0277777777777777, "kuma_datasource_kind", "requests", "", "")` +
			` or label_replace(sum by (` + by + `,envoy_cluster_name) (sum_over_time(kuma_edge:envoy_cluster_grpc_failures:increase5m` + sel + ` * 1.0277777777777777, "kuma_datasource_kind", "grpc_failures", "", "")`,
		"inbound": `sum by (` + by + `,envoy_http_conn_manager_prefix,envoy_response_code_class) (sum_over_time(kuma_service:envoy_http_downstream_rq_xx:increase5m` + sel + ` * 1.0277777777777777`,
	} {
		if got := recordedExpr(q, name, 90*time.Minute); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	if got := recordedExpr(MeshQuery{Mesh: "default", Regime: naming.RegimeUnified, From: from, To: to}, "tcp", time.Hour); strings.Count(got, "sum_over_time") != 3 || strings.Contains(got, "*") {
		t.Errorf("tcp over a whole hour: %s", got)
	}
}

// The check probes each rule group's first rule at both ends of the window, the latency
// rule on its +Inf buckets only.
func TestPresenceExpr(t *testing.T) {
	got := presenceExpr(`a"b`, 2*time.Hour)
	for _, want := range []string{
		`label_replace(group(count_over_time(kuma_edge:envoy_cluster_upstream_rq_xx:increase5m{mesh="a\"b"}[300s] offset 60s)) and group(count_over_time(kuma_edge:envoy_cluster_upstream_rq_xx:increase5m{mesh="a\"b"}[300s] offset 6960s)), "kuma_datasource_rules", "requests", "", "")`,
		`kuma_edge:envoy_cluster_upstream_rq_time_bucket:increase5m{mesh="a\"b",le="+Inf"}[300s] offset 6960s`,
		`"kuma_datasource_rules", "tcp"`, `"kuma_datasource_rules", "inbound"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%s\nlacks %s", got, want)
		}
	}
	if n := strings.Count(got, "label_replace"); n != 4 {
		t.Errorf("%d groups probed, want 4", n)
	}
}
