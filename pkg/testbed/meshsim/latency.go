package meshsim

import (
	"errors"
	"fmt"
	"math"
)

// EnvoyBucketsMs are Envoy's default histogram bounds (milliseconds); +Inf is implied.
var EnvoyBucketsMs = []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
	30000, 60000, 300000, 600000, 1800000, 3600000}

// Latency is an edge's request-duration distribution: either explicit bucket shares or
// a log-normal given by its median and geometric spread. The zero value means a median
// of 10 ms with spread 2.
type Latency struct {
	// Buckets gives the share of requests at or below each upper bound (ms), as
	// non-cumulative shares; a bound that is not an Envoy bound counts in the next
	// larger Envoy bucket. Shares must add up to 1.
	Buckets []LatencyBucket `yaml:"buckets,omitempty"`
	// MedianMs and Spread describe a log-normal distribution; Spread is the geometric
	// standard deviation (e^sigma) and must be > 1.
	MedianMs float64 `yaml:"medianMs,omitempty"`
	Spread   float64 `yaml:"spread,omitempty"`
}

// LatencyBucket is one share of requests that took at most LeMs milliseconds.
type LatencyBucket struct {
	LeMs  float64 `yaml:"le"`
	Share float64 `yaml:"share"`
}

const (
	defaultMedianMs = 10
	defaultSpread   = 2
	shareTolerance  = 1e-9
)

func (l Latency) validate() error {
	if len(l.Buckets) > 0 {
		if l.MedianMs != 0 || l.Spread != 0 {
			return errors.New("latency: give either buckets or medianMs/spread")
		}
		var sum float64
		for _, b := range l.Buckets {
			if b.Share < 0 || b.LeMs <= 0 {
				return fmt.Errorf("latency bucket le=%g share=%g: both must be positive", b.LeMs, b.Share)
			}
			sum += b.Share
		}
		if math.Abs(sum-1) > shareTolerance {
			return fmt.Errorf("latency bucket shares add up to %g, want 1", sum)
		}
		return nil
	}
	if l.MedianMs < 0 || (l.Spread != 0 && l.Spread <= 1) {
		return fmt.Errorf("latency: medianMs %g must be > 0 and spread %g > 1", l.MedianMs, l.Spread)
	}
	return nil
}

// CDF returns the cumulative share of requests at or below each Envoy bound.
func (l Latency) CDF() []float64 { return l.CDFAt(EnvoyBucketsMs) }

// CDFAt returns the cumulative share of requests at or below each of bounds (ms).
func (l Latency) CDFAt(bounds []float64) []float64 {
	cdf := make([]float64, len(bounds))
	if len(l.Buckets) > 0 {
		for _, b := range l.Buckets {
			for i, le := range bounds {
				if b.LeMs <= le {
					cdf[i] += b.Share
				}
			}
		}
		return clampShares(cdf)
	}
	median, spread := l.MedianMs, l.Spread
	if median == 0 {
		median = defaultMedianMs
	}
	if spread == 0 {
		spread = defaultSpread
	}
	sigma := math.Log(spread)
	for i, le := range bounds {
		cdf[i] = 0.5 * (1 + math.Erf((math.Log(le)-math.Log(median))/(sigma*math.Sqrt2)))
	}
	return clampShares(cdf)
}

// cumulativeCounts scales the CDF at bounds to n observations: histogram buckets.
func (l Latency) cumulativeCounts(bounds []float64, n float64) []float64 {
	counts := l.CDFAt(bounds)
	for i := range counts {
		counts[i] *= n
	}
	return counts
}

// clampShares removes float noise above 1 so that a bucket never exceeds +Inf.
func clampShares(cdf []float64) []float64 {
	for i := range cdf {
		cdf[i] = min(cdf[i], 1)
	}
	return cdf
}

// QuantileBucket returns the bounds (ms) of the Envoy bucket that holds the q-quantile;
// histogram_quantile must answer inside [lo, hi]. hi is +Inf beyond the last bound.
func (l Latency) QuantileBucket(q float64) (lo, hi float64) {
	for i, c := range l.CDF() {
		if c >= q-shareTolerance {
			return lowerBound(i), EnvoyBucketsMs[i]
		}
	}
	return EnvoyBucketsMs[len(EnvoyBucketsMs)-1], math.Inf(1)
}

func lowerBound(i int) float64 {
	if i == 0 {
		return 0
	}
	return EnvoyBucketsMs[i-1]
}

// MeanMs approximates the mean duration from the bucket midpoints; it feeds _sum.
func (l Latency) MeanMs() float64 {
	var mean, prev float64
	for i, c := range l.CDF() {
		mean += (c - prev) * (lowerBound(i) + EnvoyBucketsMs[i]) / 2
		prev = c
	}
	return mean + (1-prev)*EnvoyBucketsMs[len(EnvoyBucketsMs)-1]
}
