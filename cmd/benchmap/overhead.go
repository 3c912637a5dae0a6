package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// overheadResult is what the plugin itself does with one map's answers, in process.
type overheadResult struct {
	services, series    int
	bytes               int // of the answers' JSON
	rng                 time.Duration
	decode, join, frame time.Duration
}

func (o *overheadResult) total() time.Duration { return o.decode + o.join + o.frame }

// overhead times decoding (the store's answers replayed from memory, no network), the
// join and the frames, in this process: the gRPC hop is no part of it.
func overhead(ctx context.Context, m *mesh, st *store, rng time.Duration, runs int) (*overheadResult, error) {
	rec := &bench.Recorder{Next: http.DefaultTransport}
	pc, err := prom.New(st.url, &http.Client{Transport: rec}, prom.WithRecordingRules(false))
	if err != nil {
		return nil, err
	}
	q := prom.MeshQuery{Mesh: "default", From: m.end.Add(-rng), To: m.end}
	if _, err := pc.FetchMeshSamples(ctx, q); err != nil {
		return nil, err
	}
	// Replayed as the plugin queries by default: the latency answer in its shards, each
	// decoded as it comes.
	replay, err := prom.New("http://replay.invalid", &http.Client{Transport: &bench.Replay{Bodies: rec.Bodies}},
		prom.WithShards(models.DefaultPrometheusShards), prom.WithRecordingRules(false))
	if err != nil {
		return nil, err
	}
	r := &overheadResult{services: m.services, rng: rng}
	for _, b := range rec.Bodies {
		r.series += strings.Count(string(b), `"metric":`)
		r.bytes += len(b)
	}
	topo, err := topology(ctx, m.cpURL)
	if err != nil {
		return nil, err
	}
	normaliser, err := naming.NewNormaliser("")
	if err != nil {
		return nil, err
	}
	opts := graph.Options{Normaliser: normaliser}
	var (
		set sample.Set
		g   graph.Graph
	)
	// The first replay cuts the recorded latency answer into its shards: not timed.
	if _, err := replay.FetchMeshSamples(ctx, q); err != nil {
		return nil, err
	}
	dec, err := bench.Time(runs, func() (err error) { set, err = replay.FetchMeshSamples(ctx, q); return })
	if err != nil {
		return nil, err
	}
	join, _ := bench.Time(runs, func() error { g = graph.Build(topo, set, opts); return nil })
	fr, _ := bench.Time(runs, func() error { frames.NodeGraph(g, frames.LinkOptions{Mesh: "default"}); return nil })
	r.decode, r.join, r.frame = bench.Median(dec), bench.Median(join), bench.Median(fr)
	return r, nil
}

// topology reads the mesh's CP resources the map needs, as the plugin does, for timing
// the join alone.
func topology(ctx context.Context, cpURL string) (graph.Topology, error) {
	kc, err := kuma.NewClient(kuma.Options{BaseURL: cpURL})
	if err != nil {
		return graph.Topology{}, err
	}
	r, err := inventory.Fetch(ctx, kc, "default")
	if err != nil {
		return graph.Topology{}, err
	}
	return inventory.GraphTopology(r), nil
}

func promAPI(u string) v1.API {
	// A transport of its own: every baseline run opens its connections, as ours does.
	c, err := api.NewClient(api.Config{Address: u, Client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}})
	if err != nil {
		panic(bench.Failure{Msg: err.Error()})
	}
	return v1.NewAPI(c)
}
