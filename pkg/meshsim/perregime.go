package meshsim

// PerRegime returns a copy of t in which every mesh appears once per naming regime,
// named <mesh>-<regime>, with all its services, gateways, external services and
// edges. One Prometheus can then hold all three regimes without colliding series.
func (t *Topology) PerRegime() *Topology {
	out := &Topology{Zones: t.Zones}
	for _, r := range Regimes {
		name := func(mesh string) string { return mesh + "-" + string(r) }
		for _, m := range t.Meshes {
			m.Name, m.Naming = name(m.Name), r
			out.Meshes = append(out.Meshes, m)
		}
		for _, s := range t.Services {
			s.Mesh = name(s.Mesh)
			out.Services = append(out.Services, s)
		}
		for _, g := range t.Gateways {
			g.Mesh = name(g.Mesh)
			out.Gateways = append(out.Gateways, g)
		}
		for _, e := range t.ExternalServices {
			e.Mesh = name(e.Mesh)
			out.ExternalServices = append(out.ExternalServices, e)
		}
		for _, e := range t.Edges {
			e.Mesh = name(e.Mesh)
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}
