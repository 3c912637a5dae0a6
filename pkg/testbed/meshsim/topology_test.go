package meshsim_test

import (
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

func TestDecode(t *testing.T) {
	const base = "zones: [zone-1]\nservices: [{name: a}, {name: b, protocol: tcp}]\nexternalServices: [{name: x}]\n"
	for _, tc := range []struct {
		name, yaml, wantErr string
	}{
		{"defaults", base + "edges: [{from: a, to: b}]", ""},
		{"unknown key", base + "edgez: []", "field edgez not found"},
		{"unknown zone", "services: [{name: a, instances: {mars: 1}}]", `unknown zone "mars"`},
		{"offline above instances", "services: [{name: a, instances: {zone-1: 1}, offline: {zone-1: 2}}]", "2 offline of 1"},
		{"unknown destination", base + "edges: [{from: a, to: nope}]", "destination must be"},
		{"external source", base + "edges: [{from: x, to: a}]", "source must be"},
		{"duplicate edge", base + "edges: [{from: a, to: b}, {from: a, to: b}]", "duplicate"},
		{"duplicate service", "services: [{name: a}, {name: a}]", "duplicate name"},
		{"status over 1", base + "edges: [{from: a, to: x, status: {5xx: 0.7, 4xx: 0.5}}]", "add up to 1.2"},
		{"explicit 2xx must close", base + "edges: [{from: a, to: x, status: {2xx: 0.5}}]", "add up to 0.5"},
		{"bad class", base + "edges: [{from: a, to: x, status: {6xx: 0.1}}]", "status 6xx"},
		{"latency both forms", base + "edges: [{from: a, to: x, latency: {medianMs: 5, buckets: [{le: 5, share: 1}]}}]", "either buckets"},
		{"latency shares", base + "edges: [{from: a, to: x, latency: {buckets: [{le: 5, share: 0.5}]}}]", "add up to 0.5"},
		{"spread", base + "edges: [{from: a, to: x, latency: {medianMs: 5, spread: 0.5}}]", "spread"},
		{"regime", "meshes: [{name: m, naming: fancy}]", `naming regime "fancy"`},
		{"gateway type", "gateways: [{name: g, type: magic}]", `type "magic"`},
		{"zone shares", base + "edges: [{from: a, to: b, toZones: {zone-1: 1}}]", ""},
		{"zone shares must close", base + "edges: [{from: a, to: b, toZones: {zone-1: 0.5}}]", "toZones shares add up to 0.5"},
		{"zone share where the destination does not run", base + "edges: [{from: a, to: b, toZones: {zone-2: 1}}]", "zone-2=1: want a share > 0"},
		{"zone shares of an external service", base + "edges: [{from: a, to: x, toZones: {zone-1: 1}}]", "destination must be a service"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo, err := meshsim.Decode(strings.NewReader(tc.yaml))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s := topo.Services[0]; s.Mesh != "default" || s.Protocol != meshsim.ProtocolHTTP || s.Port != 8080 || s.Workload != "a" || s.Instances["zone-1"] != 1 {
					t.Errorf("defaults not applied: %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestExamplesLoad(t *testing.T) {
	for _, f := range []string{"shop.yaml", "kubernetes.yaml"} {
		if _, err := meshsim.Load("../../../examples/topologies/" + f); err != nil {
			t.Error(err)
		}
	}
}

func TestGenerate(t *testing.T) {
	opts := meshsim.GenerateOptions{Services: 50, FanOut: 3, Zones: 3, Seed: 42}
	a, err := meshsim.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := meshsim.Generate(opts)
	ya, _ := a.Encode()
	yb, _ := b.Encode()
	if string(ya) != string(yb) {
		t.Error("same seed, different topologies")
	}
	if len(a.Services) != 50 || len(a.Zones) != 3 || len(a.Edges) < 50 {
		t.Errorf("%d services, %d zones, %d edges", len(a.Services), len(a.Zones), len(a.Edges))
	}
	// The encoded form must load back: generated meshes can be saved and edited.
	if _, err := meshsim.Decode(strings.NewReader(string(ya))); err != nil {
		t.Errorf("generated topology does not decode: %v", err)
	}
	if _, err := meshsim.Generate(meshsim.GenerateOptions{Services: 0, Zones: 1}); err == nil {
		t.Error("0 services accepted")
	}
}

// TestNewAppliesDefaults: a topology built in Go gets the same defaults as a file.
func TestNewAppliesDefaults(t *testing.T) {
	topo := &meshsim.Topology{
		Services: []meshsim.Service{{Name: "a"}, {Name: "b"}},
		Edges:    []meshsim.Edge{{From: "a", To: "b", RPS: 3}},
	}
	sim, err := meshsim.New(topo, meshsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tr, ok := sim.Truth("default", "a", "b"); !ok || tr.RPS != 3 || tr.Clusters[0] != "b" {
		t.Errorf("truth %+v, %v", tr, ok)
	}
	if topo.Meshes != nil || topo.Services[0].Port != 0 {
		t.Error("New changed the caller's topology")
	}
}
