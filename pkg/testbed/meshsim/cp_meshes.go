package meshsim

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// index is GET / of the global CP.
func (s *Sim) index() kuma.Index {
	return kuma.Index{Hostname: "kuma-global-cp", Product: "Kuma", Version: s.version(),
		InstanceID: s.instanceID(""), ClusterID: "5e2a7c1d-meshsim-0000-0000-000000000000", GUI: "/gui"}
}

// config is the slice of GET /config a client reads; the real one is ~10 KB.
func (s *Sim) config() map[string]any {
	return map[string]any{"mode": kuma.ModeGlobal, "environment": "universal",
		"store": map[string]any{"type": "memory"}, "apiServer": map[string]any{"http": map[string]any{"port": 5681}}}
}

// meshResources renders the meshes; 3.0 meshes carry only metadata.
func (s *Sim) meshResources() []kuma.Mesh {
	var out []kuma.Mesh
	for _, m := range s.model.Topology.Meshes {
		mesh := kuma.Mesh{Meta: s.meta("Mesh", "", m.Name, maps.Clone(m.Labels), kri("m", "", "", "", m.Name, ""))}
		if s.opts.KumaVersion == 3 {
			if mesh.Labels == nil {
				mesh.Labels = map[string]string{}
			}
			mesh.Labels[kuma.LabelDisplayName], mesh.Labels[kuma.LabelOrigin] = m.Name, "global"
			out = append(out, mesh)
			continue
		}
		if m.MTLS {
			mesh.MTLS = &kuma.MeshMTLS{EnabledBackend: "ca-1", Backends: []json.RawMessage{
				json.RawMessage(`{"name":"ca-1","type":"builtin","dpCert":{"rotation":{"expiration":"24h"}},"conf":{"caCert":{"RSAbits":2048,"expiration":"10y"}}}`)}}
		}
		mode := "Everywhere"
		if m.Naming == RegimeMeshService {
			mode = "Exclusive" // only MeshService outbounds: the _msvc_ cluster names
		}
		mesh.MeshServices = &kuma.MeshServicesMode{Mode: mode}
		out = append(out, mesh)
	}
	return out
}

// countProxy adds one proxy to counts.
func countProxy(c *kuma.ProxyCounts, online bool) {
	c.Total++
	if online {
		c.Online++
	} else {
		c.Offline++
	}
}

// meshInsight summarises a mesh the way the global CP does.
func (s *Sim) meshInsight(mesh string) kuma.MeshInsight {
	mi := kuma.MeshInsight{Meta: s.meta("MeshInsight", "", mesh, nil, ""), Dataplanes: &kuma.ProxyCounts{},
		DpVersions:       &kuma.DpVersions{KumaDp: map[string]kuma.ProxyCounts{}, Envoy: map[string]kuma.ProxyCounts{}},
		DataplanesByType: &kuma.DataplanesByType{}, Resources: map[string]kuma.TotalCount{}}
	issued := map[string]kuma.ProxyCounts{}
	byType := func(pc **kuma.ProxyCounts, online bool) {
		if *pc == nil {
			*pc = &kuma.ProxyCounts{}
		}
		countProxy(*pc, online)
	}
	for _, d := range s.model.Dataplanes {
		if d.Mesh.Name != mesh {
			continue
		}
		countProxy(mi.Dataplanes, d.Online)
		dp, envoy := "unknown", "unknown"
		if in := s.insight(d); d.Online {
			dp, envoy = in.Subscriptions[0].Version.KumaDp.Version, in.Subscriptions[0].Version.Envoy.Version
		}
		addCount(mi.DpVersions.KumaDp, dp, d.Online)
		addCount(mi.DpVersions.Envoy, envoy, d.Online)
		if b := s.certBackend(d); b != "" && d.Online {
			addCount(issued, b, true)
		}
		switch d.Kind {
		case KindSidecar:
			byType(&mi.DataplanesByType.Standard, d.Online)
		case KindGatewayBuiltin:
			byType(&mi.DataplanesByType.Gateway, d.Online)
			byType(&mi.DataplanesByType.GatewayBuiltin, d.Online)
		case KindGatewayDelegated:
			byType(&mi.DataplanesByType.Gateway, d.Online)
			byType(&mi.DataplanesByType.GatewayDelegated, d.Online)
		}
		mi.Resources["Dataplane"] = kuma.TotalCount{Total: mi.Resources["Dataplane"].Total + 1}
	}
	if len(issued) > 0 {
		mi.MTLS = &kuma.MeshInsightMTLS{IssuedBackends: issued, SupportedBackends: issued}
	}
	counts := map[string]int{"MeshService": len(s.meshServices(mesh)), "MeshExternalService": len(s.meshExternalServices(mesh)),
		"MeshMultiZoneService": len(s.meshMultiZoneServices(mesh)), "Workload": len(s.workloads(mesh)),
		"MeshGateway": len(s.meshGateways(mesh)), "ExternalService": len(s.externalServices(mesh))}
	for kind, n := range counts {
		if n > 0 {
			mi.Resources[kind] = kuma.TotalCount{Total: n}
		}
	}
	if s.opts.KumaVersion == 2 {
		// Kuma creates these default policies in every new mesh.
		mi.Policies = map[string]kuma.TotalCount{"MeshCircuitBreaker": {Total: 1}, "MeshRetry": {Total: 1}, "MeshTimeout": {Total: 2}}
		mi.Services = &kuma.ServiceCounts{}
		for _, si := range s.serviceInsights(mesh) {
			mi.Services.Total++
			if si.ServiceType == kuma.ServiceTypeExternal {
				mi.Services.External++
			} else if si.ServiceType == "" {
				mi.Services.Internal++
			}
		}
	}
	return mi
}

