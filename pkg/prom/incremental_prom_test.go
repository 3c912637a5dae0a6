package prom_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// take returns and forgets the queries logged so far.
func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queries
	l.queries = nil
	return q
}

// incrBlock is the incremental cache's grid (prom's incrBlock): Time.Truncate aligns
// to it as the cache does, the zero time being a whole number of days before 1970.
const incrBlock = 5 * time.Minute

// TestIncrementalRefreshAnswersAsUncached refreshes a map from kept bodies against a real
// Prometheus holding the simulated mesh and compares every answer with an uncached one's.
func TestIncrementalRefreshAnswersAsUncached(t *testing.T) {
	for _, tc := range []struct {
		name             string
		window, history  time.Duration
		scrape           time.Duration
		rebuildAfterMove time.Duration
		services         int
		// headKept: the window is long enough for its head to be read apart and kept (50
		// minutes: a refresh 30 s later is within 1 % of it), so a refresh 30 s later
		// scales the kept head instead of reading it again.
		headKept bool
	}{
		// Forty minutes: a head, tail or block counted twice or left out would be off by
		// 2.5 % or more.
		{name: "40m", window: 40 * time.Minute, history: 100 * time.Minute, scrape: 15 * time.Second, rebuildAfterMove: 35 * time.Minute, services: 8, headKept: false},
		// The wall display's six hours, backfilled at a coarse step (a slow scrape).
		{name: "6h", window: 6 * time.Hour, history: 10 * time.Hour, scrape: time.Minute, rebuildAfterMove: 3*time.Hour + 10*time.Minute, services: 4, headKept: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: tc.services, FanOut: 2, Zones: 2, Seed: 17, Regime: meshsim.RegimeUnified})
			if err != nil {
				t.Fatal(err)
			}
			bed := meshsimtest.Start(t, topo, meshsimtest.Options{History: tc.history, Step: tc.scrape})
			ctx := context.Background()
			// Raw series only: no recording rules' presence check among the round trips counted.
			cached, rec := newClient(t, bed.PrometheusURL, prom.WithIncrementalCache(64<<20, tc.scrape), prom.WithRecordingRules(false))
			uncached, plain := newClient(t, bed.PrometheusURL, prom.WithRecordingRules(false))
			// The first To lies 2 minutes into a block, an hour's margin after the history starts.
			t0 := bed.End.Add(-tc.history + tc.window + 10*time.Minute).Truncate(incrBlock).Add(2 * time.Minute)
			// Four sub-queries, each a body and its ends on a first load: head and tail in
			// one round trip, or apart when the head is kept.
			load, refresh := 8, 4 // body and ends; ends
			if tc.headKept {
				load, refresh = 12, 4 // body, head, tail; the tail alone
			}
			steps := []struct {
				name   string
				to     time.Time
				trips  int
				deltas int // round trips carrying a signed delta
			}{
				{"first load: body and ends", t0, load, 0},
				{"30s later: the ends, or the tail alone", t0.Add(30 * time.Second), refresh, 0},
				{"11m later: a delta of blocks and the ends", t0.Add(11*time.Minute + 30*time.Second), load, 4},
				{"30s after the delta: the ends, or the tail alone", t0.Add(12 * time.Minute), refresh, 0},
				{"moved too far: rebuilt", t0.Add(12*time.Minute + tc.rebuildAfterMove), load, 0},
			}
			for _, st := range steps {
				q := prom.MeshQuery{Mesh: "default", From: st.to.Add(-tc.window), To: st.to, Incremental: true}
				got, err := cached.FetchMeshSamples(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := uncached.FetchMeshSamples(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				trips := rec.take()
				deltas := 0
				for _, pq := range trips {
					if strings.Contains(pq, "-(") {
						deltas++
					}
					if !strings.Contains(pq, " @ ") {
						t.Errorf("%s: a query without @: %.200s", st.name, pq)
					}
				}
				if len(trips) != st.trips || deltas != st.deltas {
					t.Errorf("%s: %d round trips (%d deltas), want %d (%d)", st.name, len(trips), deltas, st.trips, st.deltas)
				}
				if pq := plain.take(); len(pq) != 4 || strings.Contains(strings.Join(pq, ""), " @ ") {
					t.Errorf("uncached: %d round trips", len(pq))
				}
				if got.Regime != want.Regime || got.Window != want.Window || len(got.Notices) != 0 {
					t.Errorf("%s: regime %s window %s notices %v, want %s %s", st.name, got.Regime, got.Window, got.Notices, want.Regime, want.Window)
				}
				withinTolerance(t, st.name, got, want)
			}
			if used, n, _ := prom.KeptBodies(cached); n != 4 || used <= 0 || used > 64<<20 {
				t.Errorf("%d bodies in %d bytes", n, used)
			}
		})
	}
}

