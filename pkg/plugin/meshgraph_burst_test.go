package plugin_test

import (
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// A dashboard refresh fires one map query per panel (and every viewer refreshes): a
// burst of 100 refreshes of one map must cost the CP what one map costs, because the
// topology is loaded once and shared, and every answer must equal an uncached one.
func TestMeshGraphBurstFetchesTopologyOnce(t *testing.T) {
	const refreshes = 100
	topo, err := meshsim.Load(filepath.Join("..", "..", "examples", "topologies", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := meshsim.New(topo, meshsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cp := &bench.CountingHandler{Next: sim.Handler()}
	srv := httptest.NewServer(cp)
	t.Cleanup(srv.Close)
	pr, _ := promfake.Start(t, promTestdata, "legacy")
	query := `{"queryType":"mesh-graph","mesh":"default"}`

	want := graphQuery(t, newDatasource(t, srv.URL, promSettings(pr.URL)), query)
	oneMap := cp.Count()
	if want.Error != nil || len(want.Frames) < 2 || want.Frames[0].Rows() == 0 || oneMap == 0 {
		t.Fatalf("uncached map: %v, %d frames, %d CP requests", want.Error, len(want.Frames), oneMap)
	}

	ds := newDatasource(t, srv.URL, promSettings(pr.URL))
	got := make([]data.Frames, refreshes)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range refreshes {
		wg.Go(func() {
			<-start // all at once, so that most find the load in flight, not in the cache
			r := graphQuery(t, ds, query)
			if r.Error != nil {
				t.Errorf("refresh %d: %v", i, r.Error)
			}
			got[i] = r.Frames
		})
	}
	close(start)
	wg.Wait()
	if n := cp.Count() - oneMap; n != oneMap {
		t.Errorf("%d refreshes made %d CP requests, one map makes %d", refreshes, n, oneMap)
	}
	for i, f := range got {
		// promfake answers in a fixed order, so even the floats must be equal.
		if err := bench.SameFrames(want.Frames, f, 0); err != nil {
			t.Fatalf("refresh %d differs from the uncached map: %v", i, err)
		}
	}
}
