package plugin

import (
	"context"
	"sync"

	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// zoneList lists the CP's zones. A CP whose list may be its own lone zone (one zone, not
// online) is asked whether it runs alone, so that it reports that zone as itself.
func (ds *Datasource) zoneList(ctx context.Context) ([]inventory.Zone, error) {
	overviews, err := ds.cp.Zones(ctx)
	if err != nil {
		return nil, err
	}
	if !inventory.MayBeAlone(overviews) {
		return inventory.Zones(overviews, nil), nil
	}
	return inventory.Zones(overviews, ds.alone(ctx)), nil
}

// alone describes the CP when it is not federated, from its config and index; nil when
// it is federated, or when it cannot tell (the zone list then stands as the CP gave it).
func (ds *Datasource) alone(ctx context.Context) *inventory.Alone {
	var (
		wg               sync.WaitGroup
		cfg              *kuma.CPConfig
		idx              *kuma.Index
		cfgErr, indexErr error
	)
	wg.Go(func() { cfg, cfgErr = ds.cp.Config(ctx) })
	wg.Go(func() { idx, indexErr = ds.cp.Index(ctx) })
	wg.Wait()
	if cfgErr != nil || indexErr != nil || cfg.Federated() {
		return nil
	}
	return &inventory.Alone{Zone: cfg.Multizone.Zone.Name, Version: idx.Version}
}
