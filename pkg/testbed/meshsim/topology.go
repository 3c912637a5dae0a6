// Package meshsim simulates a Kuma service mesh: a topology file, a fake control-plane
// API answering in the recorded 2.14 / 3.0 shapes, Envoy-style metrics per dataplane in
// each naming regime, kuma-cp metrics, and an OpenMetrics backfill whose values are
// known exactly, so that PromQL results can be checked against configured truths.
package meshsim

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// Topology is the simulated mesh as written in a topology file (docs/simulator.md).
type Topology struct {
	Meshes           []Mesh            `yaml:"meshes"`
	Zones            []string          `yaml:"zones"`
	Services         []Service         `yaml:"services"`
	Gateways         []Gateway         `yaml:"gateways"`
	ExternalServices []ExternalService `yaml:"externalServices"`
	Edges            []Edge            `yaml:"edges"`
}

// Mesh is one Kuma mesh; Naming selects how its proxies name clusters and label metrics.
type Mesh struct {
	Name   string            `yaml:"name"`
	Naming Regime            `yaml:"naming"`
	MTLS   bool              `yaml:"mtls"`
	Labels map[string]string `yaml:"labels,omitempty"`
	// ZoneEgress routes traffic to external services through each zone's egress
	// (Mesh routing.zoneEgress); the sidecars' own metrics stay the same.
	ZoneEgress bool `yaml:"zoneEgress,omitempty"`
}

// Protocol is a kuma.io/protocol value.
type Protocol string

// The protocols the simulator knows; they decide which metric families an edge feeds.
const (
	ProtocolHTTP  Protocol = "http"
	ProtocolHTTP2 Protocol = "http2"
	ProtocolGRPC  Protocol = "grpc"
	ProtocolTCP   Protocol = "tcp"
)

// IsHTTP tells whether requests (not only connections) are counted for the protocol.
func (p Protocol) IsHTTP() bool { return p != ProtocolTCP }

// Service is a mesh service backed by sidecar dataplanes.
type Service struct {
	Name string `yaml:"name"`
	Mesh string `yaml:"mesh"`
	// Namespace makes the service Kubernetes-style: kuma.io/service becomes
	// <name>_<namespace>_svc_<port> and dataplanes are named <pod>.<namespace>.
	Namespace string   `yaml:"namespace"`
	Protocol  Protocol `yaml:"protocol"`
	Port      int      `yaml:"port"`
	// Workload is the kuma.io/workload label (Kuma 3.0); it defaults to Name.
	Workload string `yaml:"workload"`
	// Instances is the number of dataplanes per zone.
	Instances map[string]int `yaml:"instances"`
	// Offline is, per zone, how many of those dataplanes are disconnected; they
	// send and receive no traffic and are not scraped.
	Offline map[string]int `yaml:"offline"`
}

// GatewayType tells a builtin MeshGateway from a delegated gateway (for example Kong).
type GatewayType string

// The two gateway kinds Kuma has.
const (
	GatewayBuiltin   GatewayType = "builtin"
	GatewayDelegated GatewayType = "delegated"
)

// Gateway is a gateway service; its traffic enters from outside the mesh.
type Gateway struct {
	Name     string      `yaml:"name"`
	Mesh     string      `yaml:"mesh"`
	Type     GatewayType `yaml:"type"`
	Port     int         `yaml:"port"`
	Hostname string      `yaml:"hostname"`
	// Namespace runs the gateway's proxies in Kubernetes pods: dataplanes are named
	// <pod>.<namespace>, and Kubernetes reports the pods' resources.
	Namespace string `yaml:"namespace,omitempty"`
	// TLS makes a builtin gateway's listener terminate TLS (MeshGateway protocol HTTPS).
	TLS       bool           `yaml:"tls,omitempty"`
	Instances map[string]int `yaml:"instances"`
}

// ListenerProtocol is the MeshGateway listener's protocol, which also names its stats.
func (g *Gateway) ListenerProtocol() string {
	if g.TLS {
		return "HTTPS"
	}
	return "HTTP"
}

// ExternalKind tells the legacy ExternalService from MeshExternalService.
type ExternalKind string

// External service kinds.
const (
	ExternalLegacy ExternalKind = "ExternalService"
	ExternalMesh   ExternalKind = "MeshExternalService"
)

// ExternalService is a destination outside the mesh.
type ExternalService struct {
	Name     string       `yaml:"name"`
	Mesh     string       `yaml:"mesh"`
	Kind     ExternalKind `yaml:"kind"`
	Address  string       `yaml:"address"`
	Port     int          `yaml:"port"`
	Protocol Protocol     `yaml:"protocol"`
	TLS      bool         `yaml:"tls"`
}

