package kuma

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
)

// getOne fetches a single object.
func getOne[T any](ctx context.Context, c *Client, segments ...string) (*T, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	var v T
	if err := c.get(ctx, c.url(nil, segments...), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// errEmptyMesh stops a request for /meshes//... before it is sent.
var errEmptyMesh = errors.New("kuma CP: the mesh name is empty")

// meshList lists a mesh-scoped resource: /meshes/{mesh}/{kind}.
func meshList[T any](ctx context.Context, c *Client, mesh, kind string, q url.Values) ([]T, error) {
	if mesh == "" {
		return nil, errEmptyMesh
	}
	return listAll[T](ctx, c, q, "meshes", mesh, kind)
}

// Index is GET /, which needs no authentication: hostname, product, version.
func (c *Client) Index(ctx context.Context) (*Index, error) {
	return getOne[Index](ctx, c)
}

// Config returns the CP's mode (global, zone, standalone) and environment from GET /config.
func (c *Client) Config(ctx context.Context) (*CPConfig, error) {
	return getOne[CPConfig](ctx, c, "config")
}

// Meshes lists all meshes.
func (c *Client) Meshes(ctx context.Context) ([]Mesh, error) {
	return listAll[Mesh](ctx, c, nil, "meshes")
}

// Mesh returns one mesh; an unknown mesh gives an error matching ErrUnknownMesh.
func (c *Client) Mesh(ctx context.Context, name string) (*Mesh, error) {
	if name == "" {
		return nil, errEmptyMesh
	}
	m, err := getOne[Mesh](ctx, c, "meshes", name)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == 404 && !apiErr.plainText {
		// GET /meshes/{name} answers "Could not retrieve a resource": here the
		// resource is the mesh itself.
		apiErr.meshMissing = true
	}
	return m, err
}

// MeshInsights lists the per-mesh insights (computed on global and standalone CPs; a
// zone CP returns an empty list).
func (c *Client) MeshInsights(ctx context.Context) ([]MeshInsight, error) {
	return listAll[MeshInsight](ctx, c, nil, "mesh-insights")
}

// MeshInsight returns one mesh's insight. A zone CP answers 404 (ErrNotFound): it does
// not compute insights.
func (c *Client) MeshInsight(ctx context.Context, mesh string) (*MeshInsight, error) {
	if mesh == "" {
		return nil, errEmptyMesh
	}
	return getOne[MeshInsight](ctx, c, "mesh-insights", mesh)
}

// Zones lists zones with their insights (/zones+insights).
func (c *Client) Zones(ctx context.Context) ([]ZoneOverview, error) {
	return listAll[ZoneOverview](ctx, c, nil, "zones+insights")
}

// ServiceInsights lists a mesh's kuma.io/service insights (always empty on Kuma 3.0).
func (c *Client) ServiceInsights(ctx context.Context, mesh string) ([]ServiceInsight, error) {
	return meshList[ServiceInsight](ctx, c, mesh, "service-insights", nil)
}

// Gateway filter values for DataplaneFilter.Gateway.
const (
	GatewayFilterAll       = ""
	GatewayFilterOnly      = "true"
	GatewayFilterNone      = "false"
	GatewayFilterBuiltin   = "builtin" // rejected (400) by Kuma 3.0
	GatewayFilterDelegated = "delegated"
)

// DataplaneFilter narrows Dataplanes on the CP side.
type DataplaneFilter struct {
	// Gateway is one of the GatewayFilter values.
	Gateway string
	// Tags match inbound (or gateway) tags; each is sent as tag=key:value.
	Tags map[string]string
	// Labels match dataplane labels, sent as filter[labels.key]=value, e.g.
	// {"kuma.io/zone": "zone-1"}.
	Labels map[string]string
	// Name is a substring of the dataplane name.
	Name string
}

// query turns the filter into the CP's query parameters.
func (f DataplaneFilter) query() (url.Values, error) {
	q := url.Values{}
	switch f.Gateway {
	case GatewayFilterAll:
	case GatewayFilterOnly, GatewayFilterNone, GatewayFilterBuiltin, GatewayFilterDelegated:
		q.Set("gateway", f.Gateway)
	default:
		return nil, fmt.Errorf("kuma CP: dataplane gateway filter %q: want \"\", true, false, builtin or delegated", f.Gateway)
	}
	for _, k := range sortedKeys(f.Tags) {
		q.Add("tag", k+":"+f.Tags[k])
	}
	for _, k := range sortedKeys(f.Labels) {
		q.Set("filter[labels."+k+"]", f.Labels[k])
	}
	if f.Name != "" {
		q.Set("name", f.Name)
	}
	return q, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Dataplanes lists a mesh's dataplanes with their insights (/dataplanes+insights).
func (c *Client) Dataplanes(ctx context.Context, mesh string, f DataplaneFilter) ([]DataplaneOverview, error) {
	q, err := f.query()
	if err != nil {
		return nil, err
	}
	return meshList[DataplaneOverview](ctx, c, mesh, "dataplanes+insights", q)
}

// MeshServices lists a mesh's MeshServices.
func (c *Client) MeshServices(ctx context.Context, mesh string) ([]MeshService, error) {
	return meshList[MeshService](ctx, c, mesh, "meshservices", nil)
}

// MeshMultiZoneServices lists a mesh's MeshMultiZoneServices.
func (c *Client) MeshMultiZoneServices(ctx context.Context, mesh string) ([]MeshMultiZoneService, error) {
	return meshList[MeshMultiZoneService](ctx, c, mesh, "meshmultizoneservices", nil)
}

// MeshExternalServices lists a mesh's MeshExternalServices.
func (c *Client) MeshExternalServices(ctx context.Context, mesh string) ([]MeshExternalService, error) {
	return meshList[MeshExternalService](ctx, c, mesh, "meshexternalservices", nil)
}

// ExternalServices lists legacy ExternalServices. Kuma 3.0 has no such endpoint
// (ErrNoSuchEndpoint).
func (c *Client) ExternalServices(ctx context.Context, mesh string) ([]ExternalService, error) {
	return meshList[ExternalService](ctx, c, mesh, "external-services", nil)
}
