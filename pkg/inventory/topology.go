package inventory

import (
	"slices"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// MeshResources is every CP resource the service map draws nodes from.
type MeshResources struct {
	Insights          []kuma.ServiceInsight
	MeshServices      []kuma.MeshService
	MultiZoneServices []kuma.MeshMultiZoneService
	ExternalServices  []kuma.MeshExternalService
	// LegacyExternalServices are Kuma 2.x ExternalService resources; service insights list
	// them except in meshServices mode Exclusive.
	LegacyExternalServices []kuma.ExternalService
	// GatewayDataplanes are the mesh's gateway proxies (?gateway=true): in Kuma 3.0 and in
	// Exclusive meshes they are the only record of delegated gateways.
	GatewayDataplanes []kuma.DataplaneOverview
}

// GraphTopology turns CP resources into the service map's topology. Counts and statuses
// come from the same merge as the `services` query, so map and table agree.
func GraphTopology(r MeshResources) graph.Topology {
	var topo graph.Topology
	perZone := zoneParts(r.MeshServices)
	for _, s := range Services(r) {
		topo.Services = append(topo.Services, graph.Service{Name: s.Name, Namespace: single(s.Namespaces), PerZone: perZone[s.Name], Info: graph.Info{
			Kind:       graph.Kind(s.Kind),
			Zones:      s.Zones,
			Protocol:   s.Protocol,
			Status:     graph.Status(s.Status),
			Dataplanes: graph.Dataplanes{Online: s.Online, Offline: s.Offline, Total: s.Total},
			MTLS:       s.MTLS,
		}})
	}
	byName := make(map[string]graph.Service, len(topo.Services))
	for _, svc := range topo.Services {
		byName[svc.Name] = svc
	}
	for _, ms := range r.MeshServices {
		sel := ms.Spec.Selector
		if sel == nil || sel.DataplaneLabels == nil || sel.DataplaneLabels.MatchLabels[graph.WorkloadLabel] == "" {
			continue
		}
		// A copy of the service's own entry without counts: it merges into the same node
		// and only teaches the map which workload belongs to the service.
		svc := byName[ms.DisplayName()]
		svc.Dataplanes = graph.Dataplanes{}
		svc.PerZone = slices.Clone(svc.PerZone)
		for i := range svc.PerZone {
			svc.PerZone[i].Dataplanes = graph.Dataplanes{}
		}
		svc.Selector = sel.DataplaneLabels.MatchLabels
		topo.Services = append(topo.Services, svc)
	}
	for _, mz := range r.MultiZoneServices {
		topo.Services = append(topo.Services, graph.Service{Name: mz.DisplayName(), Info: graph.Info{Kind: graph.KindMultiZone, Protocol: protocolOf(mz.Spec.Ports)}})
	}
	return topo
}

// zoneParts is each MeshService's part of its service, by display name, summed per zone:
// a global CP lists one MeshService per zone with its own proxies, which groupByZone
// draws as one node per zone.
func zoneParts(services []kuma.MeshService) map[string][]graph.ZonePart {
	type key struct{ name, zone string }
	counts := map[key]graph.Dataplanes{}
	for _, ms := range services {
		if ms.Zone() == "" {
			continue
		}
		online, total := proxyCounts(ms)
		k := key{ms.DisplayName(), ms.Zone()}
		counts[k] = counts[k].Add(graph.Dataplanes{Online: online, Offline: total - online, Total: total})
	}
	out := map[string][]graph.ZonePart{}
	for k, d := range counts {
		out[k.name] = append(out[k.name], graph.ZonePart{Zone: k.zone, Status: graph.Status(statusOf(d.Online, d.Total)), Dataplanes: d})
	}
	for _, parts := range out {
		slices.SortFunc(parts, func(a, b graph.ZonePart) int { return strings.Compare(a.Zone, b.Zone) })
	}
	return out
}

func single(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return ""
}
