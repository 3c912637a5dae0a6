package meshsim

import (
	"net/url"
	"time"
)

// Paths of the simulator's own endpoints; they sit beside the fake CP API under a
// prefix the real API never uses.
const (
	PathSD               = "/sim/sd"
	pathDataplaneMetric  = "/sim/metrics/dataplanes/"
	pathCPMetrics        = "/sim/metrics/kuma-cp"
	pathZoneProxyMetrics = "/sim/metrics/zone-proxies/"
)

// Target is one thing Prometheus scrapes: an online proxy, a zone proxy, a Kubernetes
// exporter or a CP.
type Target struct {
	Job string
	// Path is the metrics path on the simulator.
	Path string
	// Labels are what the scrape attaches (instance and, in legacy regimes, Kuma's
	// service-discovery labels).
	Labels  []Label
	metrics func(t float64, common ...Label) *Families
	sim     *Sim
}

// Families returns the target's exposition at a time, with common on every sample.
func (t Target) Families(at time.Time, common ...Label) *Families {
	return t.metrics(t.sim.elapsed(at), common...)
}

// Targets lists every scrape target: online proxies, zone proxies, the kubelet and
// kube-state-metrics of Kubernetes pods, then the global CP, then one CP per zone.
func (s *Sim) Targets() []Target {
	var out []Target
	for _, d := range s.model.Dataplanes {
		if d.Online {
			out = append(out, Target{Job: JobDataplanes, Path: pathDataplaneMetric + url.PathEscape(d.Mesh.Name) + "/" + url.PathEscape(d.Name),
				Labels: d.TargetLabels(), metrics: s.connectedEnvoy(d), sim: s})
		}
	}
	out = append(out, s.zoneProxyTargets()...)
	out = append(out, s.kubernetesTargets()...)
	for _, zone := range append([]string{""}, s.model.Topology.Zones...) {
		path, host := pathCPMetrics, "kuma-global-cp"
		if zone != "" {
			path, host = pathCPMetrics+"/"+url.PathEscape(zone), "kuma-"+zone+"-cp"
		}
		out = append(out, Target{Job: JobCP, Path: path, Labels: []Label{{"instance", host + ":5680"}},
			metrics: func(t float64, common ...Label) *Families { return s.CPMetrics(zone, t, common...) }, sim: s})
	}
	return out
}

// connectedEnvoy is a dataplane's Envoy metrics plus the control plane it is connected
// to: Envoy's text readout control_plane.identifier (the CP instance id, its own zone's
// CP here), which Envoy exports as a 0-valued sample with the text in text_value.
func (s *Sim) connectedEnvoy(d *Dataplane) func(t float64, common ...Label) *Families {
	return func(t float64, common ...Label) *Families {
		f := d.EnvoyMetrics(t, common...)
		f.Gauge("envoy_control_plane_identifier", 0, Label{"text_value", s.instanceID(d.Zone)})
		return f
	}
}
