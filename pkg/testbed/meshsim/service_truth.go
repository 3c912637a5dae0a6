package meshsim

// ServiceTruth is what a service's inbound metrics (the destination side) must answer:
// everything its callers send that reaches its online proxies.
type ServiceTruth struct {
	Mesh, Service string
	Regime        Regime
	Protocol      Protocol
	// Proxies maps labels to regular expressions selecting the service's proxies.
	Proxies map[string]string
	// Listener is the inbound's envoy_http_conn_manager_prefix (HTTP) or
	// envoy_tcp_prefix (TCP).
	Listener string
	// RPS and ErrorRatio (5xx share) of the requests received; 0 for TCP.
	RPS, ErrorRatio float64
	// RxBytesPerSec / TxBytesPerSec are bytes received from / sent to callers.
	RxBytesPerSec, TxBytesPerSec float64
}

// Matchers renders Proxies and the listener label as PromQL label matchers: the HTTP
// connection manager prefix, or the TCP proxy prefix for TCP services.
func (s ServiceTruth) Matchers() string {
	label := "envoy_http_conn_manager_prefix"
	if !s.Protocol.IsHTTP() {
		label = "envoy_tcp_prefix"
	}
	return matchers(s.Proxies, label, s.Listener)
}

// ServiceTruths lists the inbound truth of every service with at least one online
// proxy, in topology order.
func (s *Sim) ServiceTruths() []ServiceTruth {
	var out []ServiceTruth
	for i := range s.model.Topology.Services {
		svc := &s.model.Topology.Services[i]
		dps := s.model.proxiesOf(svc.Mesh, svc.Name, true)
		if len(dps) == 0 {
			continue
		}
		regime := dps[0].Mesh.Naming
		tr := traffic{t: 1}
		for _, d := range dps {
			tr.loads = append(tr.loads, d.inbound...)
		}
		st := ServiceTruth{Mesh: svc.Mesh, Service: svc.Name, Regime: regime, Protocol: svc.Protocol,
			Proxies: sourceMatchers(dps), Listener: inboundName(regime, svc.Port),
			RxBytesPerSec: tr.total((*Edge).txBytes), TxBytesPerSec: tr.total((*Edge).rxBytes)}
		if svc.Protocol.IsHTTP() {
			st.RPS = tr.requests()
			if st.RPS > 0 {
				st.ErrorRatio = tr.class("5xx") / st.RPS
			}
		}
		out = append(out, st)
	}
	return out
}
