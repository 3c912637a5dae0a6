package graph

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// syntheticMesh builds n legacy k8s services spread over 3 zones, each
// calling 3 others with requests by class and a full latency histogram.
func syntheticMesh(n int) (Topology, sample.Set) {
	bounds := []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, math.Inf(1)}
	name := func(i int) string { return fmt.Sprintf("svc-%d_ns-%d_svc_8080", i, i%7) }
	var topo Topology
	set := sample.Set{Regime: naming.RegimeLegacy, Window: time.Hour}
	for i := range n {
		zone := fmt.Sprintf("zone-%d", i%3)
		topo.Services = append(topo.Services, Service{Name: name(i), Info: Info{Kind: KindInternal, Zones: []string{zone},
			Status: StatusOnline, Dataplanes: Dataplanes{Online: 2, Total: 2}}})
		for k := 1; k <= 3; k++ {
			dst := name((i*7 + k) % n)
			for _, class := range []string{"2xx", "4xx", "5xx"} {
				set.Samples = append(set.Samples, upstream(sample.Requests, name(i), zone, dst, class, 0, float64(i*k)))
			}
			for j, le := range bounds {
				set.Samples = append(set.Samples, upstream(sample.LatencyBucket, name(i), zone, dst, "", le, float64(i*k*(j+1))))
			}
		}
	}
	return topo, set
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			topo, set := syntheticMesh(n)
			opts := Options{Normaliser: mustNormaliser(b, naming.DefaultRollupRegEx), MaxNodes: DefaultMaxNodes}
			b.ReportAllocs()
			for b.Loop() {
				Build(topo, set, opts)
			}
		})
	}
}
