package inventory

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// Workload is a kuma.io/workload value behind a service. Under Kuma 3.0's unified naming
// the proxies label their metrics with it (kuma_workload), not with the MeshService's
// name, and on Kubernetes it is taken from a pod label or the ServiceAccount: dashboards
// select a service's proxies through it.
type Workload struct {
	Name    string
	Service string
	Zones   []string
}

// WorkloadLookup is a MeshService selector that does not name the workload: the
// dataplanes it selects carry it in their labels.
type WorkloadLookup struct {
	Service string
	Filter  kuma.DataplaneFilter
}

// ServiceWorkloads lists the workloads of the MeshServices shown as service ("" for
// every one): those their selectors name, and the look-ups the rest need.
func ServiceWorkloads(r MeshResources, service string) ([]Workload, []WorkloadLookup) {
	var named []Workload
	var lookups []WorkloadLookup
	// A selector repeats in every zone that has the service; one look-up finds them all.
	seen := map[string]bool{}
	lookup := func(service string, f kuma.DataplaneFilter) {
		key := service + "\x00" + fmt.Sprint(f.Labels, f.Tags)
		if !seen[key] {
			seen[key] = true
			lookups = append(lookups, WorkloadLookup{Service: service, Filter: f})
		}
	}
	for _, ms := range r.MeshServices {
		name := ms.DisplayName()
		sel := ms.Spec.Selector
		if (service != "" && name != service) || sel == nil {
			continue
		}
		var labels map[string]string
		if sel.DataplaneLabels != nil {
			labels = sel.DataplaneLabels.MatchLabels
		}
		switch {
		case labels[kuma.LabelWorkload] != "":
			named = append(named, Workload{Name: labels[kuma.LabelWorkload], Service: name, Zones: []string{ms.Zone()}})
		case len(labels) > 0:
			lookup(name, kuma.DataplaneFilter{Labels: maps.Clone(labels)})
		case len(sel.DataplaneTags) > 0:
			lookup(name, kuma.DataplaneFilter{Tags: maps.Clone(sel.DataplaneTags)})
		}
	}
	return named, lookups
}

// DataplaneWorkloads are the workloads the dataplanes found by a look-up carry.
func DataplaneWorkloads(l WorkloadLookup, overviews []kuma.DataplaneOverview) []Workload {
	var out []Workload
	for _, o := range overviews {
		if w := o.Labels[kuma.LabelWorkload]; w != "" {
			out = append(out, Workload{Name: w, Service: l.Service, Zones: []string{o.Zone()}})
		}
	}
	return out
}

// MergeWorkloads folds repeats (a workload in several zones, or behind several
// MeshServices' selectors) into one row each, sorted by name. Without any, a service
// named its own workload stands for itself: Kuma 2.x proxies carry no workload label,
// and the name is then what kuma_workload would hold.
func MergeWorkloads(service string, list []Workload) []Workload {
	byName := map[string]*Workload{}
	for _, w := range list {
		m, ok := byName[w.Name]
		if !ok {
			m = &Workload{Name: w.Name, Service: w.Service}
			byName[w.Name] = m
		}
		for _, z := range w.Zones {
			if z != "" && !slices.Contains(m.Zones, z) {
				m.Zones = append(m.Zones, z)
			}
		}
	}
	if len(byName) == 0 && service != "" {
		return []Workload{{Name: service, Service: service}}
	}
	out := make([]Workload, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		w := byName[name]
		slices.Sort(w.Zones)
		out = append(out, *w)
	}
	return out
}
