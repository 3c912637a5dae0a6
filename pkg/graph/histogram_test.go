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
