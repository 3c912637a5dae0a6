package kuma_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

// kumactlTable parses kumactl's fixed-width table output into rows keyed by header.
// Columns start where their header starts; a value runs to the next column's start.
func kumactlTable(t *testing.T, path string) []map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	header := lines[0]
	var starts []int
	var names []string
	for i := 0; i < len(header); {
		j := i
		// a header ends at two spaces; headers themselves contain single spaces
		for j < len(header) && !strings.HasPrefix(header[j:], "  ") {
			j++
		}
		starts = append(starts, i)
		names = append(names, header[i:j])
		i = j + len(header[j:]) - len(strings.TrimLeft(header[j:], " "))
	}
	var rows []map[string]string
	for _, line := range lines[1:] {
		row := map[string]string{}
		for c, start := range starts {
			end := len(line)
			if c+1 < len(starts) && starts[c+1] < end {
				end = starts[c+1]
			}
			if start < end {
				row[names[c]] = strings.TrimSpace(line[start:end])
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func readJSON[T any](t *testing.T, path string) T {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

var kumactlStatus = map[string]kuma.DataplaneStatus{
	"Online":             kuma.DataplaneOnline,
	"Offline":            kuma.DataplaneOffline,
	"Partially degraded": kuma.DataplanePartiallyDegraded,
}

// TestDataplaneStatusMatchesKumactl checks Status, the notes and Versions against
// what kumactl printed for the same CP state.
func TestDataplaneStatusMatchesKumactl(t *testing.T) {
	for _, c := range []struct{ overviews, kumactl string }{
		{"v2.14.3/global/GET_meshes_default_dataplanes+insights.json", "v2.14.3/global/kumactl_inspect_dataplanes_mesh-default.txt"},
		{"head-3.0-dev/global/GET_meshes_default_dataplanes+insights.json", "head-3.0-dev/global/kumactl_inspect_dataplanes_mesh-default.txt"},
		{"head-3.0-dev/global/GET_meshes_payments_dataplanes+insights.json", "head-3.0-dev/global/kumactl_inspect_dataplanes_mesh-payments.txt"},
	} {
		dir := kumatest.TestdataDir()
		list := readJSON[kuma.List[kuma.DataplaneOverview]](t, filepath.Join(dir, c.overviews))
		byName := map[string]kuma.DataplaneOverview{}
		for _, dp := range list.Items {
			byName[dp.Name] = dp
		}
		rows := kumactlTable(t, filepath.Join(dir, c.kumactl))
		if len(rows) != len(list.Items) {
			t.Fatalf("%s: %d kumactl rows, %d overviews", c.kumactl, len(rows), len(list.Items))
		}
		for _, row := range rows {
			t.Run(c.kumactl+"/"+row["NAME"], func(t *testing.T) {
				dp, ok := byName[row["NAME"]]
				if !ok {
					t.Fatalf("no overview named %s", row["NAME"])
				}
				status, notes := dp.Status()
				want, ok := kumactlStatus[row["STATUS"]]
				if !ok {
					t.Fatalf("unknown kumactl status %q", row["STATUS"])
				}
				if status != want {
					t.Errorf("status = %s, kumactl says %s", status, want)
				}
				if got := strings.Join(notes, "; "); got != row["NOTES"] {
					t.Errorf("notes = %q, kumactl says %q", got, row["NOTES"])
				}
				v := dp.Versions()
				if v.KumaDp != row["KUMA-DP VERSION"] || v.Envoy != row["ENVOY VERSION"] {
					t.Errorf("versions = %+v, kumactl says kuma-dp %q envoy %q", v, row["KUMA-DP VERSION"], row["ENVOY VERSION"])
				}
			})
		}
	}
}

func TestDataplaneStatusRules(t *testing.T) {
	connected := &kuma.DataplaneInsight{Subscriptions: []kuma.DiscoverySubscription{
		{ConnectTime: "2026-11-24T19:10:07Z", DisconnectTime: "2026-11-24T19:10:33Z"},
		{ConnectTime: "2026-11-24T19:10:40Z"},
	}}
	disconnected := &kuma.DataplaneInsight{Subscriptions: []kuma.DiscoverySubscription{
		{ConnectTime: "2026-11-24T19:10:07Z", DisconnectTime: "2026-11-24T19:10:33Z"},
	}}
	ready := kuma.Inbound{Port: 8080}
	notReadyState := kuma.Inbound{Port: 9095, State: kuma.InboundNotReady}
	unhealthy := kuma.Inbound{Port: 9096, Health: &kuma.InboundHealth{}, Tags: map[string]string{kuma.TagService: "db"}}
	ignored := kuma.Inbound{Port: 9097, State: kuma.InboundIgnored}
	dp := func(insight *kuma.DataplaneInsight, gw *kuma.Gateway, in ...kuma.Inbound) kuma.DataplaneOverview {
		return kuma.DataplaneOverview{
			Dataplane:        kuma.Dataplane{Networking: kuma.DataplaneNetworking{Gateway: gw, Inbound: in}},
			DataplaneInsight: insight,
		}
	}
	for _, c := range []struct {
		name  string
		dp    kuma.DataplaneOverview
		want  kuma.DataplaneStatus
		notes int
	}{
		{"never connected", dp(nil, nil, ready), kuma.DataplaneOffline, 0},
		{"empty insight", dp(&kuma.DataplaneInsight{}, nil, ready), kuma.DataplaneOffline, 0},
		{"reconnected", dp(connected, nil, ready), kuma.DataplaneOnline, 0},
		{"disconnected", dp(disconnected, nil, ready), kuma.DataplaneOffline, 0},
		{"one of two not ready", dp(connected, nil, ready, notReadyState), kuma.DataplanePartiallyDegraded, 1},
		{"health {} means not ready", dp(connected, nil, ready, unhealthy), kuma.DataplanePartiallyDegraded, 1},
		{"health ready", dp(connected, nil, kuma.Inbound{Health: &kuma.InboundHealth{Ready: true}}), kuma.DataplaneOnline, 0},
		{"all not ready", dp(connected, nil, notReadyState, unhealthy), kuma.DataplaneOffline, 2},
		{"ignored inbound does not count", dp(connected, nil, ready, ignored), kuma.DataplaneOnline, 0},
		{"only ignored inbounds", dp(connected, nil, ignored), kuma.DataplaneOnline, 0},
		{"zone proxy without inbounds", dp(connected, nil), kuma.DataplaneOnline, 0},
		{"gateway ignores inbounds", dp(connected, &kuma.Gateway{}, notReadyState), kuma.DataplaneOnline, 0},
		{"offline builtin gateway", dp(disconnected, &kuma.Gateway{Type: kuma.GatewayTypeBuiltin}), kuma.DataplaneOffline, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, notes := c.dp.Status()
			if got != c.want || len(notes) != c.notes {
				t.Errorf("Status() = %s %q, want %s with %d notes", got, notes, c.want, c.notes)
			}
		})
	}
}

func TestGatewayKind(t *testing.T) {
	dir := kumatest.TestdataDir()
	for _, c := range []struct {
		file string
		want map[string]kuma.GatewayKind // display name → kind
	}{
		{"v2.14.3/global/GET_meshes_default_dataplanes+insights.json", map[string]kuma.GatewayKind{
			"edge-gateway-1": kuma.GatewayBuiltin, "kong-gateway-1": kuma.GatewayDelegated, "frontend-1": kuma.GatewayNone,
		}},
		// 3.0 omits type: DELEGATED is the proto default
		{"head-3.0-dev/global/GET_meshes_default_dataplanes+insights.json", map[string]kuma.GatewayKind{
			"edge-gateway-1": kuma.GatewayDelegated, "kong-gateway-1": kuma.GatewayDelegated, "zone-ingress-1": kuma.GatewayNone,
		}},
	} {
		list := readJSON[kuma.List[kuma.DataplaneOverview]](t, filepath.Join(dir, c.file))
		seen := 0
		for _, dp := range list.Items {
			want, ok := c.want[dp.DisplayName()]
			if !ok {
				continue
			}
			seen++
			if got := dp.GatewayKind(); got != want {
				t.Errorf("%s %s: GatewayKind() = %q, want %q", c.file, dp.DisplayName(), got, want)
			}
		}
		if seen != len(c.want) {
			t.Errorf("%s: found %d of %d dataplanes by display name", c.file, seen, len(c.want))
		}
	}
}

func TestZoneStatusMatchesKumactl(t *testing.T) {
	dir := kumatest.TestdataDir()
	for _, c := range []struct{ zones, kumactl string }{
		{"v2.14.3/global/zone-2-stopped/GET_zones+insights.json", "v2.14.3/global/kumactl_inspect_zones.txt"},
		{"head-3.0-dev/global/GET_zones+insights.json", "head-3.0-dev/global/kumactl_inspect_zones.txt"},
	} {
		list := readJSON[kuma.List[kuma.ZoneOverview]](t, filepath.Join(dir, c.zones))
		rows := kumactlTable(t, filepath.Join(dir, c.kumactl))
		if len(rows) != len(list.Items) {
			t.Fatalf("%s: %d rows, %d zones", c.kumactl, len(rows), len(list.Items))
		}
		for i, z := range list.Items {
			row := rows[i]
			if z.Name != row["NAME"] {
				t.Fatalf("zone %d: %s vs kumactl %s", i, z.Name, row["NAME"])
			}
			wantOnline := row["STATUS"] == "Online"
			if z.IsOnline() != wantOnline || z.KumaCPVersion() != row["ZONE-CP VERSION"] || !z.Enabled() {
				t.Errorf("%s %s: online=%v version=%q enabled=%v; kumactl: %s %s", c.zones, z.Name,
					z.IsOnline(), z.KumaCPVersion(), z.Enabled(), row["STATUS"], row["ZONE-CP VERSION"])
			}
		}
	}
}

func TestZoneOwnZoneOnZoneCP(t *testing.T) {
	list := readJSON[kuma.List[kuma.ZoneOverview]](t, filepath.Join(kumatest.FixtureDir(kumatest.V2_14), "zone/GET_zones+insights.json"))
	if len(list.Items) != 1 || !list.Items[0].Enabled() {
		t.Fatalf("zone CP's own zone (\"zone\": {}) must count as enabled: %+v", list.Items)
	}
}

func TestDisplayName(t *testing.T) {
	m := kuma.Meta{Name: "frontend-1-czb8xxc54v8dff4d", Labels: map[string]string{kuma.LabelDisplayName: "frontend-1", kuma.LabelZone: "zone-1"}}
	if m.DisplayName() != "frontend-1" || m.Zone() != "zone-1" {
		t.Errorf("DisplayName()=%q Zone()=%q", m.DisplayName(), m.Zone())
	}
	if n := (kuma.Meta{Name: "plain"}).DisplayName(); n != "plain" {
		t.Errorf("without label DisplayName()=%q, want the name", n)
	}
}