// Edge is traffic from one service or gateway to another service or external service.
// Rates are totals over all online source dataplanes, which share them evenly.
type Edge struct {
	// Mesh holds both ends; it defaults to the first mesh.
	Mesh string  `yaml:"mesh"`
	From string  `yaml:"from"`
	To   string  `yaml:"to"`
	RPS  float64 `yaml:"rps"`
	// Status maps a class ("2xx", "3xx", "4xx", "5xx") to its share of requests;
	// missing shares go to 2xx.
	Status map[string]float64 `yaml:"status"`
	// GRPCFailure is the share of gRPC calls that fail (grpc destinations only).
	GRPCFailure float64 `yaml:"grpcFailure"`
	// Retry, Timeout and Reset are shares of requests that are retried, time out or
	// are reset by the upstream.
	Retry   float64 `yaml:"retry"`
	Timeout float64 `yaml:"timeout"`
	Reset   float64 `yaml:"reset"`
	Latency Latency `yaml:"latency"`
	// TxBytesPerSec / RxBytesPerSec are bytes sent to / received from the destination.
	TxBytesPerSec float64 `yaml:"txBytesPerSec"`
	RxBytesPerSec float64 `yaml:"rxBytesPerSec"`
	// ConnectionsPerSec is the rate of new upstream connections and ActiveConnections
	// the number held open at any time.
	ConnectionsPerSec float64 `yaml:"connectionsPerSec"`
	ActiveConnections float64 `yaml:"activeConnections"`
	// Split makes the source emit un-merged split clusters <svc>-<16 hex> (legacy
	// naming only), as Envoy does before kuma-dp merges them.
	Split bool `yaml:"split"`
	// ToZones spreads every source's share of the edge over the destination's zones
	// (zone → share, adding up to 1), as a MeshLoadBalancingStrategy or a
	// MeshMultiZoneService would; without it a source calls its own zone when the
	// destination runs there (Kuma's default locality), else every zone that does.
	ToZones map[string]float64 `yaml:"toZones"`
}

// Load reads a topology file.
func Load(path string) (*Topology, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	defer f.Close()
	t, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("topology %s: %w", path, err)
	}
	return t, nil
}

// Decode parses a topology, applies defaults and validates it. Unknown keys are errors
// so that a typo does not silently produce an idle mesh.
func Decode(r io.Reader) (*Topology, error) {
	var t Topology
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return nil, err
	}
	t.applyDefaults()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Encode writes the topology as YAML (used for generated topologies).
func (t *Topology) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func (t *Topology) applyDefaults() {
	if len(t.Zones) == 0 {
		t.Zones = []string{"zone-1"}
	}
	if len(t.Meshes) == 0 {
		t.Meshes = []Mesh{{Name: "default"}}
	}
	for i := range t.Meshes {
		if t.Meshes[i].Naming == "" {
			t.Meshes[i].Naming = RegimeLegacy
		}
	}
	defMesh := t.Meshes[0].Name
	for i := range t.Services {
		s := &t.Services[i]
		s.Mesh = orDefault(s.Mesh, defMesh)
		s.Protocol = Protocol(orDefault(string(s.Protocol), string(ProtocolHTTP)))
		s.Workload = orDefault(s.Workload, s.Name)
		if s.Port == 0 {
			s.Port = 8080
		}
		if len(s.Instances) == 0 {
			s.Instances = map[string]int{t.Zones[0]: 1}
		}
	}
	for i := range t.Gateways {
		g := &t.Gateways[i]
		g.Mesh = orDefault(g.Mesh, defMesh)
		g.Type = GatewayType(orDefault(string(g.Type), string(GatewayBuiltin)))
		if g.Port == 0 {
			g.Port = 8080
		}
		if len(g.Instances) == 0 {
			g.Instances = map[string]int{t.Zones[0]: 1}
		}
	}
	for i := range t.Edges {
		t.Edges[i].Mesh = orDefault(t.Edges[i].Mesh, defMesh)
	}
	for i := range t.ExternalServices {
		e := &t.ExternalServices[i]
		e.Mesh = orDefault(e.Mesh, defMesh)
		e.Kind = ExternalKind(orDefault(string(e.Kind), string(ExternalMesh)))
		e.Protocol = Protocol(orDefault(string(e.Protocol), string(ProtocolHTTP)))
		if e.Port == 0 {
			e.Port = 443
		}
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
