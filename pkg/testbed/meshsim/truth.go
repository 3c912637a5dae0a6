package meshsim

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// EdgeTruth is what PromQL over the simulated metrics must answer for one edge,
// together with the label matchers that select the edge's series at the source.
type EdgeTruth struct {
	Mesh     string
	Regime   Regime
	From, To string
	Protocol Protocol
	// Source maps labels to regular expressions that select the source proxies' series.
	Source map[string]string
	// Clusters are the envoy_cluster_name values the sources use for the destination.
	Clusters []string
	// RPS is requests/s; 0 for TCP or when every source is offline.
	RPS float64
	// ErrorRatio is the 5xx share of requests; GRPCFailureRatio the failed gRPC share.
	ErrorRatio       float64
	GRPCFailureRatio float64
	// TxBytesPerSec / RxBytesPerSec are the bytes sent / received by the sources.
	TxBytesPerSec, RxBytesPerSec float64
	Latency                      Latency
	// Zones splits the traffic by the sources' and the destinations' zones (To is
	// empty for an external service), sorted by source zone, then destination zone.
	Zones []ZoneTruth
}

// ZoneTruth is the part of an edge's traffic from proxies in one zone to the
// destination's proxies in one zone.
type ZoneTruth struct {
	From, To string
	// RPS is requests/s (0 for TCP); BytesPerSec is sent plus received.
	RPS, BytesPerSec float64
}

// P50 and P99 return the Envoy bucket [lo, hi] (ms) holding the quantile; a correct
// histogram_quantile answer lies inside it.
func (e EdgeTruth) P50() (lo, hi float64) { return e.Latency.QuantileBucket(0.5) }

// P99 is like P50 for the 99th percentile.
func (e EdgeTruth) P99() (lo, hi float64) { return e.Latency.QuantileBucket(0.99) }

// Matchers renders Source and Clusters as PromQL label matchers (without braces).
func (e EdgeTruth) Matchers() string {
	return matchers(e.Source, "envoy_cluster_name", alternatives(e.Clusters))
}

// matchers renders regular-expression label matchers, sorted by label, then extra
// label/regex pairs.
func matchers(labels map[string]string, extra ...string) string {
	var m []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		m = append(m, k+"=~"+strconv.Quote(labels[k]))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m = append(m, extra[i]+"=~"+strconv.Quote(extra[i+1]))
	}
	return strings.Join(m, ",")
}

// Truths lists the truth of every edge, in topology order.
func (s *Sim) Truths() []EdgeTruth {
	var out []EdgeTruth
	for i := range s.model.Topology.Edges {
		out = append(out, s.truth(&s.model.Topology.Edges[i]))
	}
	return out
}

// Truth returns the truth of the edge from → to in mesh, and false if there is none.
func (s *Sim) Truth(mesh, from, to string) (EdgeTruth, bool) {
	for _, t := range s.Truths() {
		if t.Mesh == mesh && t.From == from && t.To == to {
			return t, true
		}
	}
	return EdgeTruth{}, false
}

func (s *Sim) truth(e *Edge) EdgeTruth {
	m := s.model
	t := EdgeTruth{Mesh: e.Mesh, Regime: m.meshes[e.Mesh].Naming, From: e.From, To: e.To, Latency: e.Latency}
	sources := m.proxiesOf(e.Mesh, e.From, true)
	for _, d := range sources {
		for _, o := range d.outbound {
			if o.edge == e && !slices.Contains(t.Clusters, o.cluster) {
				t.Clusters = append(t.Clusters, o.cluster)
				t.Protocol = o.proto
			}
		}
	}
	if len(sources) > 0 {
		t.Source = sourceMatchers(sources)
		if t.Protocol.IsHTTP() {
			t.RPS = e.RPS
			t.ErrorRatio = e.StatusShare("5xx")
			t.GRPCFailureRatio = e.GRPCFailure
		}
		t.TxBytesPerSec, t.RxBytesPerSec = e.txBytes(t.Protocol), e.rxBytes(t.Protocol)
	}
	shares := m.zoneShares[e]
	for _, k := range slices.SortedFunc(maps.Keys(shares), func(a, b [2]string) int {
		return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1])
	}) {
		t.Zones = append(t.Zones, ZoneTruth{From: k[0], To: k[1], RPS: t.RPS * shares[k],
			BytesPerSec: (t.TxBytesPerSec + t.RxBytesPerSec) * shares[k]})
	}
	return t
}

// sourceMatchers selects the proxies of one service or gateway. Kuma 3.0 gateways
// carry no workload label, so their instances are listed.
func sourceMatchers(dps []*Dataplane) map[string]string {
	d := dps[0]
	switch {
	case d.Mesh.Naming != RegimeUnified:
		return map[string]string{"mesh": regexp.QuoteMeta(d.Mesh.Name), "kuma_io_service": regexp.QuoteMeta(d.KumaService())}
	case d.Service != nil:
		return map[string]string{"mesh": regexp.QuoteMeta(d.Mesh.Name), "kuma_workload": regexp.QuoteMeta(d.Service.Workload)}
	}
	var instances []string
	for _, p := range dps {
		instances = append(instances, p.Address+":"+metricsPort)
	}
	return map[string]string{"mesh": regexp.QuoteMeta(d.Mesh.Name), "instance": alternatives(instances)}
}

// alternatives is a regular expression matching exactly one of values.
func alternatives(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return strings.Join(quoted, "|")
}
