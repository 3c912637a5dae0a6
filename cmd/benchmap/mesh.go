package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
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
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// families are the only metric families either side queries; backfilling the rest of a
// big mesh would cost gigabytes and change nothing. Histograms go by their family name
// (envoy_cluster_upstream_rq_time), not by their _bucket series.
var families = regexp.MustCompile(`^envoy_(cluster_upstream_rq_(xx|total|time)|cluster_grpc_.*failure|` +
	`cluster_upstream_cx_(rx_bytes_total|tx_bytes_total|total)|http_downstream_rq_(xx|total|time))$`)

// meshResult is one generated mesh measured on one real Prometheus.
type meshResult struct {
	services, edges, proxies, series int
	nodes, edgesDrawn                int
	oursTrips, baseTrips             int64
	oursSeries, baseSeries           int
	cpRequests, communityCPRequests  int64
	ours, base                       []time.Duration
	decode, join, frame              time.Duration
	oursAlloc, baseAlloc             uint64
	oursRSS, baseRSS                 int64
	truncated                        []string
	burst                            burstResult
	// perQuery times every query of both sides alone, one after the other.
	perQuery   []queryTiming
	ourQueries map[string]string
}

type queryTiming struct {
	side, name string
	series     int
	median     time.Duration
}

type burstResult struct {
	n                   int
	cpRequests          int64
	promTrips           int64
	oneFetch            int64
	identical           int
	difference          string
	wall                time.Duration
	heapBefore, heapMax uint64
	alloc               uint64
}

func measureMesh(ctx context.Context, tb *bench.TB, o options, services, fanout int) (*meshResult, error) {
	topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: services, FanOut: fanout, Zones: o.zones, Seed: o.seed})
	if err != nil {
		return nil, err
	}
	end := time.Now().Truncate(o.step)
	history := o.window + 2*o.step
	sim, err := meshsim.New(topo, meshsim.Options{Start: end.Add(-history)})
	if err != nil {
		return nil, err
	}
	m := &meshResult{services: services, edges: len(topo.Edges), proxies: len(sim.Targets())}
	cp := &bench.CountingHandler{Next: sim.Handler()}
	cpSrv := httptest.NewServer(cp)
	defer cpSrv.Close()

	logf("mesh %d services / %d edges: backfilling %s of %d targets", services, m.edges, history, m.proxies)
	dataDir := promtest.Backfill(tb, ctx, func(w io.Writer) error {
		return sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: end, Duration: history, Step: o.step, Family: families.MatchString})
	})
	srv := promtest.Start(tb, promtest.Options{DataDir: dataDir})
	count, err := srv.Query(ctx, `count({__name__=~"envoy_.+"})`, end)
	if err != nil || len(count) != 1 {
		return nil, fmt.Errorf("counting series: %v", err)
	}
	m.series = int(count[0].Value)
	from := end.Add(-o.window)
	tr := backend.TimeRange{From: from, To: end}

	// Round trips: both sides once through a counting proxy in front of Prometheus.
	trips := &bench.CountingHandler{Next: httputil.NewSingleHostReverseProxy(mustURL(srv.URL))}
	tripSrv := httptest.NewServer(trips)
	defer tripSrv.Close()
	before := cp.Count()
	res, err := queryMap(ctx, newDatasource(cpSrv.URL, tripSrv.URL), tr)
	if err != nil {
		return nil, err
	}
	m.oursTrips, m.cpRequests = trips.Count(), cp.Count()-before
	m.nodes, m.edgesDrawn = res[0].Rows(), res[1].Rows()
	m.truncated = notices(res[0], "more than")
	queries := bench.CommunityQueries("default", "", o.window)
	if m.baseSeries, err = bench.RunQueries(ctx, promAPI(tripSrv.URL), queries, end); err != nil {
		return nil, err
	}
	m.baseTrips = trips.Count() - m.oursTrips
	// The community plugin listed service insights page by page (100 a page).
	before = cp.Count()
	kc, err := kuma.NewClient(kuma.Options{BaseURL: cpSrv.URL, PageSize: 100})
	if err != nil {
		return nil, err
	}
	if _, err := kc.ServiceInsights(ctx, "default"); err != nil {
		return nil, err
	}
	m.communityCPRequests = cp.Count() - before

	// Wall time, alternating sides so that drift in the machine's load hits both. Each
	// run is cold: a new data source (no cached topology, new connections) and a new
	// Prometheus client for the baseline.
	logf("timing %d runs per side", o.runs)
	ours := func() error {
		_, err := queryMap(ctx, newDatasource(cpSrv.URL, srv.URL), tr)
		return err
	}
	base := func() error {
		_, err := bench.RunQueries(ctx, promAPI(srv.URL), queries, end)
		return err
	}
	if err := ours(); err != nil { // warm Prometheus' caches for both
		return nil, err
	}
	if err := base(); err != nil {
		return nil, err
	}
	for range o.runs {
		d, err := bench.Time(1, ours)
		if err != nil {
			return nil, err
		}
		m.ours = append(m.ours, d...)
		if d, err = bench.Time(1, base); err != nil {
			return nil, err
		}
		m.base = append(m.base, d...)
	}
	m.oursAlloc, m.oursRSS, err = footprint(ours)
	if err != nil {
		return nil, err
	}
	if m.baseAlloc, m.baseRSS, err = footprint(base); err != nil {
		return nil, err
	}
	if err := overhead(ctx, m, o, srv.URL, cpSrv.URL, from, end); err != nil {
		return nil, err
	}
	if m.perQuery, err = timeEachQuery(ctx, srv.URL, m.ourQueries, queries, end, o.runs); err != nil {
		return nil, err
	}
	// The burst goes through the counting proxy to count its PromQL round trips.
	if m.burst, err = burst(ctx, cp, trips, cpSrv.URL, tripSrv.URL, tr, o.concurrency); err != nil {
		return nil, err
	}
	return m, nil
}

