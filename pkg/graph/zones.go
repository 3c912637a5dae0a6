package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// ZoneSide says which end of a request the zone filter selects.
type ZoneSide string

const (
	// ZoneSideSource keeps requests sent by proxies in the zones.
	ZoneSideSource ZoneSide = "source"
	// ZoneSideDestination keeps requests sent to services in the zones.
	ZoneSideDestination ZoneSide = "destination"
	// ZoneSideAny keeps requests with either end in the zones.
	ZoneSideAny ZoneSide = "any"
)

// placement is what a cluster name and the CP tell about the zone a
// destination's traffic went to.
type placement struct {
	// zone is the one zone, when known.
	zone string
	// unknown is set when the zone cannot be told; candidates are then the
	// CP's zones of the service (none when the CP does not know it).
	unknown    bool
	candidates []string
}

// place decides a destination's zone: the cluster name's, else the CP's
// when the service runs in one zone only. External services are in no zone;
// a MeshMultiZoneService or a legacy name of a service in several zones is
// in a zone nobody can tell.
func place(clusterZone string, kind Kind, cpZones []string) placement {
	switch {
	case clusterZone != "":
		return placement{zone: clusterZone}
	case kind == KindExternal:
		return placement{}
	case kind != KindMultiZone && len(cpZones) == 1:
		return placement{zone: cpZones[0]}
	}
	return placement{unknown: true, candidates: cpZones}
}

// zoneFilter applies Options.Zones to single samples, before they add up,
// so that a node's and an edge's numbers are what the view selects.
type zoneFilter struct {
	zones []string
	side  ZoneSide
	// unknownDropped and unknownKept name the destinations whose zone could
	// not be told and whose traffic the filter left out or kept.
	unknownDropped, unknownKept []string
}

func (f *zoneFilter) in(zone string) bool { return slices.Contains(f.zones, zone) }

// inbound keeps what a proxy received when the proxy is in the zones: on
// every side, that is traffic into the zones' services.
func (f *zoneFilter) inbound(proxyZone string) bool {
	return len(f.zones) == 0 || f.in(proxyZone)
}

// upstream decides a request from a proxy in sourceZone to dst.
func (f *zoneFilter) upstream(sourceZone string, dst placement, name string) bool {
	switch {
	case len(f.zones) == 0:
		return true
	case f.side == ZoneSideSource || f.side == "":
		return f.in(sourceZone)
	case f.side == ZoneSideAny && f.in(sourceZone):
		return true
	case !dst.unknown:
		return f.in(dst.zone)
	}
	// The CP's zones may still settle it: none or all of them in the view.
	switch in := countIn(dst.candidates, f.in); {
	case len(dst.candidates) > 0 && in == 0:
		return false
	case len(dst.candidates) > 0 && in == len(dst.candidates):
		return true
	case f.side == ZoneSideAny:
		f.unknownKept = addSorted(f.unknownKept, name)
		return true
	}
	f.unknownDropped = addSorted(f.unknownDropped, name)
	return false
}

func countIn(list []string, in func(string) bool) int {
	n := 0
	for _, v := range list {
		if in(v) {
			n++
		}
	}
	return n
}

// notices explain what the filter could not decide by zone.
func (f *zoneFilter) notices() []sample.Notice {
	var out []sample.Notice
	if len(f.unknownDropped) > 0 {
		out = append(out, sample.Notice{Severity: sample.SeverityInfo, Text: fmt.Sprintf(
			"zoneSide destination left out traffic to %s: its cluster names do not say which zone a request went to (legacy kuma.io/service names, MeshMultiZoneServices), so it cannot be placed in %s",
			listNames(f.unknownDropped), strings.Join(f.zones, ", "))})
	}
	if len(f.unknownKept) > 0 {
		out = append(out, sample.Notice{Severity: sample.SeverityInfo, Text: fmt.Sprintf(
			"zoneSide any kept traffic from other zones to %s: its cluster names do not say which zone a request went to (legacy kuma.io/service names, MeshMultiZoneServices), so some of it may not enter %s",
			listNames(f.unknownKept), strings.Join(f.zones, ", "))})
	}
	return out
}

// unknownZoneNotice explains, with GroupByZone, the nodes that stand for a
// service in several zones.
func unknownZoneNotice(nodes map[string]*Node) *sample.Notice {
	var names []string
	for _, n := range nodes {
		if n.ZoneUnknown {
			names = addSorted(names, n.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return &sample.Notice{Severity: sample.SeverityInfo, Text: fmt.Sprintf(
		"groupByZone: traffic to %s goes to one node marked \"zone unknown\": legacy kuma.io/service cluster names do not say which of the service's zones a request went to (MeshService and KRI names do)",
		listNames(names))}
}

// listNames quotes the first few names of a sorted list.
func listNames(names []string) string {
	const most = 5
	quoted := make([]string, 0, most)
	for _, n := range names[:min(most, len(names))] {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	if len(names) > most {
		return strings.Join(quoted, ", ") + fmt.Sprintf(" and %d more", len(names)-most)
	}
	return strings.Join(quoted, ", ")
}
