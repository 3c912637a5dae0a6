package main

import (
	"context"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// syntheticResult is a mesh too big to backfill, decoded from replayed answers.
type syntheticResult struct {
	services, edges, series int
	decode, join, frame     time.Duration
	// nodes are the map's nodes after top-N folding; zoneNodes with groupByZone.
	nodes, zoneNodes, others int
	zoneJoin                 time.Duration
}

// The synthetic meshes spread services over three zones and report Envoy's 20 buckets.
const (
	syntheticZones   = 3
	syntheticBuckets = 20
)

// decodeSynthetic builds the mesh and times decoding its answers; the series cap is
// lifted so that the join sees every series.
func decodeSynthetic(ctx context.Context, services, edges, runs int) (*syntheticResult, *bench.Synthetic, sample.Set, graph.Options, error) {
	r := &syntheticResult{services: services, edges: edges}
	syn, err := bench.NewSynthetic(services, edges, syntheticZones, syntheticBuckets)
	if err != nil {
		return nil, nil, sample.Set{}, graph.Options{}, err
	}
	r.series = syn.Series
	pc, err := syn.Client()
	if err != nil {
		return nil, nil, sample.Set{}, graph.Options{}, err
	}
	var set sample.Set
	logf("synthetic %d services / %d edges: %d series, decoding", services, edges, syn.Series)
	dec, err := bench.Time(runs, func() (err error) { set, err = pc.FetchMeshSamples(ctx, bench.SyntheticQuery); return })
	if err != nil {
		return nil, nil, sample.Set{}, graph.Options{}, err
	}
	r.decode = bench.Median(dec)
	normaliser, err := naming.NewNormaliser("")
	if err != nil {
		return nil, nil, sample.Set{}, graph.Options{}, err
	}
	return r, syn, set, graph.Options{Normaliser: normaliser}, nil
}

// measureSynthetic times the join and the frames against decoding the same answers,
// and shows how top-N folding and group-by-zone keep the map readable.
func measureSynthetic(ctx context.Context, services, edges, runs int) (*syntheticResult, error) {
	r, syn, set, opts, err := decodeSynthetic(ctx, services, edges, runs)
	if err != nil {
		return nil, err
	}
	logf("joining")
	var g graph.Graph
	join, _ := bench.Time(runs, func() error { g = graph.Build(syn.Topology, set, opts); return nil })
	fr, _ := bench.Time(runs, func() error { frames.NodeGraph(g, frames.LinkOptions{Mesh: "default"}); return nil })
	r.join, r.frame, r.nodes = bench.Median(join), bench.Median(fr), len(g.Nodes)
	for _, n := range g.Nodes {
		if n.Kind == graph.KindOther {
			r.others += len(n.Folded)
		}
	}
	opts.GroupByZone = true
	zj, _ := bench.Time(runs, func() error { g = graph.Build(syn.Topology, set, opts); return nil })
	r.zoneJoin, r.zoneNodes = bench.Median(zj), len(g.Nodes)
	return r, nil
}
