package graph

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
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
	top, finite := math.Inf(-1), 0.0
	for le, c := range h {
		if !math.IsInf(le, 1) {
			top, finite = max(top, le), max(finite, c)
		}
	}
	all, ok := h[math.Inf(1)]
	if !ok || top < EnvoyTopBoundMs || all-finite <= implausibleShare*all {
		return h, false
	}
	out := maps.Clone(h)
	out[math.Inf(1)] = finite
	return out, true
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
