package plugin

import (
	"context"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// queryHandler answers one decoded query.
type queryHandler func(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse

// newQueryMux routes each query type to its handler. Unknown types reach the fallback,
// where LoadQuery names the problem for that query alone.
func (ds *Datasource) newQueryMux() *datasource.QueryTypeMux {
	mux := datasource.NewQueryTypeMux()
	handlers := map[string]queryHandler{
		models.QueryTypeMeshes:       ds.frameQuery(ds.meshes),
		models.QueryTypeZones:        ds.frameQuery(ds.zones),
		models.QueryTypeServices:     ds.frameQuery(ds.services),
		models.QueryTypeDataplanes:   ds.frameQuery(ds.dataplanes),
		models.QueryTypeGateways:     ds.frameQuery(ds.gateways),
		models.QueryTypeMeshInsights: ds.frameQuery(ds.meshInsights),
		models.QueryTypeMeshGraph:    ds.meshGraph,
	}
	for queryType, h := range handlers {
		mux.HandleFunc(queryType, each(ds.bounded(h)))
	}
	mux.HandleFunc("", each(nil))
	return mux
}

// maxConcurrentQueries bounds the queries of one request answered at once: a map query
// fans out to four Prometheus and five CP calls, so a request with hundreds of queries
// must not become thousands of simultaneous calls.
const maxConcurrentQueries = 8

// each answers the queries of one request concurrently, each with its own response.
func each(h queryHandler) backend.QueryDataHandlerFunc {
	return func(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
		resp := backend.NewQueryDataResponse()
		var mu sync.Mutex
		var wg sync.WaitGroup
		slots := make(chan struct{}, maxConcurrentQueries)
		for _, dq := range req.Queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				slots <- struct{}{}
				defer func() { <-slots }()
				r := answer(ctx, dq, h)
				mu.Lock()
				resp.Responses[dq.RefID] = r
				mu.Unlock()
			}()
		}
		wg.Wait()
		return resp, nil
	}
}

func answer(ctx context.Context, dq backend.DataQuery, h queryHandler) backend.DataResponse {
	q, err := models.LoadQuery(dq)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	return h(ctx, q, dq)
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
	zones, err := ds.cp.Zones(ctx)
	if err != nil {
		return nil, err
	}
	return frames.Zones(inventory.Zones(zones)), nil
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
		filter.Tags = ds.serviceProxyTags(ctx, q.Mesh, q.Service)
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

// serviceProxyTags is the tag filter that selects a service's proxies. Kuma 3.0 dropped
// kuma.io/service tags: there a MeshService selects its proxies by kuma.io/workload, which
// the CP's tag filter also matches.
func (ds *Datasource) serviceProxyTags(ctx context.Context, mesh, service string) map[string]string {
	if res, err := ds.meshResources(ctx, mesh); err == nil {
		for _, ms := range res.MeshServices {
			if sel := ms.Spec.Selector; ms.DisplayName() == service && sel != nil && sel.DataplaneLabels != nil {
				if w := sel.DataplaneLabels.MatchLabels[kuma.LabelWorkload]; w != "" {
					return map[string]string{kuma.LabelWorkload: w}
				}
			}
		}
	}
	return map[string]string{kuma.TagService: service}
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
