// Package inventory answers "which services and gateways does this mesh have?" from
// whichever CP resources carry them: ServiceInsights in Kuma 2.x, MeshServices where a
// mesh runs meshServices mode Exclusive and in Kuma 3.0 (whose service insights are empty).
package inventory

import (
	"sort"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// gatewayKinds maps a gateway proxy's kind to the service type Kuma gives its service.
var gatewayKinds = map[kuma.GatewayKind]string{
	kuma.GatewayBuiltin:   kuma.ServiceTypeGatewayBuiltin,
	kuma.GatewayDelegated: kuma.ServiceTypeGatewayDelegated,
}

// labelNamespace is set by the Kubernetes CP on synced MeshServices.
const labelNamespace = "k8s.kuma.io/namespace"

// Service is one service of a mesh, however the CP described it.
type Service struct {
	Name       string
	Kind       string
	Status     string
	Online     int
	Offline    int
	Total      int
	Zones      []string
	Namespaces []string
	Address    string
	Protocol   string
	MTLS       bool
}

// Services merges every CP resource that describes a service. Insights win where several
// name one; MeshServices of several zones sharing a display name are one service, as they
// are in Kuma's GUI; external services and gateway proxies fill in what insights lack
// (Exclusive meshes and Kuma 3.0 list neither there).
func Services(r MeshResources) []Service {
	byName := map[string]*Service{}
	for _, si := range r.Insights {
		s := &Service{Name: si.DisplayName(), Kind: si.Type(), Status: si.Status, Zones: sortedCopy(si.Zones), Address: si.AddressPort, MTLS: len(si.IssuedBackends) > 0}
		if si.Dataplanes != nil {
			s.Online, s.Offline, s.Total = si.Dataplanes.Online, si.Dataplanes.Offline, si.Dataplanes.Total
		}
		if s.Status == "" {
			s.Status = statusOf(s.Online, s.Total)
		}
		byName[s.Name] = s
	}
	counted := make(map[string]bool, len(byName))
	for name := range byName {
		counted[name] = true
	}
	for _, ms := range r.MeshServices {
		name := ms.DisplayName()
		s := byName[name]
		if s == nil {
			// mTLS until one of its MeshServices has no identity ready.
			s = &Service{Name: name, Kind: kuma.ServiceTypeInternal, MTLS: true}
			byName[name] = s
		}
		if s.Protocol == "" {
			s.Protocol = protocolOf(ms.Spec.Ports)
		}
		s.Namespaces = addSorted(s.Namespaces, ms.Labels[labelNamespace])
		if counted[name] {
			continue // the insight already counted these proxies
		}
		s.Zones = addSorted(s.Zones, ms.Zone())
		s.MTLS = s.MTLS && ms.TLSReady()
		online, total := proxyCounts(ms)
		s.Online += online
		s.Total += total
		s.Offline = s.Total - s.Online
		s.Status = statusOf(s.Online, s.Total)
	}
	addExternal := func(name, protocol, address string) {
		if byName[name] == nil {
			byName[name] = &Service{Name: name, Kind: kuma.ServiceTypeExternal, Status: kuma.ServiceNotAvailable, Protocol: protocol, Address: address}
		}
	}
	for _, es := range r.ExternalServices {
		addExternal(es.DisplayName(), es.Spec.Match.Protocol, "")
	}
	for _, es := range r.LegacyExternalServices {
		addExternal(es.Tags[kuma.TagService], es.Tags[kuma.TagProtocol], es.Networking.Address)
	}
	for _, g := range Gateways(r.GatewayDataplanes) {
		if byName[g.Name] == nil {
			byName[g.Name] = &g
		}
	}
	out := make([]Service, 0, len(byName))
	for _, s := range byName {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// proxyCounts are a MeshService's online and total proxies; healthy but disconnected
// is offline.
func proxyCounts(ms kuma.MeshService) (online, total int) {
	if ms.Status == nil || ms.Status.DataplaneProxies == nil {
		return 0, 0
	}
	p := ms.Status.DataplaneProxies
	return min(p.Connected, p.Healthy), p.Total
}

func protocolOf(ports []kuma.Port) string {
	for _, p := range ports {
		if p.AppProtocol != "" {
			return p.AppProtocol
		}
	}
	return ""
}

// statusOf applies Kuma's service rule: online when every proxy is, offline when none is.
func statusOf(online, total int) string {
	switch {
	case total > 0 && online == total:
		return kuma.ServiceOnline
	case online == 0:
		return kuma.ServiceOffline
	default:
		return kuma.ServicePartiallyDegraded
	}
}

func addSorted(list []string, v string) []string {
	if v == "" {
		return list
	}
	i := sort.SearchStrings(list, v)
	if i < len(list) && list[i] == v {
		return list
	}
	list = append(list, "")
	copy(list[i+1:], list[i:])
	list[i] = v
	return list
}

func sortedCopy(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}
