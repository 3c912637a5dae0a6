package inventory

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/cache"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// A dashboard refresh asks for the same topology from several panels at once; a few
// seconds of caching turns that into one CP fetch without showing stale inventories.
const (
	topologyTTL     = 5 * time.Second
	maxCachedMeshes = 256
)

// Topologies fetches meshes' topologies from one CP: concurrent callers share one fetch,
// and an answer is kept for a few seconds.
type Topologies struct {
	cp    *kuma.Client
	cache *cache.Cache[MeshResources]
}

// NewTopologies fetches from cp.
func NewTopologies(cp *kuma.Client) *Topologies {
	return &Topologies{cp: cp, cache: cache.New[MeshResources](topologyTTL, maxCachedMeshes)}
}

// Get returns the mesh's topology, from the cache or a shared fetch.
func (t *Topologies) Get(ctx context.Context, mesh string) (MeshResources, error) {
	return t.cache.Get(ctx, mesh, func(ctx context.Context) (MeshResources, error) { return Fetch(ctx, t.cp, mesh) })
}

// Fetch reads every CP resource the service map and the service tables draw from: six
// concurrent calls. Endpoints a CP version does not have count as empty.
func Fetch(ctx context.Context, cp *kuma.Client, mesh string) (MeshResources, error) {
	var r MeshResources
	fetches := []func() error{
		func() (err error) { r.Insights, err = cp.ServiceInsights(ctx, mesh); return },
		func() (err error) { r.MeshServices, err = optional(cp.MeshServices(ctx, mesh)); return },
		func() (err error) { r.MultiZoneServices, err = optional(cp.MeshMultiZoneServices(ctx, mesh)); return },
		func() (err error) { r.ExternalServices, err = optional(cp.MeshExternalServices(ctx, mesh)); return },
		func() (err error) { r.LegacyExternalServices, err = optional(cp.ExternalServices(ctx, mesh)); return },
		func() (err error) {
			r.GatewayDataplanes, err = cp.Dataplanes(ctx, mesh, kuma.DataplaneFilter{Gateway: kuma.GatewayFilterOnly})
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
}

// optional treats an endpoint this CP version does not have as empty: older CPs lack the
// MeshService family, Kuma 3.0 dropped others.
func optional[T any](items []T, err error) ([]T, error) {
	if errors.Is(err, kuma.ErrNoSuchEndpoint) {
		return nil, nil
	}
	return items, err
}

// FetchZones lists the CP's zones. A CP whose list may be its own lone zone (one zone,
// not online) is asked whether it runs alone, so that it reports that zone as itself.
func FetchZones(ctx context.Context, cp *kuma.Client) ([]Zone, error) {
	overviews, err := cp.Zones(ctx)
	if err != nil {
		return nil, err
	}
	if !MayBeAlone(overviews) {
		return Zones(overviews, nil), nil
	}
	return Zones(overviews, alone(ctx, cp)), nil
}

// alone describes the CP when it is not federated, from its config and index; nil when
// it is federated, or when it cannot tell (the zone list then stands as the CP gave it).
func alone(ctx context.Context, cp *kuma.Client) *Alone {
	var (
		wg               sync.WaitGroup
		cfg              *kuma.CPConfig
		idx              *kuma.Index
		cfgErr, indexErr error
	)
	wg.Go(func() { cfg, cfgErr = safe.Do("CP config", func() (*kuma.CPConfig, error) { return cp.Config(ctx) }) })
	wg.Go(func() { idx, indexErr = safe.Do("CP index", func() (*kuma.Index, error) { return cp.Index(ctx) }) })
	wg.Wait()
	if cfgErr != nil || indexErr != nil || cfg.Federated() {
		return nil
	}
	return &Alone{Zone: cfg.Multizone.Zone.Name, Version: idx.Version}
}
