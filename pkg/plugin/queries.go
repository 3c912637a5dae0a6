package plugin

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/concurrent"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// queryHandler answers one decoded query.
type queryHandler func(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse

// queryHandlers is the one table that routes a query type to its handler; models.LoadQuery
// alone decides a query's type (Grafana sends it empty for a query whose JSON has none).
func (ds *Datasource) queryHandlers() map[string]queryHandler {
	return map[string]queryHandler{
		models.QueryTypeMeshes:       ds.frameQuery(ds.meshes),
		models.QueryTypeZones:        ds.frameQuery(ds.zones),
		models.QueryTypeServices:     ds.frameQuery(ds.services),
		models.QueryTypeDataplanes:   ds.frameQuery(ds.dataplanes),
		models.QueryTypeWorkloads:    ds.frameQuery(ds.workloads),
		models.QueryTypeGateways:     ds.frameQuery(ds.gateways),
		models.QueryTypeMeshInsights: ds.frameQuery(ds.meshInsights),
		models.QueryTypeMeshGraph:    ds.meshGraph,
		models.QueryTypeServiceStats: ds.serviceStats,
		models.QueryTypeCallees:      ds.callees,
	}
}

// maxConcurrentQueries bounds the queries of one request answered at once: a map query
// fans out to four Prometheus and six CP calls, so a request with hundreds of queries
// must not become thousands of simultaneous calls.
const maxConcurrentQueries = 8

// answerAll answers the queries of one request concurrently, each with its own response;
// a panic fails only the query that raised it.
func (ds *Datasource) answerAll(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	return concurrent.QueryData(ctx, req, func(ctx context.Context, cq concurrent.Query) backend.DataResponse {
		return ds.answer(ctx, cq.DataQuery)
	}, maxConcurrentQueries)
}

// answer decodes one query and runs its handler. A panic anywhere in it (decoding, the
// handler, or one of the handler's goroutines) fails this query alone with a 500 that
// names its type.
func (ds *Datasource) answer(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	var q models.Query
	ctx, cancel := ds.withQueryDeadline(ctx)
	defer cancel()
	resp, err := safe.Do("query "+strconv.Quote(dq.RefID), func() (backend.DataResponse, error) {
		var err error
		if q, err = models.LoadQuery(dq, ds.settings.Prometheus.ScrapeInterval); err != nil {
			return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error()), nil
		}
		h, ok := ds.handlers[q.QueryType]
		if !ok {
			return backend.DataResponse{}, fmt.Errorf("%w: no handler", safe.ErrPanic)
		}
		if err := ds.resolveZones(ctx, &q); err != nil {
			return errorResponse(err), nil
		}
		return h(ctx, q, dq), nil
	})
	if err == nil && errors.Is(resp.Error, safe.ErrPanic) {
		err = resp.Error
	}
	if err != nil {
		return errorResponse(fmt.Errorf("query type %q: %w", q.QueryType, err))
	}
	return resp
}

// resolveZones turns the community `zone` pattern into the CP's zone names it matches.
func (ds *Datasource) resolveZones(ctx context.Context, q *models.Query) error {
	if q.ZonePattern == nil || !models.FiltersZones(q.QueryType) {
		return nil
	}
	zones, err := inventory.FetchZones(ctx, ds.cp)
	if err != nil {
		return fmt.Errorf("zone %q is a pattern, and the control plane's zones could not be listed: %w", q.Zone, err)
	}
	names := make([]string, 0, len(zones))
	for _, z := range zones {
		names = append(names, z.Name)
	}
	if err := q.ResolveZones(names); err != nil {
		return fmt.Errorf("%w: %w", errBadQuery, err)
	}
	return nil
}

