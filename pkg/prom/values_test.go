package prom

import (
	"context"
	"math"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// TestFetchMeshSamplesDropsUnusableValues: the nonfinite fixture mixes one usable
// request count and one usable +Inf bucket with NaN, ±Inf and negative values, a NaN
// and a -Inf bucket bound and a kind no sub-query asks for. Only the two usable
// series may reach the graph: any other would put NaN or Inf into rates and shares.
func TestFetchMeshSamplesDropsUnusableValues(t *testing.T) {
	_, c := newRecording(t, "nonfinite")
	set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	frontend := sample.Proxy{Mesh: "default", Zone: "zone-1", Source: "frontend"}
	want := map[sample.Sample]bool{
		{Kind: sample.Requests, Proxy: frontend, Cluster: "backend", Class: "2xx", Value: 5}:         true,
		{Kind: sample.LatencyBucket, Proxy: frontend, Cluster: "backend", LE: math.Inf(1), Value: 3}: true,
	}
	if len(set.Samples) != len(want) {
		t.Errorf("kept %d samples, want %d: %+v", len(set.Samples), len(want), set.Samples)
	}
	for _, s := range set.Samples {
		if !want[s] {
			t.Errorf("kept %+v", s)
		}
	}
}