func addCount(m map[string]kuma.ProxyCounts, key string, online bool) {
	c := m[key]
	countProxy(&c, online)
	m[key] = c
}

// zoneOverviews renders every zone as online, connected since the simulation start.
func (s *Sim) zoneOverviews() []kuma.ZoneOverview {
	var out []kuma.ZoneOverview
	enabled := true
	global := s.instanceID("")
	since := kuma.NewTimestamp(s.opts.Start)
	stream := fmt.Sprintf(`{"globalInstanceId":%q,"connectTime":%q}`, global, since)
	kdsStreams := rawJSON(`{"clusters":%[1]s,"configDump":%[1]s,"stats":%[1]s,"globalToZone":%[1]s,"zoneToGlobal":%[1]s}`, stream)
	adminStreams := rawJSON(`{"configDumpGlobalInstanceId":%[1]q,"statsGlobalInstanceId":%[1]q,"clustersGlobalInstanceId":%[1]q}`, global)
	for _, z := range s.model.Topology.Zones {
		config, _ := json.Marshal(map[string]any{"mode": kuma.ModeZone, "multizone": map[string]any{"zone": map[string]any{"name": z}}})
		zo := kuma.ZoneOverview{
			Meta: s.meta("ZoneOverview", "", z, nil, kri("z", "", "", "", z, "")),
			Zone: &kuma.ZoneSpec{Enabled: &enabled},
			ZoneInsight: &kuma.ZoneInsight{
				Subscriptions: []kuma.KDSSubscription{{
					ID: globalName(z, z, "kds"), GlobalInstanceID: global, ZoneInstanceID: s.instanceID(z),
					ConnectTime: since,
					Status: kuma.SubscriptionStatus{LastUpdateTime: since,
						Total: &kuma.DiscoveryStats{ResponsesSent: 2, ResponsesAcknowledged: 2},
						Stat: map[string]kuma.DiscoveryStats{"Mesh": {ResponsesSent: 1, ResponsesAcknowledged: 1},
							"Dataplane": {ResponsesSent: 1, ResponsesAcknowledged: 1}}},
					Version: &kuma.KDSVersion{KumaCP: &kuma.KumaCPVersion{Version: s.version(), GitTag: "v" + s.version(),
						GitCommit: "0000000000000000000000000000000000000000", BuildDate: string(since), KumaCPGlobalCompatible: true}},
					Generation: 1,
					Config:     string(config),
				}},
				KDSStreams:        kdsStreams,
				EnvoyAdminStreams: adminStreams,
			},
		}
		if s.opts.KumaVersion == 2 { // 3.0 stopped reporting the zone's health check
			zo.ZoneInsight.HealthCheck = &kuma.HealthCheck{Time: kuma.NewTimestamp(s.opts.Now())}
		}
		out = append(out, zo)
	}
	return out
}

// hasMesh reports whether the mesh exists.
func (s *Sim) hasMesh(name string) bool { _, ok := s.model.meshes[name]; return ok }
