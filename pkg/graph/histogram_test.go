package graph

import (
	"cmp"
	"math"
	"testing"
)

// hist builds a histogram from bound → count.
func hist(counts map[float64]float64) histogram {
	var h histogram
	for le, c := range counts {
		h.add(le, c)
	}
	return h
}

func TestHistogramQuantile(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		h    histogram
		q    float64
		want float64
	}{
		// 100 observations: 50 ≤10ms, 90 ≤100ms, all ≤1000ms.
		{"median at bucket edge", hist(map[float64]float64{10: 50, 100: 90, 1000: 100, inf: 100}), 0.5, 10},
		{"p95 interpolated", hist(map[float64]float64{10: 50, 100: 90, 1000: 100, inf: 100}), 0.95, 100 + 900*0.5},
		{"p25 in first bucket from 0", hist(map[float64]float64{10: 50, 100: 90, 1000: 100, inf: 100}), 0.25, 5},
		{"p99 in +Inf gives last finite bound", hist(map[float64]float64{10: 50, 100: 90, inf: 100}), 0.99, 100},
		{"non-monotonic evened out", hist(map[float64]float64{10: 50, 100: 40, inf: 100}), 0.5, 10},
		{"no +Inf", hist(map[float64]float64{10: 50, 100: 90}), 0.5, math.NaN()},
		{"no observations", hist(map[float64]float64{10: 0, inf: 0}), 0.5, math.NaN()},
		{"single bucket", hist(map[float64]float64{inf: 5}), 0.5, math.NaN()},
		{"negative first bound", hist(map[float64]float64{-1: 10, inf: 10}), 0.5, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.quantile(tt.q)
			if math.IsNaN(tt.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tt.want) > 1e-9) {
				t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// Merging buckets and then taking the quantile differs from the max of the
// per-series quantiles; this pins the merge semantics.
func TestHistogramMergeBeforeQuantile(t *testing.T) {
	inf := math.Inf(1)
	var merged histogram
	merged.merge(hist(map[float64]float64{10: 90, 100: 100, inf: 100})) // fast caller
	merged.merge(hist(map[float64]float64{10: 0, 100: 10, inf: 10}))    // slow caller
	// 110 observations, 90 ≤10ms, 110 ≤100ms: p50 rank 55 → 10*55/90.
	if got, want := merged.quantile(0.5), 10*55.0/90; math.Abs(got-want) > 1e-9 {
		t.Errorf("p50 = %v, want %v", got, want)
	}
}

// envoyHistogram is Envoy's bounds with cumulative counts of 1000 requests whose
// p50 is 10 ms, p95 about 100 ms and all under 5 s, scaled by f, and +Inf = inf.
func envoyHistogram(f, inf float64) histogram {
	var h histogram
	for _, b := range []bucket{{0.5, 0}, {1, 10}, {5, 200}, {10, 500}, {25, 700}, {50, 850}, {100, 950},
		{250, 980}, {500, 990}, {1000, 995}, {2500, 999}, {5000, 1000}, {10000, 1000}, {30000, 1000}, {60000, 1000},
		{300000, 1000}, {600000, 1000}, {1800000, 1000}, {EnvoyTopBoundMs, 1000}} {
		h.add(b.le, f*b.count)
	}
	h.add(math.Inf(1), inf)
	return h
}

// TestHistogramPlausible: finite buckets short of +Inf by more than a request in a
// hundred above Envoy's hour are a split histogram, whose quantiles come from the
// finite buckets; a smaller excess, or a histogram whose top bound is not Envoy's
// hour, is taken as it is.
func TestHistogramPlausible(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name       string
		h          histogram
		finiteOnly bool
		p99        float64
	}{
		{"whole", envoyHistogram(1, 1000), false, 500},
		// The window's le="1" and le="1.0" series merged: 95 % of the finite counts
		// (the switch lost 5 %), +Inf whole. Over all buckets p99 reads the hour.
		{"split", envoyHistogram(0.95, 1000), true, 500},
		// 5 in 1005 took over an hour: p99 (rank 994.95) stays in (500, 1000].
		{"a few hour-long requests", envoyHistogram(1, 1005), false, 500 + 500*(0.99*1005-990)/5},
		{"not Envoy's top bound", histogram{{10, 50}, {100, 90}, {inf, 100}}, false, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, finiteOnly := tt.h.plausible()
			if finiteOnly != tt.finiteOnly {
				t.Errorf("finiteOnly = %v, want %v", finiteOnly, tt.finiteOnly)
			}
			if got := h.quantile(0.99); math.Abs(got-tt.p99) > 1e-6 {
				t.Errorf("p99 = %v, want %v", got, tt.p99)
			}
		})
	}
	if got := envoyHistogram(0.95, 1000).quantile(0.99); got != EnvoyTopBoundMs {
		t.Errorf("the split histogram's p99 over all buckets = %v, want the hour this guards against", got)
	}
}

// TestHistogramMergeEqualsAdds: merging walks both histograms in order; it must come
// to what adding each bucket does, for bounds in any order, NaN and ±Inf included.
func TestHistogramMergeEqualsAdds(t *testing.T) {
	bounds := []float64{math.NaN(), math.Inf(-1), -1, 0, 0.5, 1, 10, 1e6, math.Inf(1)}
	for seed := range 50 {
		var a, b, merged, added histogram
		for i := range 2 * len(bounds) {
			le := bounds[(i*7+seed*3)%len(bounds)]
			if (i+seed)%3 == 0 {
				a.add(le, float64(i+1))
			} else {
				b.add(le, float64(i+1))
			}
		}
		merged.merge(a)
		merged.merge(b)
		for _, h := range []histogram{a, b} {
			for _, bk := range h {
				added.add(bk.le, bk.count)
			}
		}
		if len(merged) != len(added) {
			t.Fatalf("seed %d: merged %v, added %v", seed, merged, added)
		}
		for i := range merged {
			if !sameBound(merged[i].le, added[i].le) || merged[i].count != added[i].count || (i > 0 && !cmp.Less(merged[i-1].le, merged[i].le)) {
				t.Fatalf("seed %d: merged %v, added %v", seed, merged, added)
			}
		}
	}
}

func sameBound(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