// sameAnswers checks "within 1 %": every series within 1 % (none missing, none added),
// and per edge req/s and error ratio within 1 % and each quantile in the same bucket.
func withinTolerance(t *testing.T, step string, got, want sample.Set) {
	t.Helper()
	byKey := func(s sample.Set) map[sample.Sample]float64 {
		m := map[sample.Sample]float64{}
		for _, x := range s.Samples {
			v := x.Value
			x.Value = 0 // the series' key
			m[x] += v
		}
		return m
	}
	g, w := byKey(got), byKey(want)
	worst := 0.0
	for k, wv := range w {
		gv, ok := g[k]
		if !ok {
			t.Errorf("%s: missing %+v", step, k)
			continue
		}
		if d := relDiff(gv, wv); d > 0.01 {
			t.Errorf("%s: %+v = %g, uncached %g", step, k, gv, wv)
		} else {
			worst = max(worst, d)
		}
	}
	for k, gv := range g {
		if _, ok := w[k]; !ok && gv > 0 {
			t.Errorf("%s: extra %+v = %g", step, k, gv)
		}
	}
	ge, we := edges(got), edges(want)
	if len(ge) != len(we) {
		t.Errorf("%s: %d edges, uncached %d", step, len(ge), len(we))
	}
	for k, wv := range we {
		gv := ge[k]
		if relDiff(gv.requests, wv.requests) > 0.01 || relDiff(gv.errorRatio(), wv.errorRatio()) > 0.01 {
			t.Errorf("%s: %v: %g req (error ratio %g), uncached %g (%g)", step, k, gv.requests, gv.errorRatio(), wv.requests, wv.errorRatio())
		}
		for _, q := range []float64{0.5, 0.95, 0.99} {
			if gb, wb := gv.bucket(q), wv.bucket(q); gb != wb && !(math.IsNaN(gb) && math.IsNaN(wb)) {
				t.Errorf("%s: %v: p%g in the bucket up to %g ms, uncached %g", step, k, q*100, gb, wb)
			}
		}
	}
	t.Logf("%s: %d series, %d edges, largest difference %.2g", step, len(w), len(we), worst)
}

func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / max(math.Abs(a), math.Abs(b))
}

type edgeKey struct {
	proxy   sample.Proxy
	cluster string
}

type edgeStats struct {
	requests, errors float64
	buckets          map[float64]float64 // le → cumulative count
}

func (e edgeStats) errorRatio() float64 {
	if e.requests == 0 {
		return 0
	}
	return e.errors / e.requests
}

// bucket is the upper bound of the bucket holding quantile q.
func (e edgeStats) bucket(q float64) float64 {
	les := slices.Sorted(func(yield func(float64) bool) {
		for le := range e.buckets {
			if !yield(le) {
				return
			}
		}
	})
	if len(les) == 0 {
		return math.NaN()
	}
	total := e.buckets[les[len(les)-1]]
	for _, le := range les {
		if e.buckets[le] >= q*total {
			return le
		}
	}
	return math.Inf(1)
}

