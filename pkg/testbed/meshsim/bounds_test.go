package meshsim_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// TestBackfillBoundsAsEachPrometheusScrapes lets Prometheus 2 and 3 scrape the simulator
// and holds the le values the backfill writes for that version (BoundsFor) to those
// the server's own scrape stored: any difference splits each bucket in two.
func TestBackfillBoundsAsEachPrometheusScrapes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		binary func(t *testing.T) string
	}{
		{"prometheus", func(t *testing.T) string { return promtest.Binary(t, "prometheus") }},
		{"prometheus3", func(t *testing.T) string { return promtest.Prometheus3(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := tc.binary(t)
			shop, err := meshsim.Load("../../../examples/topologies/shop.yaml")
			if err != nil {
				t.Fatal(err)
			}
			sim, err := meshsim.New(shop, meshsim.Options{Start: time.Now().Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim.Handler())
			t.Cleanup(srv.Close)
			prom := promtest.Start(t, promtest.Options{Binary: bin, Config: meshsim.ScrapeConfig(strings.TrimPrefix(srv.URL, "http://"), "1s")})

			var scraped []string
			for deadline := time.Now().Add(30 * time.Second); len(scraped) == 0; time.Sleep(200 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no envoy_cluster_upstream_rq_time_bucket scraped after 30s")
				}
				res, err := prom.Query(ctx, `count by (le) (envoy_cluster_upstream_rq_time_bucket)`, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range res {
					scraped = append(scraped, s.Metric["le"])
				}
			}

			var backfill bytes.Buffer
			end := time.Now()
			if err := sim.WriteOpenMetrics(ctx, &backfill, meshsim.BackfillOptions{End: end, Duration: time.Minute, Step: time.Minute,
				Bounds: meshsim.BoundsFor(promtest.Version(t, bin))}); err != nil {
				t.Fatal(err)
			}
			var written []string
			for _, m := range regexp.MustCompile(`(?m)^envoy_cluster_upstream_rq_time_bucket\{.*\ble="([^"]*)"`).FindAllStringSubmatch(backfill.String(), -1) {
				if !slices.Contains(written, m[1]) {
					written = append(written, m[1])
				}
			}
			slices.Sort(scraped)
			slices.Sort(written)
			if !slices.Equal(scraped, written) {
				t.Errorf("le values:\nscraped  %q\nbackfill %q", scraped, written)
			}
		})
	}
}

// TestBoundsFor tells the versions apart.
func TestBoundsFor(t *testing.T) {
	for v, want := range map[string]meshsim.BoundForm{"2.42.0": meshsim.BoundsAsExposed, "3.16.0": meshsim.BoundsOpenMetrics, "v3.0.0": meshsim.BoundsOpenMetrics, "": meshsim.BoundsAsExposed} {
		if got := meshsim.BoundsFor(v); got != want {
			t.Errorf("BoundsFor(%q) = %v, want %v", v, got, want)
		}
	}
}
