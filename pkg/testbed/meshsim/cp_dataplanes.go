package meshsim

import (
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// dataplaneOverview renders a proxy as /meshes/{m}/dataplanes+insights lists it.
// A proxy that never connected has no insight (single GETs add {} themselves).
func (s *Sim) dataplaneOverview(d *Dataplane) kuma.DataplaneOverview {
	labels := zoneLabels(d.Mesh.Name, d.Zone, d.Name, d.namespace())
	labels["app"] = d.KumaService()
	o := kuma.DataplaneOverview{Meta: s.meta("DataplaneOverview", d.Mesh.Name, d.GlobalName(), labels,
		kri("dp", d.Mesh.Name, d.Zone, d.namespace(), d.Name, ""))}
	net := &o.Dataplane.Networking
	net.Address = d.Address
	switch {
	case d.Gateway != nil:
		net.Gateway = &kuma.Gateway{Tags: map[string]string{kuma.TagService: d.Gateway.Name, kuma.LabelZone: d.Zone}}
		if d.Kind == KindGatewayBuiltin {
			net.Gateway.Type = kuma.GatewayTypeBuiltin
		}
	case s.opts.KumaVersion == 3:
		labels[kuma.LabelWorkload] = d.Service.Workload
		net.Inbound = []kuma.Inbound{{Port: d.Port(), Name: s.portName(d.Service), Protocol: string(d.Protocol())}}
		net.Outbound = s.outboundRefs(d)
	default:
		net.Inbound = []kuma.Inbound{{Port: d.Port(), Name: s.portName(d.Service), Tags: map[string]string{
			kuma.TagProtocol: string(d.Protocol()), kuma.TagService: d.KumaService(), kuma.LabelZone: d.Zone}}}
	}
	if s.opts.KumaVersion == 2 {
		labels["kuma.io/proxy-type"] = "sidecar"
		if d.Kind == KindGatewayBuiltin {
			labels["kuma.io/proxy-type"] = "gateway"
		}
	}
	if d.Online {
		o.DataplaneInsight = s.insight(d)
	}
	return o
}

// outboundRefs lists a 3.0 proxy's outbounds from its edges.
func (s *Sim) outboundRefs(d *Dataplane) []kuma.Outbound {
	var out []kuma.Outbound
	for _, e := range s.model.Topology.Edges {
		if e.Mesh != d.Mesh.Name || e.From != d.Service.Name {
			continue
		}
		ref := &kuma.BackendRef{Kind: "MeshService", Name: e.To}
		if dst := s.model.service(e.Mesh, e.To); dst != nil {
			ref.Port = dst.Port
		} else if ext := s.model.external(e.Mesh, e.To); ext != nil {
			ref.Kind, ref.Port = "MeshExternalService", ext.Port
		}
		out = append(out, kuma.Outbound{Port: 10000 + len(out), BackendRef: ref})
	}
	return out
}

// insight is one open xDS subscription plus certificate and node metadata.
func (s *Sim) insight(d *Dataplane) *kuma.DataplaneInsight {
	dpVersion, envoy := "2.14.3", "1.38.2"
	if s.opts.KumaVersion == 3 {
		dpVersion, envoy = s.version(), "1.39.0"
	}
	build := "meshsim/" + envoy + "/Clean/RELEASE/BoringSSL"
	acked := &kuma.DiscoveryStats{ResponsesSent: 1, ResponsesAcknowledged: 1}
	in := &kuma.DataplaneInsight{
		Subscriptions: []kuma.DiscoverySubscription{{
			ID: globalName(d.Name, d.Zone, "subscription"), ControlPlaneInstanceID: s.instanceID(d.Zone),
			ConnectTime: kuma.NewTimestamp(s.opts.Start),
			Status: kuma.SubscriptionStatus{LastUpdateTime: kuma.NewTimestamp(s.opts.Start),
				Total: &kuma.DiscoveryStats{ResponsesSent: 3, ResponsesAcknowledged: 3}, CDS: acked, EDS: acked, LDS: acked,
				RDS: &kuma.DiscoveryStats{}},
			Version: &kuma.ProxyVersion{KumaDp: &kuma.KumaDpVersion{Version: dpVersion, KumaCPCompatible: true},
				Envoy: &kuma.EnvoyVersion{Version: envoy, Build: build}},
		}},
		Metadata: map[string]any{
			"dataplane.admin.address": "127.0.0.1", "dataplane.admin.port": "9901",
			"dataplane.proxyType": "dataplane", "dataplane.readinessReporter.port": "9902",
			"version": map[string]any{"envoy": map[string]string{"build": build, "version": envoy},
				"kumaDp": map[string]string{"version": dpVersion}},
		},
	}
	if backend := s.certBackend(d); backend != "" {
		in.MTLS = &kuma.DataplaneMTLS{
			CertificateExpirationTime:   kuma.NewTimestamp(s.opts.Start.Add(24 * time.Hour)),
			LastCertificateRegeneration: kuma.NewTimestamp(s.opts.Start), CertificateRegenerations: 1,
			IssuedBackend: backend, SupportedBackends: []string{backend},
		}
	}
	return in
}

// certBackend is the backend that issued the proxy's certificate: the builtin CA in
// 2.14, the MeshIdentity KRI in 3.0 (workload proxies only). "" without mTLS.
func (s *Sim) certBackend(d *Dataplane) string {
	switch {
	case !d.Mesh.MTLS:
		return ""
	case s.opts.KumaVersion == 2:
		return "ca-1"
	case d.Service != nil:
		return kri("mid", d.Mesh.Name, "", "", "identity", "")
	}
	return ""
}
