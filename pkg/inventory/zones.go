package inventory

import (
	"cmp"
	"slices"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// Zone is one zone with its CP's connection to global.
type Zone struct {
	Name    string
	Enabled bool
	Status  string
	Version string
}

// Zone statuses.
const (
	ZoneOnline  = "online"
	ZoneOffline = "offline"
)

// Alone is a CP that is not federated, as it describes itself: it is its one zone.
type Alone struct {
	// Zone is the CP's zone name (multizone.zone.name of its config).
	Zone string
	// Version is the CP's version from its index.
	Version string
}

// Zones flattens zone overviews. A CP running alone (alone not nil) has no global CP to
// hold a zone insight: it lists its own zone with an empty one, which would read offline.
// That zone is the CP itself, online while it answers, with the CP's version.
func Zones(overviews []kuma.ZoneOverview, alone *Alone) []Zone {
	out := make([]Zone, 0, len(overviews))
	for _, o := range overviews {
		z := Zone{Name: o.DisplayName(), Enabled: o.Enabled(), Status: ZoneOffline, Version: o.KumaCPVersion()}
		if o.IsOnline() {
			z.Status = ZoneOnline
		}
		if alone != nil && (len(overviews) == 1 || z.Name == alone.Zone) {
			z.Status, z.Version = ZoneOnline, cmp.Or(z.Version, alone.Version)
		}
		out = append(out, z)
	}
	if alone != nil && len(out) == 0 && alone.Zone != "" {
		out = append(out, Zone{Name: alone.Zone, Enabled: true, Status: ZoneOnline, Version: alone.Version})
	}
	return out
}

// MayBeAlone tells, from its zone list, whether a CP might be running alone: at most one
// zone, not online. Only then is its configuration worth asking for.
func MayBeAlone(overviews []kuma.ZoneOverview) bool {
	return len(overviews) == 0 || len(overviews) == 1 && !overviews[0].IsOnline()
}

// ServicesInZones keeps the services present in one of zones (all of them without zones).
func ServicesInZones(services []Service, zones []string) []Service {
	if len(zones) == 0 {
		return services
	}
	return slices.DeleteFunc(services, func(s Service) bool {
		return !slices.ContainsFunc(s.Zones, func(z string) bool { return slices.Contains(zones, z) })
	})
}

// DataplanesInZones keeps the dataplanes of one of zones (all of them without zones).
func DataplanesInZones(dps []Dataplane, zones []string) []Dataplane {
	if len(zones) == 0 {
		return dps
	}
	return slices.DeleteFunc(dps, func(d Dataplane) bool { return !slices.Contains(zones, d.Zone) })
}
