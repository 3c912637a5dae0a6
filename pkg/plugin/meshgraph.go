package plugin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// meshGraph answers the service map: CP topology and Prometheus samples are fetched at
// the same time, joined by the pure graph package and rendered as node-graph frames. When
// one side fails the other still draws, with a notice naming the failure.
func (ds *Datasource) meshGraph(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse {
	opts, err := graphOptions(q)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	var (
		wg      sync.WaitGroup
		res     inventory.MeshResources
		cpErr   error
		samples sample.Set
		promErr error
	)
	wg.Go(func() {
		res, cpErr = safe.Do("control-plane topology", func() (inventory.MeshResources, error) { return ds.meshResources(ctx, q.Mesh) })
	})
	wg.Go(func() {
		samples, promErr = safe.Do("Prometheus samples", func() (sample.Set, error) { return ds.meshSamples(ctx, q, dq.TimeRange) })
	})
	wg.Wait()

	if cpErr != nil {
		cpErr = ds.explainMeshError(ctx, q.Mesh, cpErr)
		if errors.Is(cpErr, errUnknownMesh) || promErr != nil {
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

// graphOptions validates the user's regexes once, so that building cannot fail.
func graphOptions(q models.Query) (graph.Options, error) {
	normaliser, err := naming.NewNormaliser(q.RollupRegEx)
	if err != nil {
		return graph.Options{}, fmt.Errorf("rollupRegEx: %w", err)
	}
	opts := graph.Options{Normaliser: normaliser, Zones: q.Zones, HideIdle: q.HideIdle, MaxNodes: q.MaxNodes, GroupByZone: q.GroupByZone,
		ZoneSide: zoneSides[q.ZoneSide]}
	if q.ServiceRegex != "" {
		if opts.ServiceRegex, err = regexp.Compile(q.ServiceRegex); err != nil {
			return graph.Options{}, fmt.Errorf("serviceRegex: %w", err)
		}
	}
	return opts, nil
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

// meshResources fetches the mesh's topology, shared by concurrent panels and kept briefly.
func (ds *Datasource) meshResources(ctx context.Context, mesh string) (inventory.MeshResources, error) {
	return ds.topologies.Get(ctx, mesh, func(ctx context.Context) (inventory.MeshResources, error) {
		var r inventory.MeshResources
		fetches := []func() error{
			func() (err error) { r.Insights, err = ds.cp.ServiceInsights(ctx, mesh); return },
			func() (err error) { r.MeshServices, err = optional(ds.cp.MeshServices(ctx, mesh)); return },
			func() (err error) {
				r.MultiZoneServices, err = optional(ds.cp.MeshMultiZoneServices(ctx, mesh))
				return
			},
			func() (err error) { r.ExternalServices, err = optional(ds.cp.MeshExternalServices(ctx, mesh)); return },
			func() (err error) {
				r.LegacyExternalServices, err = optional(ds.cp.ExternalServices(ctx, mesh))
				return
			},
			func() (err error) {
				r.GatewayDataplanes, err = ds.cp.Dataplanes(ctx, mesh, kuma.DataplaneFilter{Gateway: kuma.GatewayFilterOnly})
				return
			},
		}
		errs := make([]error, len(fetches))
		var wg sync.WaitGroup
		for i, fetch := range fetches {
			wg.Go(func() { errs[i] = safe.Run("control-plane fetch", fetch) })
		}
		wg.Wait()
		return r, errors.Join(errs...)
	})
}

// optional treats an endpoint this CP version does not have as empty: older CPs lack the
// MeshService family, Kuma 3.0 dropped others.
func optional[T any](items []T, err error) ([]T, error) {
	if errors.Is(err, kuma.ErrNoSuchEndpoint) {
		return nil, nil
	}
	return items, err
}
