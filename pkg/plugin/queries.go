package plugin

import (
	"context"
	"fmt"

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

func (ds *Datasource) answer(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	q, err := models.LoadQuery(dq, ds.settings.Prometheus.ScrapeInterval)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	h, ok := ds.handlers[q.QueryType]
	if !ok {
		return backend.ErrDataResponse(backend.StatusInternal, fmt.Sprintf("query type %q has no handler", q.QueryType))
	}
	resp, err := safe.Do(fmt.Sprintf("query type %q", q.QueryType), func() (backend.DataResponse, error) {
		if err := ds.resolveZones(ctx, &q); err != nil {
			return errorResponse(err), nil
		}
		return h(ctx, q, dq), nil
	})
	if err != nil {
		return backend.ErrDataResponse(backend.StatusInternal, err.Error())
	}
	return resp
}

// resolveZones turns the community `zone` pattern into the CP's zone names it matches.
func (ds *Datasource) resolveZones(ctx context.Context, q *models.Query) error {
	if q.ZonePattern == nil || !models.FiltersZones(q.QueryType) {
		return nil
	}
	zones, err := ds.zoneList(ctx)
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
			return errorResponse(ds.explainMeshError(ctx, q.Mesh, err))
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
	zones, err := ds.zoneList(ctx)
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
	return frames.Services(filterZones(services, q.Zones)), nil
}

// serviceInventory lists a mesh's services from the same (cached) CP resources as the map,
// so table and map agree.
func (ds *Datasource) serviceInventory(ctx context.Context, mesh string) ([]inventory.Service, error) {
	res, err := ds.meshResources(ctx, mesh)
	if err != nil {
		return nil, err
	}
	return inventory.Services(res), nil
}

func (ds *Datasource) dataplanes(ctx context.Context, q models.Query) (*data.Frame, error) {
	filter := kuma.DataplaneFilter{}
	if q.Service != "" {
		filter = ds.serviceProxyFilter(ctx, q.Mesh, q.Service)
	}
	overviews, err := ds.cp.Dataplanes(ctx, q.Mesh, filter)
	if err != nil {
		return nil, err
	}
	dps := inventory.Dataplanes(overviews)
	if len(q.Zones) > 0 {
		kept := dps[:0]
		for _, d := range dps {
			if containsString(q.Zones, d.Zone) {
				kept = append(kept, d)
			}
		}
		dps = kept
	}
	return frames.Dataplanes(dps), nil
}

// serviceProxyFilter selects a service's proxies. Kuma 3.0 dropped kuma.io/service tags:
// there a MeshService selects its proxies by workload (which the CP's tag filter also
// matches) or by other labels.
func (ds *Datasource) serviceProxyFilter(ctx context.Context, mesh, service string) kuma.DataplaneFilter {
	if res, err := ds.meshResources(ctx, mesh); err == nil {
		named, lookups := inventory.ServiceWorkloads(res, service)
		switch {
		case len(named) > 0:
			return kuma.DataplaneFilter{Tags: map[string]string{kuma.LabelWorkload: named[0].Name}}
		case len(lookups) > 0:
			return lookups[0].Filter
		}
	}
	return kuma.DataplaneFilter{Tags: map[string]string{kuma.TagService: service}}
}

// workloads lists the workloads behind q.Service (every MeshService's without one): named
// by the MeshService's selector, or read from the labels of the dataplanes it selects.
func (ds *Datasource) workloads(ctx context.Context, q models.Query) (*data.Frame, error) {
	res, err := ds.meshResources(ctx, q.Mesh)
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

func filterZones(services []inventory.Service, zones []string) []inventory.Service {
	if len(zones) == 0 {
		return services
	}
	kept := services[:0]
	for _, s := range services {
		for _, z := range s.Zones {
			if containsString(zones, z) {
				kept = append(kept, s)
				break
			}
		}
	}
	return kept
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
