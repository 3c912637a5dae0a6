package graph

import (
	"math"
	"testing"
)

func TestHistogramQuantile(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		h    histogram
		q    float64
		want float64
	}{
		// 100 observations: 50 ≤10ms, 90 ≤100ms, all ≤1000ms.
		{"median at bucket edge", histogram{10: 50, 100: 90, 1000: 100, inf: 100}, 0.5, 10},
		{"p95 interpolated", histogram{10: 50, 100: 90, 1000: 100, inf: 100}, 0.95, 100 + 900*0.5},
		{"p25 in first bucket from 0", histogram{10: 50, 100: 90, 1000: 100, inf: 100}, 0.25, 5},
		{"p99 in +Inf gives last finite bound", histogram{10: 50, 100: 90, inf: 100}, 0.99, 100},
		{"non-monotonic evened out", histogram{10: 50, 100: 40, inf: 100}, 0.5, 10},
		{"no +Inf", histogram{10: 50, 100: 90}, 0.5, math.NaN()},
		{"no observations", histogram{10: 0, inf: 0}, 0.5, math.NaN()},
		{"single bucket", histogram{inf: 5}, 0.5, math.NaN()},
		{"negative first bound", histogram{-1: 10, inf: 10}, 0.5, -1},
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
	merged.merge(histogram{10: 90, 100: 100, inf: 100}) // fast caller
	merged.merge(histogram{10: 0, 100: 10, inf: 10})    // slow caller
	// 110 observations, 90 ≤10ms, 110 ≤100ms: p50 rank 55 → 10*55/90.
	if got, want := merged.quantile(0.5), 10*55.0/90; math.Abs(got-want) > 1e-9 {
		t.Errorf("p50 = %v, want %v", got, want)
	}
}

// envoyHistogram is Envoy's bounds with cumulative counts of 1000 requests whose
// p50 is 10 ms, p95 about 100 ms and all under 5 s, scaled by f, and +Inf = inf.
func envoyHistogram(f, inf float64) histogram {
	h := histogram{math.Inf(1): inf}
	for _, b := range []struct{ le, count float64 }{{0.5, 0}, {1, 10}, {5, 200}, {10, 500}, {25, 700}, {50, 850}, {100, 950},
		{250, 980}, {500, 990}, {1000, 995}, {2500, 999}, {5000, 1000}, {10000, 1000}, {30000, 1000}, {60000, 1000},
		{300000, 1000}, {600000, 1000}, {1800000, 1000}, {EnvoyTopBoundMs, 1000}} {
		h[b.le] = f * b.count
	}
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
		{"not Envoy's top bound", histogram{10: 50, 100: 90, inf: 100}, false, 100},
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