func edges(s sample.Set) map[edgeKey]edgeStats {
	out := map[edgeKey]edgeStats{}
	for _, x := range s.Samples {
		k := edgeKey{x.Proxy, fmt.Sprint(x.Kind == sample.InboundRequests, x.Cluster)}
		e := out[k]
		if e.buckets == nil {
			e.buckets = map[float64]float64{}
		}
		switch x.Kind {
		case sample.Requests, sample.InboundRequests:
			e.requests += x.Value
			if x.Class == "5xx" {
				e.errors += x.Value
			}
		case sample.LatencyBucket:
			e.buckets[x.LE] += x.Value
		}
		out[k] = e
	}
	return out
}

// TestIncrementalCacheOffAndBounded: off, or for a query that does not slide, no query
// carries @; a body beyond the bound is not kept, and its sub-query is then sent whole.
func TestIncrementalCacheOffAndBounded(t *testing.T) {
	topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: 6, FanOut: 2, Zones: 1, Seed: 3, Regime: meshsim.RegimeUnified})
	if err != nil {
		t.Fatal(err)
	}
	bed := meshsimtest.Start(t, topo, meshsimtest.Options{History: time.Hour})
	ctx := context.Background()
	// To lies 2 minutes into a block, so that 30 s later the blocks are the same.
	to := bed.End.Add(-incrBlock).Truncate(incrBlock).Add(2 * time.Minute)
	q := prom.MeshQuery{Mesh: "default", From: to.Add(-40 * time.Minute), To: to, Incremental: true}
	off, rec := newClient(t, bed.PrometheusURL, prom.WithIncrementalCache(0, 15*time.Second), prom.WithRecordingRules(false))
	want, err := off.FetchMeshSamples(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if trips := rec.take(); len(trips) != 4 || strings.Contains(strings.Join(trips, ""), " @ ") {
		t.Errorf("off: %d round trips: %q", len(trips), trips)
	}
	on, rec := newClient(t, bed.PrometheusURL, prom.WithIncrementalCache(64<<20, 15*time.Second), prom.WithRecordingRules(false))
	whole := q
	whole.Incremental = false // a rateInterval window or a time series' point
	if _, err := on.FetchMeshSamples(ctx, whole); err != nil {
		t.Fatal(err)
	}
	if trips := rec.take(); len(trips) != 4 || strings.Contains(strings.Join(trips, ""), " @ ") {
		t.Errorf("not incremental: %d round trips: %q", len(trips), trips)
	}
	// A bound below the latency body, the largest.
	if _, err := on.FetchMeshSamples(ctx, q); err != nil {
		t.Fatal(err)
	}
	all, _, largest := prom.KeptBodies(on)
	bound := largest - 1
	t.Logf("kept %d bytes, the largest body %d", all, largest)
	rec.take()
	small, rec := newClient(t, bed.PrometheusURL, prom.WithIncrementalCache(bound, 15*time.Second), prom.WithRecordingRules(false))
	if _, err := small.FetchMeshSamples(ctx, q); err != nil {
		t.Fatal(err)
	}
	rec.take()
	if used, _, _ := prom.KeptBodies(small); used > bound {
		t.Errorf("%d bytes kept, bound %d", used, bound)
	}
	// A body beyond the bound is not queried again on each refresh: its sub-query is
	// sent whole. (The others' bodies and heads do not all fit either here: which of
	// them were evicted first, and are queried again, is the LRU's business.)
	q.From, q.To = q.From.Add(30*time.Second), q.To.Add(30*time.Second)
	got, err := small.FetchMeshSamples(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want, err = off.FetchMeshSamples(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	withinTolerance(t, "small bound", got, want)
	trips := rec.take()
	sent := slices.DeleteFunc(slices.Clone(trips), func(pq string) bool { return strings.Contains(pq, " @ ") })
	if len(sent) != 1 || !strings.Contains(strings.Join(sent, ""), "envoy_cluster_upstream_rq_time_bucket") {
		t.Errorf("refresh: %d round trips, %d whole: %.300q", len(trips), len(sent), sent)
	}
	if used, _, _ := prom.KeptBodies(small); used > bound {
		t.Errorf("%d bytes kept, bound %d", used, bound)
	}
}
