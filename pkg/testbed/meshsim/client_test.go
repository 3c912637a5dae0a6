package meshsim_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// TestWithKumaClient reads the fake CP with the plugin's own client, paging with
// small pages, so the two stay compatible.
func TestWithKumaClient(t *testing.T) {
	ctx := context.Background()
	for _, version := range []int{2, 3} {
		srv := httptest.NewServer(shopSim(t, version).Handler())
		t.Cleanup(srv.Close)
		c, err := kuma.NewClient(kuma.Options{BaseURL: srv.URL, PageSize: 2, MaxPages: 100})
		if err != nil {
			t.Fatal(err)
		}
		dps, err := c.Dataplanes(ctx, "default", kuma.DataplaneFilter{})
		if err != nil || len(dps) != 11 {
			t.Fatalf("kuma %d: %d dataplanes, %v", version, len(dps), err)
		}
		online := 0
		for _, d := range dps {
			if st, _ := d.Status(); st == kuma.DataplaneOnline {
				online++
			}
		}
		if online != 10 {
			t.Errorf("kuma %d: %d online dataplanes, want 10", version, online)
		}
		insights, err := c.ServiceInsights(ctx, "default")
		if want := map[int]int{2: 8, 3: 0}[version]; err != nil || len(insights) != want {
			t.Errorf("kuma %d: %d service insights (%v), want %d", version, len(insights), err, want)
		}
		ms, err := c.MeshServices(ctx, "default")
		if err != nil || len(ms) != 7 {
			t.Errorf("kuma %d: %d mesh services, %v", version, len(ms), err)
		}
		zones, err := c.Zones(ctx)
		if err != nil || len(zones) != 2 || !zones[0].IsOnline() {
			t.Errorf("kuma %d: zones %v, %v", version, zones, err)
		}
	}
}
