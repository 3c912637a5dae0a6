package plugin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

// TestRequestConcurrencyIsBounded sends one request with many queries: they all answer,
// but never more than a handful reach the CP at once.
func TestRequestConcurrencyIsBounded(t *testing.T) {
	fake := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	var inFlight, peak atomic.Int32
	cp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		fake.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(cp.Close)
	ds := newDatasource(t, cp.URL, "")
	req := &backend.QueryDataRequest{}
	for i := range 40 {
		req.Queries = append(req.Queries, backend.DataQuery{RefID: fmt.Sprint(i), QueryType: "meshes", JSON: []byte(`{"queryType":"meshes"}`)})
	}
	resp, err := ds.QueryData(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	for ref, r := range resp.Responses {
		if r.Error != nil || len(r.Frames) != 1 {
			t.Fatalf("query %s: %v", ref, r.Error)
		}
	}
	if len(resp.Responses) != 40 {
		t.Fatalf("%d responses, want 40", len(resp.Responses))
	}
	if p := peak.Load(); p > 8 || p < 2 {
		t.Errorf("peak CP requests in flight = %d, want concurrency bounded at 8 (and used)", p)
	}
}
