package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// meshGraph answers the service map: CP topology and Prometheus samples are fetched at
// the same time, joined by the pure graph package and rendered as node-graph frames. When
// one side fails the other still draws, with a notice naming the failure.
func (ds *Datasource) meshGraph(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse {
	health, err := q.Health(ds.settings.Health)
	if err != nil {
		return errorResponse(fmt.Errorf("%w: %w", errBadQuery, err))
	}
	in, err := ds.joinInputs(ctx, q, dq.TimeRange)
	if err != nil {
		return errorResponse(err)
	}
	if in.cpErr != nil {
		if errors.Is(in.cpErr, kuma.ErrUnknownMesh) || in.promErr != nil {
			return errorResponse(errors.Join(in.cpErr, in.promErr))
		}
		in.samples.Notices = append(in.samples.Notices, sample.Notice{Severity: sample.SeverityWarning,
			Text: "control plane unavailable, the map is drawn from metrics alone: " + in.cpErr.Error()})
	}
	if in.promErr != nil {
		in.samples.Notices = append(in.samples.Notices, sample.Notice{Severity: sample.SeverityWarning,
			Text: "Prometheus unavailable, the map shows the control plane's services without traffic: " + in.promErr.Error()})
	}
	g := graph.Build(inventory.GraphTopology(in.res), in.samples, graphOptions(q))
	out := frames.NodeGraph(g, frames.LinkOptions{Mesh: q.Mesh, Data: ds.settings.Links, Health: health})
	for _, f := range out {
		f.RefID = dq.RefID
	}
	return backend.DataResponse{Frames: out}
}

// joined holds the join's two inputs for one time range, each with its side's failure.
type joined struct {
	res     inventory.MeshResources
	cpErr   error
	samples sample.Set
	promErr error
}

// joinInputs fetches the CP topology and the Prometheus samples at the same time. A bug
// (a recovered panic) on either side is the error; a peer's failure is left to the
// caller, which decides whether the other side alone is an answer.
func (ds *Datasource) joinInputs(ctx context.Context, q models.Query, tr backend.TimeRange) (joined, error) {
	var (
		wg sync.WaitGroup
		in joined
	)
	wg.Go(func() {
		in.res, in.cpErr = safe.Do("control-plane topology", func() (inventory.MeshResources, error) { return ds.topologies.Get(ctx, q.Mesh) })
	})
	wg.Go(func() {
		in.samples, in.promErr = safe.Do("Prometheus samples", func() (sample.Set, error) { return ds.meshSamples(ctx, q, tr) })
	})
	wg.Wait()
	for _, err := range []error{in.cpErr, in.promErr} {
		if errors.Is(err, safe.ErrPanic) {
			return joined{}, err
		}
	}
	if in.cpErr != nil {
		in.cpErr = explainMeshError(q.Mesh, in.cpErr)
	}
	return in, nil
}

// zoneSides maps the query's zoneSide (validated by models) to the graph's.
var zoneSides = map[string]graph.ZoneSide{
	models.ZoneSideSource:      graph.ZoneSideSource,
	models.ZoneSideDestination: graph.ZoneSideDestination,
	models.ZoneSideAny:         graph.ZoneSideAny,
}

// graphOptions are the join's options; models.LoadQuery compiled the expressions.
func graphOptions(q models.Query) graph.Options {
	return graph.Options{Normaliser: q.Rollup, ServiceRegex: q.ServicePattern, Zones: q.Zones, HideIdle: q.HideIdle,
		MaxNodes: q.MaxNodes, GroupByZone: q.GroupByZone, ZoneSide: zoneSides[q.ZoneSide],
		Focus: q.Focus, Depth: q.Depth, Direction: graph.Direction(q.Direction), ShowZoneProxies: q.ShowZoneProxies}
}

func (ds *Datasource) meshSamples(ctx context.Context, q models.Query, tr backend.TimeRange) (sample.Set, error) {
	if ds.prom == nil {
		return sample.Set{}, errors.New("no Prometheus URL is set in the data source")
	}
	from := tr.From
	window, _ := q.StatsWindow()
	if window > 0 && tr.To.Add(-window).After(from) {
		from = tr.To.Add(-window)
	}
	// What refreshes is a panel's own range: a rateInterval window stays short, and the
	// points of a time series are windows that do not slide.
	mq := prom.MeshQuery{Mesh: q.Mesh, From: from, To: tr.To, ZoneProxies: q.ShowZoneProxies,
		Incremental: window == 0 && q.Format != models.FormatTimeSeries}
	// Prometheus can select the reporting proxies' zones only; a destination's zone is
	// decided per sample by the graph, from cluster names and the CP.
	if q.ZoneSide == models.ZoneSideSource {
		mq.Zones = q.Zones
	}
	return ds.prom.FetchMeshSamples(ctx, mq)
}
