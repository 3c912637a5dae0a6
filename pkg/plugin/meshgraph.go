package plugin

import (
	"context"
	"errors"
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
	opts := graphOptions(q)
	var (
		wg      sync.WaitGroup
		res     inventory.MeshResources
		cpErr   error
		samples sample.Set
		promErr error
	)
	wg.Go(func() {
		res, cpErr = safe.Do("control-plane topology", func() (inventory.MeshResources, error) { return ds.topologies.Get(ctx, q.Mesh) })
	})
	wg.Go(func() {
		samples, promErr = safe.Do("Prometheus samples", func() (sample.Set, error) { return ds.meshSamples(ctx, q, dq.TimeRange) })
	})
	wg.Wait()

	// A bug is not an outage of a peer: no partial map.
	for _, err := range []error{cpErr, promErr} {
		if errors.Is(err, safe.ErrPanic) {
			return errorResponse(err)
		}
	}
	if cpErr != nil {
		cpErr = explainMeshError(q.Mesh, cpErr)
		if errors.Is(cpErr, kuma.ErrUnknownMesh) || promErr != nil {
			return errorResponse(errors.Join(cpErr, promErr))
		}
		samples.Notices = append(samples.Notices, sample.Notice{Severity: sample.SeverityWarning,
			Text: "control plane unavailable, the map is drawn from metrics alone: " + cpErr.Error()})
	}
	if promErr != nil {
		samples.Notices = append(samples.Notices, sample.Notice{Severity: sample.SeverityWarning,
			Text: "Prometheus unavailable, the map shows the control plane's services without traffic: " + promErr.Error()})
	}
	g := graph.Build(inventory.GraphTopology(res), samples, opts)
	out := frames.NodeGraph(g, frames.LinkOptions{Mesh: q.Mesh})
	for _, f := range out {
		f.RefID = dq.RefID
	}
	return backend.DataResponse{Frames: out}
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
		MaxNodes: q.MaxNodes, GroupByZone: q.GroupByZone, ZoneSide: zoneSides[q.ZoneSide]}
}

func (ds *Datasource) meshSamples(ctx context.Context, q models.Query, tr backend.TimeRange) (sample.Set, error) {
	if ds.prom == nil {
		return sample.Set{}, errors.New("no Prometheus URL is set in the data source")
	}
	from := tr.From
	if window, _ := q.StatsWindow(); window > 0 && tr.To.Add(-window).After(from) {
		from = tr.To.Add(-window)
	}
	mq := prom.MeshQuery{Mesh: q.Mesh, From: from, To: tr.To}
	// Prometheus can select the reporting proxies' zones only; a destination's zone is
	// decided per sample by the graph, from cluster names and the CP.
	if q.ZoneSide == models.ZoneSideSource {
		mq.Zones = q.Zones
	}
	return ds.prom.FetchMeshSamples(ctx, mq)
}
