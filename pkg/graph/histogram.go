package graph

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// histogram is a cumulative Prometheus histogram: its buckets by ascending upper
// bound. Merging sums counts per bound, which is only correct before any quantile
// is taken; that is why series are merged here and never their quantiles. A sorted
// slice, not a map: the join adds every bucket series of a map to one (some 20 bounds
// each), and hashing floats took a third of it.
type histogram []bucket

type bucket struct{ le, count float64 }

// envoyBuckets is how many buckets Envoy's default latency histogram has (19 bounds and
// +Inf): a histogram's first bucket reserves room for them, so that filling it costs one
// allocation rather than one per doubling.
const envoyBuckets = 20

// add adds count to the bucket of bound le. Bounds are ordered as cmp.Compare orders
// them (NaN first, equal to itself). The search starts at the end: a series' buckets
// come mostly in ascending order (Prometheus returns them in le's text order).
func (h *histogram) add(le, count float64) {
	b := *h
	if b == nil {
		*h = append(make(histogram, 0, envoyBuckets), bucket{le, count})
		return
	}
	i := len(b)
	for i > 0 && cmp.Less(le, b[i-1].le) {
		i--
	}
	if i > 0 && !cmp.Less(b[i-1].le, le) {
		b[i-1].count += count
		return
	}
	*h = slices.Insert(b, i, bucket{le, count})
}

// merge adds o's buckets, walking both in order. Histograms merged into a node or an
// edge mostly have the same bounds (Envoy's): while the bounds agree, buckets add up
// pairwise without a search.
func (h *histogram) merge(o histogram) {
	if len(*h) == 0 {
		*h = append((*h)[:0], o...)
		return
	}
	i := 0
	for b := *h; i < len(o) && i < len(b) && equalBounds(b[i].le, o[i].le); i++ {
		b[i].count += o[i].count
	}
	for _, ob := range o[i:] {
		for i < len(*h) && cmp.Less((*h)[i].le, ob.le) {
			i++
		}
		if i < len(*h) && !cmp.Less(ob.le, (*h)[i].le) {
			(*h)[i].count += ob.count
			continue
		}
		*h = slices.Insert(*h, i, ob)
	}
}

// equalBounds is cmp.Compare's equality without its ordering work: equal, or both NaN.
func equalBounds(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// EnvoyTopBoundMs is the largest finite bound of Envoy's latency histograms (one hour).
// Envoy fills its buckets from the same observations, so +Inf can exceed this bucket
// only by requests that took longer than an hour.
const EnvoyTopBoundMs = 3_600_000

// implausibleShare is the share of requests above EnvoyTopBoundMs beyond which the
// finite buckets are taken to have lost counts rather than to hold hour-long requests:
// 1 % is where p99 would read the top bound.
const implausibleShare = 0.01

// plausible returns h, or, when h ends at Envoy's top bound or above and its +Inf
// bucket exceeds the finite ones by more than implausibleShare, h over its finite
// buckets alone (+Inf lowered to their count) and true. That happens when a bucket's
// series changed its le text within the window (Prometheus 3 scrapes "1.0" where
// Prometheus 2 kept Envoy's "1"): each finite bound's two series each miss the other's
// part of the window, while "+Inf", the same in both forms, stays one whole series.
// Quantiles over the finite buckets are then close to the truth; over all of them they
// would read minutes or an hour.
func (h histogram) plausible() (histogram, bool) {
	if len(h) < 2 || !math.IsInf(h[len(h)-1].le, 1) {
		return h, false
	}
	finite := 0.0
	for _, b := range h[:len(h)-1] {
		finite = max(finite, b.count)
	}
	all := h[len(h)-1].count
	if h[len(h)-2].le < EnvoyTopBoundMs || all-finite <= implausibleShare*all {
		return h, false
	}
	out := slices.Clone(h)
	out[len(out)-1].count = finite
	return out, true
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
	// On the stack for Envoy's buckets: finish takes three quantiles of every edge.
	var buf [2 * envoyBuckets]float64
	counts := buf[:0]
	if len(h) > len(buf) {
		counts = make([]float64, 0, len(h))
	}
	counts = counts[:len(h)]
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

// splitBucketsNotice explains quantiles taken over the finite buckets alone
// (Latency.FiniteOnly) on any edge; the nodes' histograms are their edges' merged.
func splitBucketsNotice(edges []Edge) *sample.Notice {
	n := 0
	for _, e := range edges {
		if e.Stats.Latency.FiniteOnly {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &sample.Notice{Severity: sample.SeverityWarning, Text: fmt.Sprintf(
		"Latency of %d edge(s): more requests above Envoy's top bucket (1 h) than is plausible, so the latency buckets "+
			"were stored under two le forms within the range (\"1\" and \"1.0\": a Prometheus 2 → 3 upgrade, or a backfill "+
			"meeting live scrapes). Their p50/p95/p99 are computed over the finite buckets only; a range after the change is exact.", n)}
}
