package inventory

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// Dataplane is one proxy as the `dataplanes` query shows it.
type Dataplane struct {
	Name               string
	Mesh               string
	Zone               string
	Services           []string
	Tags               []string
	Status             string
	KumaDpVersion      string
	EnvoyVersion       string
	Gateway            string
	CertificateBackend string
	Notes              string
}

// Dataplanes flattens CP overviews into rows, with the status Kuma itself would show.
func Dataplanes(overviews []kuma.DataplaneOverview) []Dataplane {
	out := make([]Dataplane, 0, len(overviews))
	for _, o := range overviews {
		d := Dataplane{
			Name:    o.DisplayName(),
			Mesh:    o.Mesh,
			Zone:    o.Zone(),
			Gateway: string(o.GatewayKind()),
		}
		status, notes := o.Status()
		d.Status, d.Notes = string(status), strings.Join(notes, "; ")
		versions := o.Versions()
		d.KumaDpVersion, d.EnvoyVersion = versions.KumaDp, versions.Envoy
		tags := map[string]bool{}
		services := map[string]bool{}
		for _, t := range tagSets(o) {
			for k, v := range t {
				tags[fmt.Sprintf("%s=%s", k, v)] = true
				if k == kuma.TagService {
					services[v] = true
				}
			}
		}
		if w := o.Labels[kuma.LabelWorkload]; len(services) == 0 && w != "" {
			services[w] = true // Kuma 3.0: no kuma.io/service tags, the workload names the service
		}
		d.Tags, d.Services = keys(tags), keys(services)
		if o.DataplaneInsight != nil && o.DataplaneInsight.MTLS != nil {
			d.CertificateBackend = o.DataplaneInsight.MTLS.IssuedBackend
		}
		if d.Zone == "" {
			d.Zone = firstTag(o, kuma.LabelZone)
		}
		out = append(out, d)
	}
	return out
}

// Gateways groups gateway proxies into gateway services by their kuma.io/service tag.
// Proxies are the one source that holds for builtin and delegated gateways in every Kuma
// version and mesh mode.
func Gateways(overviews []kuma.DataplaneOverview) []Service {
	byName := map[string]*Service{}
	var names []string
	for _, o := range overviews {
		gw := o.Dataplane.Networking.Gateway
		if gw == nil {
			continue
		}
		name := gw.Tags[kuma.TagService]
		if name == "" {
			name = o.DisplayName()
		}
		g := byName[name]
		if g == nil {
			// mTLS until one of its proxies holds no mesh certificate.
			g = &Service{Name: name, Kind: gatewayKinds[o.GatewayKind()], MTLS: true}
			byName[name] = g
			names = append(names, name)
		}
		g.MTLS = g.MTLS && o.DataplaneInsight != nil && o.DataplaneInsight.MTLS != nil && o.DataplaneInsight.MTLS.IssuedBackend != ""
		g.Total++
		if status, _ := o.Status(); status == kuma.DataplaneOnline {
			g.Online++
		} else {
			g.Offline++
		}
		zone := o.Zone()
		if zone == "" {
			zone = gw.Tags[kuma.LabelZone]
		}
		g.Zones = addSorted(g.Zones, zone)
	}
	sort.Strings(names)
	out := make([]Service, 0, len(names))
	for _, n := range names {
		g := byName[n]
		g.Status = statusOf(g.Online, g.Total)
		out = append(out, *g)
	}
	return out
}

func firstTag(o kuma.DataplaneOverview, key string) string {
	for _, t := range tagSets(o) {
		if v := t[key]; v != "" {
			return v
		}
	}
	return ""
}

func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tagSets are the tag maps of a proxy's inbounds and gateway: where kuma.io/service lives.
func tagSets(o kuma.DataplaneOverview) []map[string]string {
	n := o.Dataplane.Networking
	sets := make([]map[string]string, 0, len(n.Inbound)+1)
	for _, in := range n.Inbound {
		sets = append(sets, in.Tags)
	}
	if n.Gateway != nil {
		sets = append(sets, n.Gateway.Tags)
	}
	return sets
}
