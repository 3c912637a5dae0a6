package graph

import (
	"cmp"
	"math"
	"slices"
)

// histogram is a cumulative Prometheus histogram: its buckets by ascending upper
// bound. Merging sums counts per bound, which is only correct before any quantile
// is taken; that is why series are merged here and never their quantiles. A sorted
// slice, not a map: the join adds every bucket series of a map to one (some 20 bounds
// each), and hashing floats took a third of it.
type histogram []bucket

type bucket struct{ le, count float64 }

func (h *histogram) add(le, count float64) {
	i, found := slices.BinarySearchFunc(*h, le, func(b bucket, le float64) int { return cmp.Compare(b.le, le) })
	if found {
		(*h)[i].count += count
		return
	}
	*h = slices.Insert(*h, i, bucket{le, count})
}

func (h *histogram) merge(o histogram) {
	for _, b := range o {
		h.add(b.le, b.count)
	}
}

// quantile estimates the q-quantile like PromQL's histogram_quantile:
// linear interpolation inside the bucket that holds the rank, the lower
// bound of the first bucket taken as 0, and the last finite bound returned
// when the rank falls into +Inf. It returns NaN without a +Inf bucket or
// observations.
func (h histogram) quantile(q float64) float64 {
	if len(h) < 2 || !math.IsInf(h[len(h)-1].le, 1) {
		return math.NaN()
	}
	counts := make([]float64, len(h))
	for i, b := range h {
		counts[i] = b.count
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
	case b == len(h)-1:
		return h[len(h)-2].le
	case b == 0 && h[0].le <= 0:
		return h[0].le
	}
	start, prev := 0.0, 0.0
	if b > 0 {
		start, prev = h[b-1].le, counts[b-1]
	}
	inBucket := counts[b] - prev
	return start + (h[b].le-start)*((rank-prev)/inBucket)
}