// frameQuery adapts a CP look-up that yields one frame into a query handler.
func (ds *Datasource) frameQuery(fetch func(ctx context.Context, q models.Query) (*data.Frame, error)) queryHandler {
	return func(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse {
		frame, err := fetch(ctx, q)
		if err != nil {
			return errorResponse(explainMeshError(q.Mesh, err))
		}
		frame.RefID = dq.RefID
		return backend.DataResponse{Frames: data.Frames{frame}}
	}
}

func (ds *Datasource) meshes(ctx context.Context, _ models.Query) (*data.Frame, error) {
	meshes, err := ds.cp.Meshes(ctx)
	if err != nil {
		return nil, err
	}
	return frames.Meshes(meshes), nil
}

func (ds *Datasource) zones(ctx context.Context, _ models.Query) (*data.Frame, error) {
	zones, err := inventory.FetchZones(ctx, ds.cp)
	if err != nil {
		return nil, err
	}
	return frames.Zones(zones), nil
}

func (ds *Datasource) services(ctx context.Context, q models.Query) (*data.Frame, error) {
	services, err := ds.serviceInventory(ctx, q.Mesh)
	if err != nil {
		return nil, err
	}
	return frames.Services(inventory.ServicesInZones(services, q.Zones)), nil
}

// serviceInventory lists a mesh's services from the same (cached) CP resources as the map,
// so table and map agree.
func (ds *Datasource) serviceInventory(ctx context.Context, mesh string) ([]inventory.Service, error) {
	res, err := ds.topologies.Get(ctx, mesh)
	if err != nil {
		return nil, err
	}
	return inventory.Services(res), nil
}

func (ds *Datasource) dataplanes(ctx context.Context, q models.Query) (*data.Frame, error) {
	filters := []kuma.DataplaneFilter{{}}
	if q.Service != "" {
		filters = ds.serviceProxyFilters(ctx, q.Mesh, q.Service)
	}
	// A service's MeshServices may select other workloads in other zones: one list each.
	var overviews []kuma.DataplaneOverview
	seen := map[string]bool{}
	for _, f := range filters {
		list, err := ds.cp.Dataplanes(ctx, q.Mesh, f)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if !seen[o.Name] {
				seen[o.Name] = true
				overviews = append(overviews, o)
			}
		}
	}
	return frames.Dataplanes(inventory.DataplanesInZones(inventory.Dataplanes(overviews), q.Zones)), nil
}

// serviceProxyFilters select a service's proxies. Kuma 3.0 dropped kuma.io/service tags:
// there each MeshService selects its proxies by workload (which the CP's tag filter also
// matches) or by other labels, and the MeshServices of one name in several zones may
// select different workloads.
func (ds *Datasource) serviceProxyFilters(ctx context.Context, mesh, service string) []kuma.DataplaneFilter {
	if res, err := ds.topologies.Get(ctx, mesh); err == nil {
		named, lookups := inventory.ServiceWorkloads(res, service)
		var filters []kuma.DataplaneFilter
		for _, w := range inventory.MergeWorkloads("", named) {
			filters = append(filters, kuma.DataplaneFilter{Tags: map[string]string{kuma.LabelWorkload: w.Name}})
		}
		for _, l := range lookups {
			filters = append(filters, l.Filter)
		}
		if len(filters) > 0 {
			return filters
		}
	}
	return []kuma.DataplaneFilter{{Tags: map[string]string{kuma.TagService: service}}}
}

// workloads lists the workloads behind q.Service (every MeshService's without one): named
// by the MeshService's selector, or read from the labels of the dataplanes it selects.
func (ds *Datasource) workloads(ctx context.Context, q models.Query) (*data.Frame, error) {
	res, err := ds.topologies.Get(ctx, q.Mesh)
	if err != nil {
		return nil, err
	}
	list, lookups := inventory.ServiceWorkloads(res, q.Service)
	// One selector the CP cannot answer must not hide every other workload.
	var notices []data.Notice
	for _, l := range lookups {
		dps, err := ds.cp.Dataplanes(ctx, q.Mesh, l.Filter)
		if err != nil {
			notices = append(notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: fmt.Sprintf("workloads of %s unknown: %v", l.Service, err)})
			continue
		}
		list = append(list, inventory.DataplaneWorkloads(l, dps)...)
	}
	frame := frames.Workloads(inventory.MergeWorkloads(q.Service, list))
	if len(notices) > 0 {
		frame.AppendNotices(notices...)
	}
	return frame, nil
}

func (ds *Datasource) gateways(ctx context.Context, q models.Query) (*data.Frame, error) {
	overviews, err := ds.cp.Dataplanes(ctx, q.Mesh, kuma.DataplaneFilter{Gateway: kuma.GatewayFilterOnly})
	if err != nil {
		return nil, err
	}
	return frames.Gateways(inventory.Gateways(overviews)), nil
}

func (ds *Datasource) meshInsights(ctx context.Context, q models.Query) (*data.Frame, error) {
	insight, err := ds.cp.MeshInsight(ctx, q.Mesh)
	if err != nil {
		return nil, err
	}
	return frames.MeshInsights([]kuma.MeshInsight{*insight}), nil
}
