package bench

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// envoyBounds are Envoy's default histogram bounds in ms, +Inf last (as in docs/simulator.md).
var envoyBounds = []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
	300000, 600000, 1800000, 3600000, math.Inf(1)}

// Synthetic is a legacy-naming mesh too big to backfill: its CP topology and the answers
// Prometheus would give to the map's four sub-queries.
type Synthetic struct {
	Topology graph.Topology
	Answers  *Replay
	// Series is the number of series in all answers.
	Series int
}

// NewSynthetic builds services over zones with edges spread evenly (service i calls
// i+1 .. i+edges/services, wrapping), each edge reporting three status classes and
// buckets latency buckets from one zone.
func NewSynthetic(services, edges, zones, buckets int) (*Synthetic, error) {
	if services < 2 || edges < 1 || zones < 1 || buckets < 1 || buckets > len(envoyBounds) {
		return nil, fmt.Errorf("synthetic: bad sizes %d services, %d edges, %d zones, %d buckets", services, edges, zones, buckets)
	}
	bounds := append(append([]float64{}, envoyBounds[:buckets-1]...), math.Inf(1))
	s := &Synthetic{}
	name := func(i int) string { return fmt.Sprintf("svc-%05d", i) }
	zone := func(i int) string { return fmt.Sprintf("zone-%d", i%zones+1) }
	for i := range services {
		s.Topology.Services = append(s.Topology.Services, graph.Service{Name: name(i), Info: graph.Info{
			Kind: graph.KindInternal, Zones: []string{zone(i)}, Protocol: "http", Status: graph.StatusOnline,
			Dataplanes: graph.Dataplanes{Online: 1, Total: 1}}})
	}
	req, lat, in := newVector(), newVector(), newVector()
	perService := (edges + services - 1) / services
	inbound := make([]float64, services)
	for e := range edges {
		src, dst := e/perService, (e/perService+1+e%perService)%services
		if src == dst {
			dst = (dst + 1) % services
		}
		rps := float64(1 + e%97)
		proxy := []string{"mesh", "default", "kuma_io_service", name(src), "kuma_io_zone", zone(src), "envoy_cluster_name", name(dst)}
		for c, share := range []float64{0.94, 0.04, 0.02} {
			req.add(rps*share*3600, append(proxy, "envoy_response_code_class", strconv.Itoa(c+2), "kuma_datasource_kind", "requests")...)
		}
		for b, le := range bounds {
			lat.add(rps*3600*float64(b+1)/float64(len(bounds)), append(proxy, "le", formatLE(le))...)
		}
		inbound[dst] += rps * 3600
	}
	for i, v := range inbound {
		if v > 0 {
			in.add(v, "mesh", "default", "kuma_io_service", name(i), "kuma_io_zone", zone(i),
				"envoy_http_conn_manager_prefix", "localhost_8080", "envoy_response_code_class", "2")
		}
	}
	s.Answers = &Replay{Bodies: map[string][]byte{"requests": req.json(), "latency": lat.json(), "inbound": in.json(), "tcp": newVector().json()}}
	s.Series = req.n + lat.n + in.n
	return s, nil
}

// SyntheticQuery is the map query the synthetic answers stand for.
var SyntheticQuery = prom.MeshQuery{Mesh: "default", From: time.Unix(1764007200, 0), To: time.Unix(1764010800, 0)}

// Client is a Prometheus client that gets the synthetic answers from memory, with the
// series cap lifted so that every series reaches the join, and opts (shards) applied.
// The answers hold no recorded series, so the client does not look for them: the
// presence check would otherwise be answered (and decoded) as a raw sub-query.
func (s *Synthetic) Client(opts ...prom.Option) (*prom.Client, error) {
	base := []prom.Option{prom.WithMaxSeries(s.Series), prom.WithRecordingRules(false)}
	return prom.New("http://replay.invalid", &http.Client{Transport: s.Answers}, append(base, opts...)...)
}

// SyntheticJoin is what benchmarks of the join and the frames start from: the topology
// of a synthetic mesh of services and edges (3 zones, Envoy's 20 buckets), its answers
// decoded as the plugin decodes them (with the client options opts: shards), and join
// options with the default normaliser.
func SyntheticJoin(tb testing.TB, services, edges int, opts ...prom.Option) (graph.Topology, sample.Set, graph.Options) {
	tb.Helper()
	syn, err := NewSynthetic(services, edges, 3, len(envoyBounds))
	if err != nil {
		tb.Fatal(err)
	}
	pc, err := syn.Client(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	set, err := pc.FetchMeshSamples(tb.Context(), SyntheticQuery)
	if err != nil {
		tb.Fatal(err)
	}
	normaliser, err := naming.NewNormaliser("")
	if err != nil {
		tb.Fatal(err)
	}
	return syn.Topology, set, graph.Options{Normaliser: normaliser}
}

func formatLE(le float64) string {
	if math.IsInf(le, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(le, 'f', -1, 64)
}

// vector writes the /api/v1/query JSON of an instant vector, as Prometheus does.
type vector struct {
	b []byte
	n int
}

func newVector() *vector {
	return &vector{b: []byte(`{"status":"success","data":{"resultType":"vector","result":[`)}
}

func (v *vector) add(value float64, labels ...string) {
	if v.n > 0 {
		v.b = append(v.b, ',')
	}
	v.n++
	v.b = append(v.b, `{"metric":{`...)
	for i := 0; i < len(labels); i += 2 {
		if i > 0 {
			v.b = append(v.b, ',')
		}
		v.b = strconv.AppendQuote(v.b, labels[i])
		v.b = append(v.b, ':')
		v.b = strconv.AppendQuote(v.b, labels[i+1])
	}
	v.b = append(v.b, `},"value":[1764010800,"`...)
	v.b = strconv.AppendFloat(v.b, value, 'g', -1, 64)
	v.b = append(v.b, `"]}`...)
}

func (v *vector) json() []byte { return append(v.b, "]}}"...) }
