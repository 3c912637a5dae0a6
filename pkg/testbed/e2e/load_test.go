package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// pluginMetric reads one unlabelled metric of the plugin process from the SDK's
// metrics endpoint (the Go and process collectors of its default registry): the
// plugin is another process, so this is how its goroutines and memory are seen.
func pluginMetric(t *testing.T, p *e2e.Plugin, name string) float64 {
	t.Helper()
	resp, err := p.Diagnostics.CollectMetrics(ctx(t), &pluginv2.CollectMetricsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(resp.GetMetrics().GetPrometheus()))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("the plugin exports no %s", name)
	return 0
}

// settle polls until value() is at most limit, for up to 15 s, and returns the last value.
func settle(limit float64, value func() float64) float64 {
	deadline := time.Now().Add(15 * time.Second)
	v := value()
	for v > limit && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		v = value()
	}
	return v
}

const (
	concurrentQueries = 200
	// goroutineSlack absorbs timers and connections that come and go; a leak of one
	// goroutine per query would exceed it twice over.
	goroutineSlack = concurrentQueries / 10
	// rssGrowthLimit bounds the plugin's resident memory growth over the measured
	// rounds, after a warm-up round has sized its heap and connection pools.
	rssGrowthLimit = 64 << 20
)

// TestConcurrentMeshGraphs sends 200 map queries at once, in three rounds, to the built
// binary over gRPC, against the simulated shop mesh in a real Prometheus. Every answer
// must be the full map (no error, no warning notice, the same nodes and edges as a
// single query), and after the first (warm-up) round the goroutines of this process
// and of the plugin (from its metrics) must return to their baseline and the plugin's
// resident memory must stay within rssGrowthLimit of it: a leak per query would grow
// both with every round.
func TestConcurrentMeshGraphs(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	p := e2e.Start(t, nil)
	bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{})
	inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
	query := e2e.Query{RefID: "A", JSON: `{"queryType":"mesh-graph","mesh":"default"}`,
		From: bed.End.Add(-10 * time.Minute).UnixMilli(), To: bed.End.UnixMilli()}

	shape := func(r backend.DataResponse) (string, error) {
		if r.Error != nil {
			return "", r.Error
		}
		if len(r.Frames) != 2 {
			return "", fmt.Errorf("%d frames", len(r.Frames))
		}
		for _, n := range r.Frames[0].Meta.Notices {
			if n.Severity != data.NoticeSeverityInfo {
				return "", fmt.Errorf("notice: %s", n.Text)
			}
		}
		return fmt.Sprintf("%d nodes, %d edges", r.Frames[0].Rows(), r.Frames[1].Rows()), nil
	}
	single, err := p.QueryData(ctx(t), inst, query)
	if err != nil {
		t.Fatal(err)
	}
	want, err := shape(single.Responses["A"])
	if err != nil || strings.HasPrefix(want, "0 nodes") {
		t.Fatalf("single query: %s %v", want, err)
	}

	round := func(n int) {
		t.Helper()
		roundCtx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		start := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		failures := map[string]int{}
		for range concurrentQueries {
			wg.Go(func() {
				got := ""
				resp, err := p.QueryData(roundCtx, inst, query)
				if err == nil {
					got, err = shape(resp.Responses["A"])
				}
				if err != nil || got != want {
					mu.Lock()
					failures[fmt.Sprintf("%s %v", got, err)]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		t.Logf("round %d: %d concurrent queries in %s", n, concurrentQueries, time.Since(start).Round(time.Millisecond))
		for f, count := range failures {
			t.Errorf("round %d: %d answers were %s, want %s", n, count, f, want)
		}
	}

	round(0)
	baseTest := float64(runtime.NumGoroutine())
	basePlugin := pluginMetric(t, p, "go_goroutines")
	baseRSS := pluginMetric(t, p, "process_resident_memory_bytes")
	for n := 1; n <= 2; n++ {
		round(n)
		gotTest := settle(baseTest+goroutineSlack, func() float64 { return float64(runtime.NumGoroutine()) })
		gotPlugin := settle(basePlugin+goroutineSlack, func() float64 { return pluginMetric(t, p, "go_goroutines") })
		rss := pluginMetric(t, p, "process_resident_memory_bytes")
		t.Logf("after round %d: test goroutines %v (baseline %v), plugin goroutines %v (baseline %v), plugin RSS %.0f MiB (baseline %.0f MiB)",
			n, gotTest, baseTest, gotPlugin, basePlugin, rss/(1<<20), baseRSS/(1<<20))
		if gotTest > baseTest+goroutineSlack || gotPlugin > basePlugin+goroutineSlack {
			t.Errorf("goroutines did not return to baseline")
		}
		if rss > baseRSS+rssGrowthLimit {
			t.Errorf("plugin RSS grew by %.0f MiB", (rss-baseRSS)/(1<<20))
		}
	}
}

// hangingServer answers nothing: it records each request and whether the request's
// context ended (the client hung up) before a 20 s cap.
type hangingServer struct {
	*httptest.Server
	received, canceled atomic.Int32
}

func newHangingServer(t *testing.T) *hangingServer {
	h := &hangingServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first, or the server cannot notice the client hanging up.
		_ = r.ParseForm()
		h.received.Add(1)
		select {
		case <-r.Context().Done():
			h.canceled.Add(1)
		case <-time.After(20 * time.Second):
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// TestCanceledQueryStopsUpstreamCalls cancels a map query (Grafana does when a panel is
// refreshed or closed) while the CP and Prometheus are still thinking, and checks that
// every request the plugin had sent to them is abandoned within seconds, not left
// running until the 30 s timeouts, and that the plugin's goroutines return to what
// they were before the query. The map's range is an hour, so Prometheus is first asked
// whether the recording rules are there, and only then for the sub-queries: each is
// canceled in flight.
func TestCanceledQueryStopsUpstreamCalls(t *testing.T) {
	p := e2e.Start(t, nil)
	for _, c := range []struct {
		name     string
		jsonData string
		// prom is how many Prometheus requests are in flight at once.
		prom int32
	}{
		// The rules check comes alone: the sub-queries wait for its answer.
		{name: "during the recording rules check", prom: 1},
		// Without it (and without the incremental cache, which splits each into the
		// range's edges and body), four sub-queries at once, latency in two shards.
		{name: "during the sub-queries", jsonData: `,"recordingRules":"off","incrementalCacheMB":0`, prom: 5},
		// Two slots: the other requests wait for one and are never sent.
		{name: "with requests waiting for a query slot", jsonData: `,"recordingRules":"off","prometheusMaxConcurrentQueries":2`, prom: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			baseline := pluginMetric(t, p, "go_goroutines")
			cp, prom := newHangingServer(t), newHangingServer(t)
			inst := e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + prom.URL + `"` + c.jsonData + `}`}
			queryCtx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := p.QueryData(queryCtx, inst, recordedRange(e2e.Query{RefID: "A", JSON: `{"queryType":"mesh-graph","mesh":"default"}`}))
				done <- err
			}()
			waitFor := func(what string, cond func() bool) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for !cond() {
					if time.Now().After(deadline) {
						t.Fatalf("%s: CP received %d, canceled %d; Prometheus received %d, canceled %d", what,
							cp.received.Load(), cp.canceled.Load(), prom.received.Load(), prom.canceled.Load())
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			// The map asks the CP for its lists at once, beside Prometheus.
			waitFor("requests sent", func() bool { return cp.received.Load() >= 5 && prom.received.Load() >= c.prom })
			cancel()
			canceledAt := time.Now()
			select {
			case err := <-done:
				if err == nil {
					t.Error("a canceled query returned no error")
				}
			case <-time.After(5 * time.Second):
				t.Error("QueryData did not return after cancel")
			}
			waitFor("requests abandoned", func() bool {
				return cp.canceled.Load() == cp.received.Load() && prom.canceled.Load() == prom.received.Load()
			})
			if took := time.Since(canceledAt); took > 5*time.Second {
				t.Errorf("upstream requests ran on for %s after cancel", took)
			}
			if got := prom.received.Load(); got != c.prom {
				t.Errorf("Prometheus received %d requests, want %d: a canceled query sent more", got, c.prom)
			}
			// A few goroutines of the new instance (idle timers) may stay; a dozen hung
			// requests would leave more.
			const slack = 4
			got := settle(baseline+slack, func() float64 { return pluginMetric(t, p, "go_goroutines") })
			t.Logf("plugin goroutines: %v before, %v after", baseline, got)
			if got > baseline+slack {
				t.Errorf("plugin goroutines %v after the canceled query, %v before", got, baseline)
			}
		})
	}
}
