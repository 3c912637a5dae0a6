package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
)

// spec is one row to measure: a map over rng (its windows rateInterval when set) with
// data-source settings, against the baseline's twelve queries over the same windows.
type spec struct {
	rng          time.Duration
	rateInterval time.Duration
	settings     map[string]any
	// refresh also times the same map refreshAfter later on the same instance.
	refresh bool
	// moved also times, on an instance of its own, the same map gridBlock after a
	// first one: the refresh that finds the cache's blocks moved.
	moved bool
}

// window is what both sides' rates read: the range, or rateInterval when set.
func (s spec) window() time.Duration {
	if s.rateInterval > 0 {
		return s.rateInterval
	}
	return s.rng
}

// row is one measured spec on one store and mesh.
type row struct {
	spec
	store                       string
	services, edges, series     int
	samples                     int
	ours, refresh, base, moved  []time.Duration
	oursTrips, oursSeries       int64
	refreshTrips, refreshSeries int64
	baseTrips, baseSeries       int64
	oursPeak                    int64
	baseAlloc                   uint64
	answer                      mapAnswer
	err                         error
}

func (r *row) oursMedian() time.Duration    { return bench.Median(r.ours) }
func (r *row) baseMedian() time.Duration    { return bench.Median(r.base) }
func (r *row) refreshMedian() time.Duration { return bench.Median(r.refresh) }
func (r *row) movedMedian() time.Duration   { return bench.Median(r.moved) }

// measure counts one map's round trips, series and the plugin's peak memory through
// the tally, then times runs cold maps (each on a new instance), their refreshes and
// the baseline, sides alternating so that drift in the machine's load hits both.
func measure(ctx context.Context, pp *pluginProc, m *mesh, st *store, s spec, runs int) *row {
	r := &row{spec: s, store: st.name, services: m.services, edges: m.edges, series: st.series, samples: m.samples(s.window())}
	rateInterval := ""
	if s.rateInterval > 0 {
		rateInterval = model.Duration(s.rateInterval).String()
	}
	logf("  %s, %d services, range %s, window %s, settings %v", st.name, m.services, span(s.rng), span(s.window()), s.settings)
	queries := bench.CommunityQueries("default", "", s.window())
	later := m.end.Add(refreshAfter)

	// Counting pass, through the tally.
	in := pp.instance(st.tallyURL, s.settings, m.step)
	bench.ResetPeakRSS(pp.pid)
	t0, s0 := st.tally.Counts()
	if r.answer, r.err = pp.queryMap(ctx, in, s.rng, m.end, rateInterval); r.err != nil {
		return r
	}
	r.oursPeak = bench.PeakRSS(pp.pid)
	t1, s1 := st.tally.Counts()
	r.oursTrips, r.oursSeries = t1-t0, s1-s0
	if s.refresh {
		if _, r.err = pp.queryMap(ctx, in, s.rng, later, rateInterval); r.err != nil {
			return r
		}
		t2, s2 := st.tally.Counts()
		r.refreshTrips, r.refreshSeries = t2-t1, s2-s1
	}
	t1, s1 = st.tally.Counts()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, r.err = bench.RunQueries(ctx, promAPI(st.tallyURL), queries, m.end); r.err != nil {
		return r
	}
	runtime.ReadMemStats(&after)
	r.baseAlloc = after.TotalAlloc - before.TotalAlloc
	t2, s2 := st.tally.Counts()
	r.baseTrips, r.baseSeries = t2-t1, s2-s1

	// Timed runs, straight to the store.
	ours := func() error {
		in := pp.instance(st.url, s.settings, m.step)
		start := time.Now()
		if _, err := pp.queryMap(ctx, in, s.rng, m.end, rateInterval); err != nil {
			return err
		}
		r.ours = append(r.ours, time.Since(start))
		if !s.refresh {
			return nil
		}
		start = time.Now()
		if _, err := pp.queryMap(ctx, in, s.rng, later, rateInterval); err != nil {
			return fmt.Errorf("refresh: %w", err)
		}
		r.refresh = append(r.refresh, time.Since(start))
		if !s.moved {
			return nil
		}
		in = pp.instance(st.url, s.settings, m.step)
		if _, err := pp.queryMap(ctx, in, s.rng, m.end.Add(-gridBlock), rateInterval); err != nil {
			return fmt.Errorf("before the blocks moved: %w", err)
		}
		start = time.Now()
		if _, err := pp.queryMap(ctx, in, s.rng, m.end, rateInterval); err != nil {
			return fmt.Errorf("refresh after the blocks moved: %w", err)
		}
		r.moved = append(r.moved, time.Since(start))
		return nil
	}
	base := func() error {
		d, err := bench.Time(1, func() error { _, err := bench.RunQueries(ctx, promAPI(st.url), queries, m.end); return err })
		r.base = append(r.base, d...)
		return err
	}
	for i := range runs {
		first, second := ours, base
		if i%2 == 1 {
			first, second = base, ours
		}
		if r.err = first(); r.err != nil {
			return r
		}
		if r.err = second(); r.err != nil {
			return r
		}
	}
	return r
}