// overhead times what the plugin itself does with Prometheus' answers: decoding
// (replayed from memory, no network), the join and the frames.
func overhead(ctx context.Context, m *meshResult, o options, promURL, cpURL string, from, to time.Time) error {
	rec := &bench.Recorder{Next: http.DefaultTransport}
	pc, err := prom.New(promURL, &http.Client{Transport: rec})
	if err != nil {
		return err
	}
	q := prom.MeshQuery{Mesh: "default", From: from, To: to}
	if _, err := pc.FetchMeshSamples(ctx, q); err != nil {
		return err
	}
	// Replayed as the plugin queries by default: the latency answer in its shards, each
	// decoded as it comes.
	replay, err := prom.New("http://replay.invalid", &http.Client{Transport: &bench.Replay{Bodies: rec.Bodies}},
		prom.WithShards(models.DefaultPrometheusShards))
	if err != nil {
		return err
	}
	m.ourQueries = rec.Queries
	m.oursSeries = 0
	for _, b := range rec.Bodies {
		m.oursSeries += strings.Count(string(b), `"metric":`)
	}
	topo, err := topology(ctx, cpURL)
	if err != nil {
		return err
	}
	normaliser, err := naming.NewNormaliser("")
	if err != nil {
		return err
	}
	opts := graph.Options{Normaliser: normaliser}
	var (
		set sample.Set
		g   graph.Graph
	)
	// The first replay cuts the recorded latency answer into its shards: not timed.
	if _, err := replay.FetchMeshSamples(ctx, q); err != nil {
		return err
	}
	dec, err := bench.Time(o.runs, func() (err error) { set, err = replay.FetchMeshSamples(ctx, q); return })
	if err != nil {
		return err
	}
	join, _ := bench.Time(o.runs, func() error { g = graph.Build(topo, set, opts); return nil })
	fr, _ := bench.Time(o.runs, func() error { frames.NodeGraph(g, frames.LinkOptions{Mesh: "default"}); return nil })
	m.decode, m.join, m.frame = bench.Median(dec), bench.Median(join), bench.Median(fr)
	return nil
}

