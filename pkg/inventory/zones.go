package inventory

import "github.com/kumahq/kuma-grafana-datasource/pkg/kuma"

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

// Zones flattens zone overviews.
func Zones(overviews []kuma.ZoneOverview) []Zone {
	out := make([]Zone, 0, len(overviews))
	for _, o := range overviews {
		z := Zone{Name: o.DisplayName(), Enabled: o.Enabled(), Status: ZoneOffline, Version: o.KumaCPVersion()}
		if o.IsOnline() {
			z.Status = ZoneOnline
		}
		out = append(out, z)
	}
	return out
}
