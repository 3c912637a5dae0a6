package plugin_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// crossZoneMesh has traffic that crosses zones (frontend in zone-1 calls backend, which
// runs only in zone-2) and traffic inside zone-2 (backend calls db).
const crossZoneMesh = `
zones: [zone-1, zone-2]
services:
  - {name: frontend, instances: {zone-1: 2}}
  - {name: backend, instances: {zone-2: 1}}
  - {name: db, instances: {zone-2: 1}}
edges:
  - {from: frontend, to: backend, rps: 40}
  - {from: backend, to: db, rps: 10}
`

// Past one Prometheus: each zone has its own, scraping only its zone's proxies and
// remote-writing into a global one, and the map is computed on the global one. Three
// real Prometheus processes scrape the simulator live. The map must show each zone's
// edges with exactly the rate its zone's own Prometheus computes over the same window.
func TestMeshGraphOnGlobalPrometheusFedByZones(t *testing.T) {
	topo, err := meshsim.Decode(strings.NewReader(crossZoneMesh))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := meshsim.New(topo, meshsim.Options{Start: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	global := promtest.Start(t, promtest.Options{Flags: []string{"--web.enable-remote-write-receiver"}})
	zones := map[string]*promtest.Server{}
	for _, z := range topo.Zones {
		zones[z] = promtest.Start(t, promtest.Options{Config: zonePrometheusConfig(srv.URL, z, global.URL)})
	}

	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	// Each edge's requests over the map's window, as its source zone's Prometheus sees them.
	edges := []struct{ from, to, zone, edgeID string }{
		{"frontend", "backend", "zone-1", "frontend@zone-1->backend@zone-2"},
		{"backend", "db", "zone-2", "backend@zone-2->db@zone-2"},
	}
	const window = time.Minute
	increase := func(from, to string) string {
		return fmt.Sprintf(`sum(increase(envoy_cluster_upstream_rq_xx{kuma_io_service=%q,envoy_cluster_name=%q}[%s]))`, from, to, window)
	}
	// Wait until the zones have a few scrapes and the global one has received them all
	// up to the map's end: then both compute the same increase.
	var end time.Time
	want := map[string]float64{}
	for {
		if ctx.Err() != nil {
			t.Fatalf("the global Prometheus never caught up with the zones' (want %v)", want)
		}
		time.Sleep(time.Second)
		end = time.Now().Add(-2 * time.Second).Truncate(time.Millisecond)
		caughtUp := true
		for _, e := range edges {
			local := queryValue(ctx, zones[e.zone], increase(e.from, e.to), end)
			want[e.edgeID] = local
			if local <= 0 || queryValue(ctx, global, increase(e.from, e.to), end) != local {
				caughtUp = false
			}
		}
		if caughtUp {
			break
		}
	}

	ds := newDatasource(t, srv.URL, promSettings(global.URL))
	r, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: "mesh-graph", JSON: []byte(`{"queryType":"mesh-graph","mesh":"default","groupByZone":true}`),
		TimeRange: backend.TimeRange{From: end.Add(-window), To: end},
	}}})
	if err != nil || r.Responses["A"].Error != nil || len(r.Responses["A"].Frames) < 2 {
		t.Fatalf("map on the global Prometheus: %v %v", err, r.Responses["A"].Error)
	}
	got := edgeRates(t, r.Responses["A"].Frames[1])
	for id, increase := range want {
		rate := increase / window.Seconds()
		if g, ok := got[id]; !ok || math.Abs(g-rate) > 1e-9*rate {
			t.Errorf("edge %s: %v req/s (present: %v), want %v as its zone's Prometheus says; edges: %v", id, g, ok, rate, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("edges %v, want only %v", got, want)
	}
}

// zonePrometheusConfig scrapes the simulator's proxies of one zone (its service
// discovery lists every zone's; the kuma_io_zone target label tells them apart) and
// writes everything to the global Prometheus.
func zonePrometheusConfig(simURL, zone, globalURL string) string {
	return fmt.Sprintf(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: meshsim
    http_sd_configs:
      - url: %s%s
        refresh_interval: 1s
    relabel_configs:
      - source_labels: [kuma_io_zone]
        regex: %s
        action: keep
remote_write:
  - url: %s/api/v1/write
    queue_config:
      batch_send_deadline: 500ms
      min_backoff: 100ms
      max_backoff: 500ms
`, simURL, meshsim.PathSD, zone, globalURL)
}

func queryValue(ctx context.Context, s *promtest.Server, promql string, at time.Time) float64 {
	v, err := s.Query(ctx, promql, at)
	if err != nil || len(v) != 1 {
		return 0
	}
	return v[0].Value
}

// edgeRates maps each edge's id to its requests per second.
func edgeRates(t *testing.T, edges *data.Frame) map[string]float64 {
	t.Helper()
	id, idx := edges.FieldByName("id")
	rps, rdx := edges.FieldByName("detail__rps")
	if idx < 0 || rdx < 0 {
		t.Fatalf("edges frame lacks id or detail__rps")
	}
	out := map[string]float64{}
	for i := range id.Len() {
		v, _ := rps.ConcreteAt(i)
		out[id.At(i).(string)], _ = v.(float64)
	}
	return out
}
