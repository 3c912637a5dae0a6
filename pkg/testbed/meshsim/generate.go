package meshsim

import (
	"fmt"
	"math/rand/v2"
)

// GenerateOptions describe a synthetic mesh for scale tests.
type GenerateOptions struct {
	Services int    // number of services (besides one builtin gateway)
	FanOut   int    // outgoing edges per service, at most
	Zones    int    // number of zones (at least 1)
	Seed     uint64 // same seed, same topology
	Regime   Regime // naming regime of the one mesh; legacy if empty
}

// Generate builds a layered mesh: a gateway calls the first services and every service
// calls up to FanOut services with a higher index, so the graph has no cycles.
// Protocols, instance counts, rates, error shares and latencies are drawn from the seed.
func Generate(o GenerateOptions) (*Topology, error) {
	if o.Services < 1 || o.FanOut < 0 || o.Zones < 1 {
		return nil, fmt.Errorf("generate: need services >= 1, fanout >= 0, zones >= 1 (got %d, %d, %d)", o.Services, o.FanOut, o.Zones)
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))
	t := &Topology{Meshes: []Mesh{{Name: "default", Naming: o.Regime, MTLS: true}}}
	for z := range o.Zones {
		t.Zones = append(t.Zones, fmt.Sprintf("zone-%d", z+1))
	}
	protocols := []Protocol{ProtocolHTTP, ProtocolHTTP, ProtocolHTTP, ProtocolHTTP2, ProtocolGRPC, ProtocolTCP}
	for i := range o.Services {
		s := Service{Name: fmt.Sprintf("svc-%04d", i), Protocol: protocols[rng.IntN(len(protocols))],
			Port: 8000 + rng.IntN(1000), Instances: map[string]int{}}
		for _, z := range t.Zones {
			if n := rng.IntN(3); n > 0 || z == t.Zones[0] {
				s.Instances[z] = max(n, 1)
			}
		}
		t.Services = append(t.Services, s)
	}
	t.Gateways = []Gateway{{Name: "gateway", Type: GatewayBuiltin, Instances: map[string]int{t.Zones[0]: 1}}}
	for i := range min(3, o.Services) {
		t.Edges = append(t.Edges, randomEdge(rng, "gateway", &t.Services[i]))
	}
	for i := range t.Services {
		seen := map[int]bool{}
		for range o.FanOut {
			if i+1 >= o.Services {
				break
			}
			j := i + 1 + rng.IntN(o.Services-i-1)
			if !seen[j] {
				seen[j] = true
				t.Edges = append(t.Edges, randomEdge(rng, t.Services[i].Name, &t.Services[j]))
			}
		}
	}
	t.applyDefaults()
	return t, t.Validate()
}

func randomEdge(rng *rand.Rand, from string, to *Service) Edge {
	e := Edge{From: from, To: to.Name}
	if to.Protocol == ProtocolTCP {
		e.TxBytesPerSec, e.RxBytesPerSec = float64(1000+rng.IntN(100000)), float64(1000+rng.IntN(100000))
		e.ConnectionsPerSec, e.ActiveConnections = 0.1+rng.Float64(), float64(1+rng.IntN(20))
		return e
	}
	e.RPS = float64(1 + rng.IntN(100))
	e.Status = map[string]float64{"4xx": rng.Float64() * 0.05, "5xx": rng.Float64() * rng.Float64() * 0.1}
	e.Latency = Latency{MedianMs: float64(1 + rng.IntN(200)), Spread: 1.5 + rng.Float64()*2}
	if to.Protocol == ProtocolGRPC {
		e.GRPCFailure = rng.Float64() * 0.05
	}
	return e
}
