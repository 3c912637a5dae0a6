package plugin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

// TestHealthChecksBothSidesAtOnce: a CP and a Prometheus that each take 1.2 s answer the
// health check in about 1.2 s, not 2.4 s.
func TestHealthChecksBothSidesAtOnce(t *testing.T) {
	const delay = 1200 * time.Millisecond
	fixtures := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	slow := func(h http.Handler) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(delay / 2) // the CP is asked twice (index, config), Prometheus once
			if r.URL.Path == "/api/v1/status/buildinfo" {
				time.Sleep(delay / 2)
			}
			h.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	prom := slow(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"success","data":{"version":"3.0.0"}}`))
	}))
	ds := newDatasource(t, slow(fixtures.Config.Handler), promSettings(prom))
	start := time.Now()
	h, err := ds.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	took := time.Since(start)
	if err != nil || h.Status != backend.HealthStatusOk || !strings.Contains(h.Message, "Prometheus 3.0.0") {
		t.Fatalf("%v %+v", err, h)
	}
	if took >= 2*delay-200*time.Millisecond {
		t.Errorf("the health check took %s: the sides ran one after the other", took)
	}
}

// TestResourceAnswerIsCut: a CP whose meshes add up to more than 64 MiB of names gets a
// meshes answer cut to 64 MiB, with a header saying what was kept.
func TestResourceAnswerIsCut(t *testing.T) {
	cp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		next := "null"
		if page < 2 {
			next = fmt.Sprintf(`"http://%s/meshes?page=%d"`, r.Host, page+1)
		}
		fmt.Fprintf(w, `{"total":3000,"next":%s,"items":[`, next)
		for i := range 1000 {
			if i > 0 {
				_, _ = w.Write([]byte(","))
			}
			fmt.Fprintf(w, `{"type":"Mesh","name":"%d-%d-%s"}`, page, i, strings.Repeat("m", 25<<10))
		}
		_, _ = w.Write([]byte("]}"))
	}))
	defer cp.Close()
	ds := newDatasource(t, cp.URL, "")
	var status int
	var header http.Header
	var body []byte
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: "meshes", Method: http.MethodGet, URL: "meshes"},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			status, header, body = r.Status, r.Headers, append(body, r.Body...)
			return nil
		}))
	var meshes []map[string]string
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &meshes) != nil {
		t.Fatalf("%v %d %.300s", err, status, body)
	}
	if len(body) > 64<<20 || len(meshes) >= 3000 || len(meshes) < 2500 {
		t.Errorf("%d bytes, %d meshes", len(body), len(meshes))
	}
	if got := header.Get("X-Kuma-Notice"); got != fmt.Sprintf("the answer was cut at 64 MiB: %d of 3000 kept", len(meshes)) {
		t.Errorf("notice %q", got)
	}
}

// TestQueryDeadline: a query that makes CP calls one after the other has one deadline, not
// one per call. With a 1 s timeout and a CP answering each call in 0.6 s, the dataplanes
// of a service (its MeshServices first, then its dataplanes) run out of it.
func TestQueryDeadline(t *testing.T) {
	fixtures := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	cp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond)
		fixtures.Config.Handler.ServeHTTP(w, r)
	}))
	defer cp.Close()
	ds := newDatasource(t, cp.URL, `{"timeout":1,"prometheusTimeout":1}`)
	start := time.Now()
	r := query(t, ds, map[string]string{"A": `{"queryType":"dataplanes","mesh":"default","service":"backend"}`}).Responses["A"]
	// Per-call timeouts alone would let it run about 1.2 s and finish; the generous bound
	// only catches a query that ignores its deadline.
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the query took %s with a 1s deadline", took)
	}
	if r.Error == nil || !strings.Contains(r.Error.Error(), "the query ran out of its 1s deadline") || r.Status != backend.StatusTimeout {
		t.Errorf("got %v (status %d)", r.Error, r.Status)
	}
}
