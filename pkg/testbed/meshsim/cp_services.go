package meshsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

func (s *Sim) meta(typ, mesh, name string, labels map[string]string, kri string) kuma.Meta {
	ts := kuma.NewTimestamp(s.opts.Start)
	return kuma.Meta{Type: typ, Mesh: mesh, Name: name, CreationTime: ts, ModificationTime: ts, Labels: labels, KRI: kri}
}

// proxyCounts counts dataplanes as a ServiceInsight does.
func proxyCounts(dps []*Dataplane) (counts kuma.ServiceDataplanes, zones []string) {
	for _, d := range dps {
		counts.Total++
		if d.Online {
			counts.Online++
		} else {
			counts.Offline++
		}
		if !slices.Contains(zones, d.Zone) {
			zones = append(zones, d.Zone)
		}
	}
	slices.Sort(zones)
	return counts, zones
}

func insightStatus(c kuma.ServiceDataplanes) string {
	switch {
	case c.Online == c.Total:
		return kuma.ServiceOnline
	case c.Online == 0:
		return kuma.ServiceOffline
	}
	return kuma.ServicePartiallyDegraded
}

// serviceInsights lists a mesh's kuma.io/services sorted by name. Kuma 3.0 computes
// none, and an Exclusive mesh (msvc regime) lists only delegated gateways.
func (s *Sim) serviceInsights(mesh string) []kuma.ServiceInsight {
	if s.opts.KumaVersion == 3 {
		return nil
	}
	var out []kuma.ServiceInsight
	add := func(name, typ, address string, dps []*Dataplane) {
		c, zones := proxyCounts(dps)
		si := kuma.ServiceInsight{Meta: s.meta("ServiceInsight", mesh, name, nil, ""), Status: insightStatus(c),
			Dataplanes: &c, ServiceType: typ, AddressPort: address, Zones: zones}
		if typ == kuma.ServiceTypeExternal {
			si.Status = kuma.ServiceNotAvailable
		}
		if s.model.meshes[mesh].MTLS && c.Online > 0 {
			si.IssuedBackends = map[string]int{"ca-1": c.Online}
		}
		out = append(out, si)
	}
	exclusive := s.model.meshes[mesh].Naming == RegimeMeshService
	for _, svc := range s.model.Topology.Services {
		if svc.Mesh == mesh && !exclusive {
			name := kumaService(svc.Name, svc.Namespace, svc.Port)
			add(name, "", name+".mesh:80", s.model.proxiesOf(mesh, svc.Name, false))
		}
	}
	for _, g := range s.model.Topology.Gateways {
		if g.Mesh == mesh && (g.Type == GatewayDelegated || !exclusive) {
			add(g.Name, "gateway_"+string(g.Type), "", s.model.proxiesOf(mesh, g.Name, false))
		}
	}
	for _, e := range s.model.externals(mesh, ExternalLegacy) {
		if !exclusive {
			add(e.Name, kuma.ServiceTypeExternal, fmt.Sprintf("%s:%d", e.Address, e.Port), nil)
		}
	}
	slices.SortFunc(out, func(a, b kuma.ServiceInsight) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// serviceZone is one service's proxies in one zone: a MeshService or Workload.
type serviceZone struct {
	svc  *Service
	zone string
	dps  []*Dataplane
}

// serviceZones lists (service, zone) pairs of a mesh ("" = all meshes).
func (s *Sim) serviceZones(mesh string) []serviceZone {
	var out []serviceZone
	for i := range s.model.Topology.Services {
		svc := &s.model.Topology.Services[i]
		if mesh != "" && svc.Mesh != mesh {
			continue
		}
		for _, zone := range s.model.Topology.Zones {
			sz := serviceZone{svc: svc, zone: zone}
			for _, d := range s.model.proxiesOf(svc.Mesh, svc.Name, false) {
				if d.Zone == zone {
					sz.dps = append(sz.dps, d)
				}
			}
			if len(sz.dps) > 0 {
				out = append(out, sz)
			}
		}
	}
	return out
}

func (sz serviceZone) meta(s *Sim, typ, kriType, manager string) kuma.Meta {
	labels := zoneLabels(sz.svc.Mesh, sz.zone, sz.svc.Name, sz.svc.Namespace)
	labels["kuma.io/managed-by"] = manager
	return s.meta(typ, sz.svc.Mesh, globalName(sz.svc.Name, sz.zone, sz.svc.Namespace), labels,
		kri(kriType, sz.svc.Mesh, sz.zone, sz.svc.Namespace, sz.svc.Name, ""))
}

func (sz serviceZone) online() int {
	n := 0
	for _, d := range sz.dps {
		if d.Online {
			n++
		}
	}
	return n
}

// meshServices renders one MeshService per service and zone. healthy counts ready
// proxies whatever their connection, as Kuma does.
func (s *Sim) meshServices(mesh string) []kuma.MeshService {
	var out []kuma.MeshService
	for i, sz := range s.serviceZones(mesh) {
		svc := sz.svc
		ms := kuma.MeshService{
			Meta: sz.meta(s, "MeshService", "msvc", "meshservice-generator"),
			SNIs: []kuma.SNI{{Port: svc.Port, SNI: fmt.Sprintf("sni.msvc.%s.%s.%s.%s", svc.Mesh, sz.zone, svc.Name, s.portName(svc))}},
			Spec: kuma.MeshServiceSpec{
				State: kuma.MeshServiceAvailable,
				Ports: []kuma.Port{{Name: s.portName(svc), Port: svc.Port, TargetPort: &kuma.IntOrString{Int: svc.Port}, AppProtocol: string(svc.Protocol)}},
			},
			Status: &kuma.MeshServiceStatus{
				Addresses: rawJSON(`[{"hostname":"%s.svc.mesh.local","origin":"HostnameGenerator","hostnameGeneratorRef":{"coreName":"local-universal-mesh-service"}}]`, svc.Name),
				VIPs:      []kuma.VIP{{IP: fmt.Sprintf("241.0.%d.%d", i>>8, i&0xff+1)}},
				TLS:       rawJSON(`{"status":"%s"}`, map[bool]string{true: "Ready", false: "NotReady"}[svc.meshMTLS(s)]),
				HostnameGenerators: json.RawMessage(`[{"hostnameGeneratorRef":{"coreName":"local-universal-mesh-service"},` +
					`"conditions":[{"type":"Generated","status":"True","reason":"Generated","message":""}]}]`),
				DataplaneProxies: &kuma.DataplaneProxies{Connected: sz.online(), Healthy: len(sz.dps), Total: len(sz.dps)},
			},
		}
		if s.opts.KumaVersion == 3 {
			ms.Spec.Selector = &kuma.MeshServiceSelector{DataplaneLabels: &kuma.LabelSelector{MatchLabels: map[string]string{kuma.LabelWorkload: svc.Workload}}}
			ms.Spec.Identities = []kuma.ServiceIdentity{{Type: "SpiffeID", Value: fmt.Sprintf("spiffe://%s.%s.mesh.local/workload/%s", svc.Mesh, sz.zone, svc.Workload)}}
		} else {
			tag := kumaService(svc.Name, svc.Namespace, svc.Port)
			ms.Spec.Selector = &kuma.MeshServiceSelector{DataplaneTags: map[string]string{kuma.TagService: tag}}
			ms.Spec.Identities = []kuma.ServiceIdentity{{Type: "ServiceTag", Value: tag}}
		}
		out = append(out, ms)
	}
	return out
}

func (svc *Service) meshMTLS(s *Sim) bool { return s.model.meshes[svc.Mesh].MTLS }

// portName names a service's one port: "main" in the 2.14 recordings, the protocol in
// the 3.0 ones.
func (s *Sim) portName(svc *Service) string {
	if s.opts.KumaVersion == 3 {
		return string(svc.Protocol)
	}
	return "main"
}

// workloads renders 3.0 Workloads (one per service and zone); 2.14 has none.
func (s *Sim) workloads(mesh string) []kuma.Workload {
	if s.opts.KumaVersion != 3 {
		return nil
	}
	var out []kuma.Workload
	for _, sz := range s.serviceZones(mesh) {
		out = append(out, kuma.Workload{
			Meta: sz.meta(s, "Workload", "wl", "workload-generator"), Spec: json.RawMessage(`{}`),
			Status: &kuma.WorkloadStatus{DataplaneProxies: kuma.WorkloadProxies{Connected: sz.online(), Healthy: len(sz.dps), Total: len(sz.dps)}},
		})
	}
	return out
}

// meshMultiZoneServices groups every service that runs in several zones as <name>-mz.
func (s *Sim) meshMultiZoneServices(mesh string) []kuma.MeshMultiZoneService {
	var out []kuma.MeshMultiZoneService
	for _, svc := range s.model.Topology.Services {
		if svc.Mesh != mesh || len(svc.Instances) < 2 {
			continue
		}
		name := svc.Name + "-mz"
		out = append(out, kuma.MeshMultiZoneService{
			Meta: s.meta("MeshMultiZoneService", mesh, name, map[string]string{"kuma.io/mesh": mesh}, kri("mzsvc", mesh, "", "", name, "")),
			SNIs: []kuma.SNI{{Port: svc.Port, SNI: fmt.Sprintf("sni.mzsvc.%s.%s.%d", mesh, name, svc.Port)}},
			Spec: kuma.MeshMultiZoneServiceSpec{
				Selector: kuma.MeshMultiZoneServiceSelector{MeshService: kuma.LabelSelector{MatchLabels: map[string]string{kuma.LabelDisplayName: svc.Name}}},
				Ports:    []kuma.Port{{Port: svc.Port, AppProtocol: string(svc.Protocol)}},
			},
			Status: &kuma.MeshMultiZoneServiceStatus{},
		})
	}
	return out
}

// meshExternalServices renders the MeshExternalServices of a mesh.
func (s *Sim) meshExternalServices(mesh string) []kuma.MeshExternalService {
	var out []kuma.MeshExternalService
	for _, e := range s.model.externals(mesh, ExternalMesh) {
		out = append(out, kuma.MeshExternalService{
			Meta: s.meta("MeshExternalService", mesh, e.Name, map[string]string{"kuma.io/mesh": mesh}, kri("extsvc", mesh, "", "", e.Name, "")),
			SNIs: []kuma.SNI{{Port: e.Port, SNI: fmt.Sprintf("sni.extsvc.%s.%s.%d", mesh, e.Name, e.Port)}},
			Spec: kuma.MeshExternalServiceSpec{
				Match:     kuma.ExternalMatch{Type: "HostnameGenerator", Port: e.Port, Protocol: string(e.Protocol)},
				Endpoints: []kuma.ExternalEndpoint{{Address: e.Address, Port: e.Port}},
				TLS:       rawJSON(`{"enabled":%t,"allowRenegotiation":false}`, e.TLS),
			},
			Status: json.RawMessage(`{"vip":{}}`),
		})
	}
	return out
}

// externalServices renders legacy ExternalServices (2.14 only).
func (s *Sim) externalServices(mesh string) []kuma.ExternalService {
	var out []kuma.ExternalService
	for _, e := range s.model.externals(mesh, ExternalLegacy) {
		out = append(out, kuma.ExternalService{
			Meta:       s.meta("ExternalService", mesh, e.Name, map[string]string{"kuma.io/mesh": mesh}, ""),
			Networking: kuma.ExternalServiceNetworking{Address: fmt.Sprintf("%s:%d", e.Address, e.Port), TLS: rawJSON(`{"enabled":%t}`, e.TLS)},
			Tags:       map[string]string{kuma.TagProtocol: string(e.Protocol), kuma.TagService: e.Name},
		})
	}
	return out
}

// meshGateways renders the builtin gateways' MeshGateway resources.
func (s *Sim) meshGateways(mesh string) []kuma.MeshGateway {
	var out []kuma.MeshGateway
	for _, g := range s.model.Topology.Gateways {
		if g.Mesh != mesh || g.Type != GatewayBuiltin {
			continue
		}
		host := g.Hostname
		if host == "" {
			host = "*"
		}
		out = append(out, kuma.MeshGateway{
			Meta:      s.meta("MeshGateway", mesh, g.Name, map[string]string{"kuma.io/mesh": mesh}, kri("mgw", mesh, "", "", g.Name, "")),
			Selectors: []kuma.Selector{{Match: map[string]string{kuma.TagService: g.Name}}},
			Conf: &kuma.MeshGatewayConf{Listeners: []kuma.MeshGatewayListener{{
				Hostname: host, Port: g.Port, Protocol: g.ListenerProtocol(), Tags: map[string]string{"port": "http-" + portString(g.Port)}}}},
		})
	}
	return out
}

func rawJSON(format string, args ...any) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(format, args...))
}
