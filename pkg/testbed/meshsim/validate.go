package meshsim

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Validate checks references and value ranges; Decode calls it after defaults.
func (t *Topology) Validate() error {
	var errs []error
	meshes := map[string]bool{}
	for _, m := range t.Meshes {
		if m.Name == "" || meshes[m.Name] {
			errs = append(errs, fmt.Errorf("mesh %q: empty or duplicate name", m.Name))
		}
		meshes[m.Name] = true
		if err := m.Naming.valid(); err != nil {
			errs = append(errs, fmt.Errorf("mesh %s: %w", m.Name, err))
		}
	}
	names := map[[2]string]string{} // (mesh, name) -> kind; edges refer by name
	claim := func(kind, mesh, name string) {
		key := [2]string{mesh, name}
		if !meshes[mesh] {
			errs = append(errs, fmt.Errorf("%s %s: unknown mesh %q", kind, name, mesh))
		}
		if name == "" || names[key] != "" {
			errs = append(errs, fmt.Errorf("%s %q in mesh %s: empty or duplicate name", kind, name, mesh))
		}
		names[key] = kind
	}
	for _, s := range t.Services {
		claim("service", s.Mesh, s.Name)
		errs = append(errs, t.checkInstances("service "+s.Name, s.Instances, s.Offline)...)
		if !slices.Contains([]Protocol{ProtocolHTTP, ProtocolHTTP2, ProtocolGRPC, ProtocolTCP}, s.Protocol) {
			errs = append(errs, fmt.Errorf("service %s: unknown protocol %q", s.Name, s.Protocol))
		}
	}
	for _, g := range t.Gateways {
		claim("gateway", g.Mesh, g.Name)
		errs = append(errs, t.checkInstances("gateway "+g.Name, g.Instances, nil)...)
		if g.Type != GatewayBuiltin && g.Type != GatewayDelegated {
			errs = append(errs, fmt.Errorf("gateway %s: type %q: want builtin or delegated", g.Name, g.Type))
		}
	}
	for _, e := range t.ExternalServices {
		claim("external service", e.Mesh, e.Name)
		if e.Kind != ExternalLegacy && e.Kind != ExternalMesh {
			errs = append(errs, fmt.Errorf("external service %s: kind %q", e.Name, e.Kind))
		}
	}
	seen := map[[3]string]bool{}
	for _, e := range t.Edges {
		id := fmt.Sprintf("edge %s -> %s (mesh %s)", e.From, e.To, e.Mesh)
		if k := names[[2]string{e.Mesh, e.From}]; k != "service" && k != "gateway" {
			errs = append(errs, fmt.Errorf("%s: source must be a service or gateway of the mesh", id))
		}
		if k := names[[2]string{e.Mesh, e.To}]; k != "service" && k != "external service" {
			errs = append(errs, fmt.Errorf("%s: destination must be a service or external service of the mesh", id))
		}
		if key := [3]string{e.Mesh, e.From, e.To}; seen[key] {
			errs = append(errs, fmt.Errorf("%s: duplicate", id))
		} else {
			seen[key] = true
		}
		if err := e.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
		if err := t.checkToZones(e); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// checkToZones accepts zone shares that add up to 1 over zones where the destination, a
// service, has online proxies.
func (t *Topology) checkToZones(e Edge) error {
	if len(e.ToZones) == 0 {
		return nil
	}
	var dst *Service
	for i, s := range t.Services {
		if s.Mesh == e.Mesh && s.Name == e.To {
			dst = &t.Services[i]
		}
	}
	if dst == nil {
		return errors.New("toZones: the destination must be a service")
	}
	var sum float64
	for zone, share := range e.ToZones {
		if share <= 0 || dst.Instances[zone]-dst.Offline[zone] <= 0 {
			return fmt.Errorf("toZones %s=%g: want a share > 0 of a zone where %s has online instances", zone, share, dst.Name)
		}
		sum += share
	}
	if math.Abs(sum-1) > shareTolerance {
		return fmt.Errorf("toZones shares add up to %g; want 1", sum)
	}
	return nil
}

func (t *Topology) checkInstances(what string, instances, offline map[string]int) []error {
	var errs []error
	for zone, n := range instances {
		if !slices.Contains(t.Zones, zone) || n < 0 {
			errs = append(errs, fmt.Errorf("%s: %d instances in unknown zone %q", what, n, zone))
		}
	}
	for zone, n := range offline {
		if n < 0 || n > instances[zone] {
			errs = append(errs, fmt.Errorf("%s: %d offline of %d in zone %s", what, n, instances[zone], zone))
		}
	}
	return errs
}

func (e Edge) validate() error {
	var sum float64
	for class, share := range e.Status {
		if !slices.Contains(statusClasses, class) || share < 0 {
			return fmt.Errorf("status %s=%g: want 2xx..5xx with a share >= 0", class, share)
		}
		sum += share
	}
	for _, v := range []float64{e.RPS, e.TxBytesPerSec, e.RxBytesPerSec, e.ConnectionsPerSec, e.ActiveConnections} {
		if v < 0 {
			return errors.New("rates must not be negative")
		}
	}
	for _, share := range []float64{e.GRPCFailure, e.Retry, e.Timeout, e.Reset} {
		if share < 0 || share > 1 {
			return fmt.Errorf("share %g: want 0..1", share)
		}
	}
	if _, ok := e.Status["2xx"]; sum > 1+shareTolerance || (ok && math.Abs(sum-1) > shareTolerance) {
		return fmt.Errorf("status shares add up to %g; want 1, or less with 2xx left out", sum)
	}
	return e.Latency.validate()
}
