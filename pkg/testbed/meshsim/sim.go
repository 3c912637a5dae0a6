package meshsim

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Options tune a simulation.
type Options struct {
	// KumaVersion is 2 (answers like kuma-cp 2.14.3, the default) or 3 (like the 3.0
	// pre-release: unified naming, no builtin gateways or legacy ExternalServices,
	// empty service insights).
	KumaVersion int
	// Regime, when set, replaces every mesh's naming regime.
	Regime Regime
	// Start is when every simulated proxy started: counters are 0 then. Defaults to
	// the time New is called.
	Start time.Time
	// Now is the clock of live metrics; it defaults to time.Now.
	Now func() time.Time
}

// Sim is a running simulation of one topology.
type Sim struct {
	model *Model
	opts  Options
}

// New resolves the topology for the options. The topology is copied, never changed.
func New(t *Topology, o Options) (*Sim, error) {
	if o.KumaVersion == 0 {
		o.KumaVersion = 2
		if o.Regime == RegimeUnified {
			o.KumaVersion = 3
		}
	}
	if o.KumaVersion != 2 && o.KumaVersion != 3 {
		return nil, fmt.Errorf("kuma version %d: want 2 or 3", o.KumaVersion)
	}
	if o.KumaVersion == 3 && o.Regime != "" && o.Regime != RegimeUnified {
		return nil, errors.New("kuma 3 only has unified naming")
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := t.clone()
	c.applyDefaults() // topologies built in Go skip Decode
	for i := range c.Meshes {
		if o.Regime != "" {
			c.Meshes[i].Naming = o.Regime
		}
		if o.KumaVersion == 3 {
			c.Meshes[i].Naming = RegimeUnified
		}
	}
	if o.KumaVersion == 3 {
		c.dropKuma2Features()
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Sim{model: newModel(c), opts: o}, nil
}

// Model is the resolved topology (dataplanes and their traffic).
func (s *Sim) Model() *Model { return s.model }

// KumaVersion is 2 or 3.
func (s *Sim) KumaVersion() int { return s.opts.KumaVersion }

func (s *Sim) version() string {
	if s.opts.KumaVersion == 3 {
		return "0.0.0-preview.v348b6528b"
	}
	return "2.14.3"
}

// elapsed is the proxies' age at now, in seconds (never negative).
func (s *Sim) elapsed(now time.Time) float64 {
	return max(0, now.Sub(s.opts.Start).Seconds())
}

// clone copies everything New may change.
func (t *Topology) clone() *Topology {
	c := *t
	c.Meshes = slices.Clone(t.Meshes)
	c.Services = slices.Clone(t.Services)
	c.Gateways = slices.Clone(t.Gateways)
	c.ExternalServices = slices.Clone(t.ExternalServices)
	c.Edges = slices.Clone(t.Edges)
	return &c
}

// dropKuma2Features turns what 3.0 removed into its nearest 3.0 equivalent: builtin
// gateways become delegated ones and ExternalServices MeshExternalServices.
func (t *Topology) dropKuma2Features() {
	for i := range t.Gateways {
		t.Gateways[i].Type = GatewayDelegated
	}
	for i := range t.ExternalServices {
		t.ExternalServices[i].Kind = ExternalMesh
	}
}
