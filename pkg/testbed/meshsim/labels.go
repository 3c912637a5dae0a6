package meshsim

// metricsPort is kuma-dp's default Prometheus port; it makes instance labels look real.
const metricsPort = "5670"

// proxyRole is kuma-dp's kuma.proxy_role label value.
func (d *Dataplane) proxyRole() string {
	if d.Kind == KindSidecar {
		return "sidecar"
	}
	return "gateway"
}

// bodyLabels are the labels the proxy itself puts on every sample. Kuma 3.0's kuma-dp
// attaches them (MeshMetric extraLabels); legacy proxies attach none.
func (d *Dataplane) bodyLabels() []Label {
	if d.Mesh.Naming != RegimeUnified {
		return nil
	}
	l := []Label{{"mesh", d.Mesh.Name}, {"zone", d.Zone}}
	if d.Service != nil {
		l = append(l, Label{"kuma_workload", d.Service.Workload})
	}
	return append(l, Label{"kuma_proxy_role", d.proxyRole()})
}

// TargetLabels are the labels a scrape adds to the proxy's samples. For legacy
// regimes they are what Kuma's service discovery (MADS) gives Prometheus.
func (d *Dataplane) TargetLabels() []Label {
	l := []Label{{"instance", d.Address + ":" + metricsPort}}
	if d.Mesh.Naming == RegimeUnified {
		// A gateway has no kuma.io/workload label in 3.0; its kuma.io/service tag still
		// reaches Prometheus (kuma-dp's extra labels), and is all that names it.
		if d.Service == nil {
			l = append(l, Label{"kuma_io_service", d.KumaService()})
		}
		return l
	}
	l = append(l, Label{"mesh", d.Mesh.Name}, Label{"dataplane", d.Name}, Label{"service", d.KumaService()},
		Label{"kuma_io_service", d.KumaService()}, Label{"kuma_io_zone", d.Zone})
	if d.Service != nil {
		l = append(l, Label{"kuma_io_protocol", string(d.Protocol())})
	}
	if d.Kind == KindGatewayBuiltin {
		l = append(l, Label{"kuma_io_mesh_gateway", d.Gateway.Name})
	}
	return l
}
