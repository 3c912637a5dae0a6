package meshsim

// PerRegime returns a copy of t in which every mesh appears once per naming regime,
// named <mesh>-<regime>, with all its services, gateways, external services and
// edges. One Prometheus can then hold all three regimes without colliding series.
func (t *Topology) PerRegime() *Topology {
	out := &Topology{Zones: t.Zones}
	for _, r := range Regimes {
		rename := func(mesh *string) { *mesh += "-" + string(r) }
		for _, m := range t.Meshes {
			rename(&m.Name)
			m.Naming = r
			out.Meshes = append(out.Meshes, m)
		}
		out.Services = append(out.Services, remeshed(t.Services, func(s *Service) { rename(&s.Mesh) })...)
		out.Gateways = append(out.Gateways, remeshed(t.Gateways, func(g *Gateway) { rename(&g.Mesh) })...)
		out.ExternalServices = append(out.ExternalServices, remeshed(t.ExternalServices, func(e *ExternalService) { rename(&e.Mesh) })...)
		out.Edges = append(out.Edges, remeshed(t.Edges, func(e *Edge) { rename(&e.Mesh) })...)
	}
	return out
}

// remeshed copies items, applying rename to each copy.
func remeshed[T any](items []T, rename func(*T)) []T {
	out := make([]T, len(items))
	for i, it := range items {
		rename(&it)
		out[i] = it
	}
	return out
}