// timeEachQuery runs each of our sub-queries and each baseline query alone, so the
// report shows where Prometheus spends the time.
func timeEachQuery(ctx context.Context, promURL string, ours map[string]string, base []string, at time.Time, runs int) ([]queryTiming, error) {
	api := promAPI(promURL)
	var out []queryTiming
	one := func(side, name, q string) error {
		var n int
		d, err := bench.Time(runs, func() (err error) { n, err = bench.RunQueries(ctx, api, []string{q}, at); return })
		if err != nil {
			return err
		}
		out = append(out, queryTiming{side: side, name: name, series: n, median: bench.Median(d)})
		return nil
	}
	for _, name := range []string{"requests", "latency", "tcp", "inbound"} {
		if err := one("ours", name, ours[name]); err != nil {
			return nil, err
		}
	}
	for i, q := range base {
		if err := one("baseline", fmt.Sprintf("%d: %s", i+1, q), q); err != nil {
			return nil, err
		}
	}
	return out, nil
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

// sameTolerance is the relative difference allowed between two answers' floats.
const sameTolerance = 1e-9

// burst fires n refreshes of one map at one data source at once, as a dashboard with n
// panels (or n viewers) would, counts the CP requests they cause, and compares every
// answer with an uncached one.
func burst(ctx context.Context, cp, trips *bench.CountingHandler, cpURL, promURL string, tr backend.TimeRange, n int) (burstResult, error) {
	r := burstResult{n: n}
	before := cp.Count()
	want, err := queryMap(ctx, newDatasource(cpURL, promURL), tr)
	if err != nil {
		return r, err
	}
	r.oneFetch = cp.Count() - before
	ds := newDatasource(cpURL, promURL)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.heapBefore, r.heapMax = ms.HeapInuse, ms.HeapInuse
	allocBefore := ms.TotalAlloc
	stop := make(chan struct{})
	sampled := make(chan uint64)
	go func() { // sample the heap while the burst runs
		peak := uint64(0)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				sampled <- peak
				return
			case <-t.C:
			}
		}
	}()
	before, tripsBefore := cp.Count(), trips.Count()
	answers := make([]data.Frames, n)
	errs := make([]error, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			answers[i], errs[i] = queryMap(ctx, ds, tr)
		})
	}
	wg.Wait()
	r.wall = time.Since(start)
	close(stop)
	r.heapMax = max(r.heapMax, <-sampled)
	r.cpRequests, r.promTrips = cp.Count()-before, trips.Count()-tripsBefore
	runtime.ReadMemStats(&ms)
	r.alloc = ms.TotalAlloc - allocBefore
	for i := range n {
		if errs[i] != nil {
			return r, errs[i]
		}
		if err := bench.SameFrames(want, answers[i], sameTolerance); err == nil {
			r.identical++
		} else {
			r.difference = err.Error()
		}
	}
	return r, nil
}

// footprint runs f once and reports the bytes it allocated and the process's peak RSS.
func footprint(f func() error) (uint64, int64, error) {
	runtime.GC()
	bench.ResetPeakRSS()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := f(); err != nil {
		return 0, 0, err
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, bench.PeakRSS(), nil
}

func newDatasource(cpURL, promURL string) *plugin.Datasource {
	inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "bench", Type: plugin.ID, URL: cpURL, JSONData: []byte(`{"prometheusUrl":"` + promURL + `"}`)})
	if err != nil {
		panic(bench.Failure{Msg: err.Error()})
	}
	return inst.(*plugin.Datasource)
}

// queryMap asks the data source for the mesh's map, as Grafana does.
func queryMap(ctx context.Context, ds *plugin.Datasource, tr backend.TimeRange) (data.Frames, error) {
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: "mesh-graph", JSON: []byte(`{"queryType":"mesh-graph","mesh":"default"}`), TimeRange: tr}}})
	if err != nil {
		return nil, err
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		return nil, r.Error
	}
	if len(r.Frames) < 2 {
		return nil, fmt.Errorf("map: %d frames, want nodes and edges", len(r.Frames))
	}
	return r.Frames, nil
}

// notices are the frame's notices whose text contains substr.
func notices(f *data.Frame, substr string) []string {
	var out []string
	if f.Meta == nil {
		return nil
	}
	for _, n := range f.Meta.Notices {
		if strings.Contains(n.Text, substr) {
			out = append(out, n.Text)
		}
	}
	return out
}

func promAPI(u string) v1.API {
	// A transport of its own: every baseline run opens its connections, as ours does.
	c, err := api.NewClient(api.Config{Address: u, Client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}})
	if err != nil {
		panic(bench.Failure{Msg: err.Error()})
	}
	return v1.NewAPI(c)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(bench.Failure{Msg: err.Error()})
	}
	return u
}
