package plugin

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// serviceStats answers the map's numbers as data-plane frames, which alerting accepts
// (node-graph frames it refuses). Unlike the map it has no partial answer: a number
// computed without one side is a wrong number (no traffic reads as no errors), so either
// side failing fails the query and an alert rule shows its error state.
func (ds *Datasource) serviceStats(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse {
	spec := frames.StatsSpec{Mesh: q.Mesh, Scope: q.Scope, Stats: q.StatsWanted, Services: q.ServicePattern}
	var out data.Frames
	if q.Format == models.FormatTimeSeries {
		points, err := ds.statsGraphsOver(ctx, q, dq)
		if err != nil {
			return errorResponse(err)
		}
		out = frames.ServiceStatsSeries(points, spec)
	} else {
		g, err := ds.statsGraph(ctx, q, dq.TimeRange)
		if err != nil {
			return errorResponse(err)
		}
		out = data.Frames{frames.ServiceStats(g, spec)}
	}
	for _, f := range out {
		f.RefID = dq.RefID
	}
	return backend.DataResponse{Frames: out}
}

// statsGraph is the map's join over one time range, with both sides required.
func (ds *Datasource) statsGraph(ctx context.Context, q models.Query, tr backend.TimeRange) (graph.Graph, error) {
	in, err := ds.joinInputs(ctx, q, tr)
	if err != nil {
		return graph.Graph{}, err
	}
	if err := errors.Join(in.cpErr, in.promErr); err != nil {
		return graph.Graph{}, err
	}
	return graph.Build(inventory.GraphTopology(in.res), in.samples, statsOptions(q)), nil
}

// statsOptions are the map's options without folding or hiding: every service and edge
// is its own alert instance, whatever the mesh's size.
func statsOptions(q models.Query) graph.Options {
	opts := graphOptions(q)
	opts.MaxNodes, opts.HideIdle = math.MaxInt, false
	return opts
}

// maxSteps bounds the points of one range answer: each point is the map's four
// Prometheus queries.
const maxSteps = 100

// concurrentSteps bounds the points computed at once.
const concurrentSteps = 4

// stepTimes are the times of a range answer's points and the step between them: the
// query's interval, at least prom.MinWindow (increase() needs two scrapes) and widened to
// at most maxSteps points; times are multiples of the step, so refreshes keep them.
func stepTimes(tr backend.TimeRange, interval time.Duration) ([]time.Time, time.Duration) {
	step := max(interval, prom.MinWindow, tr.To.Sub(tr.From)/maxSteps).Truncate(time.Second)
	var times []time.Time
	for t := tr.To.Truncate(step); t.After(tr.From) && len(times) < maxSteps; t = t.Add(-step) {
		times = append(times, t)
	}
	for i, j := 0, len(times)-1; i < j; i, j = i+1, j-1 {
		times[i], times[j] = times[j], times[i]
	}
	return times, step
}

// statsGraphsOver is the map at every step of the range, each over the window before it:
// rateInterval when set, else the step (so the points are the map's numbers over
// consecutive, non-overlapping windows).
func (ds *Datasource) statsGraphsOver(ctx context.Context, q models.Query, dq backend.DataQuery) ([]frames.TimedGraph, error) {
	times, step := stepTimes(dq.TimeRange, dq.Interval)
	window, _ := q.StatsWindow()
	if window == 0 {
		window = step
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	points := make([]frames.TimedGraph, len(times))
	errs := make([]error, len(times))
	sem := make(chan struct{}, concurrentSteps)
	var wg sync.WaitGroup
	for i, t := range times {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			g, err := safe.Do("service-stats at "+t.Format(time.RFC3339), func() (graph.Graph, error) {
				return ds.statsGraph(ctx, q, backend.TimeRange{From: t.Add(-window), To: t})
			})
			if err != nil {
				cancel() // one missing point fails the answer: stop the others
			}
			points[i], errs[i] = frames.TimedGraph{Time: t, Graph: g}, err
		})
	}
	wg.Wait()
	// A peer's failure is the cause; the cancellations follow from it.
	var canceled error
	for _, err := range errs {
		switch {
		case err == nil:
		case !errors.Is(err, context.Canceled):
			return nil, err
		case canceled == nil:
			canceled = err
		}
	}
	if canceled != nil {
		return nil, canceled
	}
	return points, nil
}
