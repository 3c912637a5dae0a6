package meshsim_test

import (
	"math"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

func TestLatency(t *testing.T) {
	buckets := meshsim.Latency{Buckets: []meshsim.LatencyBucket{{LeMs: 5, Share: 0.2}, {LeMs: 20, Share: 0.5}, {LeMs: 100, Share: 0.3}}}
	for _, tc := range []struct {
		name   string
		l      meshsim.Latency
		q      float64
		lo, hi float64
	}{
		{"buckets p50 (20 ms counts in the 25 ms bucket)", buckets, 0.5, 10, 25},
		{"buckets p20 on a bound", buckets, 0.2, 1, 5},
		{"buckets p99", buckets, 0.99, 50, 100},
		{"log-normal median", meshsim.Latency{MedianMs: 30, Spread: 2}, 0.5, 25, 50},
		{"log-normal p99", meshsim.Latency{MedianMs: 30, Spread: 2}, 0.99, 100, 250},
		{"default is 10 ms", meshsim.Latency{}, 0.5, 5, 10},
		{"beyond the last bound", meshsim.Latency{MedianMs: 1e8, Spread: 2}, 0.5, 3600000, math.Inf(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if lo, hi := tc.l.QuantileBucket(tc.q); lo != tc.lo || hi != tc.hi {
				t.Errorf("q%g in [%g, %g], want [%g, %g]", tc.q, lo, hi, tc.lo, tc.hi)
			}
			cdf := tc.l.CDF()
			for i := 1; i < len(cdf); i++ {
				if cdf[i] < cdf[i-1] || cdf[i] > 1 {
					t.Fatalf("CDF not monotone within [0, 1]: %v", cdf)
				}
			}
		})
	}
}
