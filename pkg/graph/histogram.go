package graph

import (
	"math"
	"slices"
)

// histogram is a cumulative Prometheus histogram: upper bound → count.
// Merging sums counts per bound, which is only correct before any quantile
// is taken; that is why series are merged here and never their quantiles.
type histogram map[float64]float64

func (h *histogram) add(le, count float64) {
	if *h == nil {
		*h = histogram{}
	}
	(*h)[le] += count
}

func (h *histogram) merge(o histogram) {
	for le, c := range o {
		h.add(le, c)
	}
}

// quantile estimates the q-quantile like PromQL's histogram_quantile:
// linear interpolation inside the bucket that holds the rank, the lower
// bound of the first bucket taken as 0, and the last finite bound returned
// when the rank falls into +Inf. It returns NaN without a +Inf bucket or
// observations.
func (h histogram) quantile(q float64) float64 {
	bounds := make([]float64, 0, len(h))
	for le := range h {
		bounds = append(bounds, le)
	}
	slices.Sort(bounds)
	if len(bounds) < 2 || !math.IsInf(bounds[len(bounds)-1], 1) {
		return math.NaN()
	}
	counts := make([]float64, len(bounds))
	for i, le := range bounds {
		counts[i] = h[le]
		// Counter resets and scrapes at different times can make merged
		// buckets non-monotonic; Prometheus evens them out the same way.
		if i > 0 && counts[i] < counts[i-1] {
			counts[i] = counts[i-1]
		}
	}
	total := counts[len(counts)-1]
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	b, _ := slices.BinarySearchFunc(counts, rank, func(c, r float64) int {
		if c < r {
			return -1
		}
		return 1
	})
	switch {
	case b == len(bounds)-1:
		return bounds[len(bounds)-2]
	case b == 0 && bounds[0] <= 0:
		return bounds[0]
	}
	start, prev := 0.0, 0.0
	if b > 0 {
		start, prev = bounds[b-1], counts[b-1]
	}
	inBucket := counts[b] - prev
	return start + (bounds[b]-start)*((rank-prev)/inBucket)
}
