package prom_test

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// rulesFile is the shipped recording rules file.
const rulesFile = "../../prometheus/kuma-datasource-rules.yaml"

// queryLog records the PromQL a client sends.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query().Get("query")
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil && form.Has("query") {
			q = form.Get("query")
		}
	}
	l.mu.Lock()
	l.queries = append(l.queries, q)
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// recorded counts the sub-queries among the logged ones that read recorded series,
// and those that read raw ones.
func (l *queryLog) recorded() (rec, raw int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, q := range l.queries {
		switch {
		case strings.Contains(q, "sum_over_time(kuma_"):
			rec++
		case strings.Contains(q, "increase("):
			raw++
		}
	}
	return rec, raw
}

func newClient(t *testing.T, promURL string, opts ...prom.Option) (*prom.Client, *queryLog) {
	t.Helper()
	log := &queryLog{}
	c, err := prom.New(promURL, &http.Client{Transport: log}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

// perRegimeMesh is a small generated mesh, once per naming regime (meshes default-<regime>).
func perRegimeMesh(t *testing.T, services int) *meshsim.Topology {
	t.Helper()
	topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: services, FanOut: 2, Zones: 2, Seed: 17})
	if err != nil {
		t.Fatal(err)
	}
	return topo.PerRegime()
}

// problems are the notices that say something went wrong: Prometheus 3 adds infos
// (Envoy's counters lack the _total suffix) that do not.
func problems(notices []sample.Notice) []sample.Notice {
	return slices.DeleteFunc(slices.Clone(notices), func(n sample.Notice) bool { return n.Severity == sample.SeverityInfo })
}

// sameAnswers fails unless every sample of want has its like in got within 1 %
// relative (and no sample is in got only): then every req/s and error ratio of an edge
// or node is within 1 %, and every quantile falls in the same bucket.
func sameAnswers(t *testing.T, got, want []sample.Sample) {
	t.Helper()
	key := func(s sample.Sample) sample.Sample { s.Value = 0; return s }
	values := func(ss []sample.Sample) map[sample.Sample]float64 {
		m := map[sample.Sample]float64{}
		for _, s := range ss {
			m[key(s)] += s.Value
		}
		return m
	}
	g, w := values(got), values(want)
	if len(w) == 0 {
		t.Fatal("no samples to compare")
	}
	for k, wv := range w {
		if gv := g[k]; math.Abs(gv-wv) > 0.01*math.Max(math.Abs(gv), math.Abs(wv)) {
			t.Errorf("%+v: %g, want %g", k, gv, wv)
		}
	}
	for k, gv := range g {
		if _, ok := w[k]; !ok && gv != 0 {
			t.Errorf("%+v: %g, want none", k, gv)
		}
	}
}

// TestRecordingRulesAnswerAsRawSeries loads the shipped rules into a real Prometheus
// over a simulated mesh in every naming regime (promtool evaluates them on the
// backfilled history) and reads each map both ways: the recorded series must give the
// raw series' answers within 1 %, in each regime and in auto mode, for a window that is
// not a whole number of rule intervals.
func TestRecordingRulesAnswerAsRawSeries(t *testing.T) {
	topo := perRegimeMesh(t, 6)
	end := time.Now().Truncate(time.Minute)
	bed := meshsimtest.Start(t, topo, meshsimtest.Options{History: 80 * time.Minute, Step: time.Minute, End: end, Rules: rulesFile})
	// The test bed's helper writes the recorded series alone, for long benchmarks: a
	// Prometheus holding only them must give the same answers.
	ctx := context.Background()
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		return bed.Sim.WriteRecordedOpenMetrics(ctx, w, meshsim.RecordedOptions{End: end, Duration: 80 * time.Minute})
	})
	written := promtest.Start(t, promtest.Options{DataDir: data})
	rules, rulesLog := newClient(t, bed.PrometheusURL)
	off, offLog := newClient(t, bed.PrometheusURL, prom.WithRecordingRules(false))
	onlyRecorded, _ := newClient(t, written.URL)
	// The recorded buckets keep le, so shards split them as they split the raw ones.
	sharded, shardedLog := newClient(t, bed.PrometheusURL, prom.WithShards(3))
	for _, m := range topo.Meshes {
		regime := map[meshsim.Regime]naming.Regime{meshsim.RegimeLegacy: naming.RegimeLegacy,
			meshsim.RegimeMeshService: naming.RegimeMeshService, meshsim.RegimeUnified: naming.RegimeUnified}[m.Naming]
		for _, r := range []naming.Regime{naming.RegimeAuto, regime} {
			t.Run(m.Name+"/"+cmp.Or(string(r), "auto"), func(t *testing.T) {
				q := prom.MeshQuery{Mesh: m.Name, Regime: r, From: end.Add(-time.Hour - 150*time.Second), To: end}
				raw, err := off.FetchMeshSamples(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for name, c := range map[string]*prom.Client{"promtool's rules": rules, "meshsim's recorded series": onlyRecorded, "promtool's rules in 3 shards": sharded} {
					rec, err := c.FetchMeshSamples(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if rec.Regime != raw.Regime || len(problems(rec.Notices))+len(problems(raw.Notices)) != 0 {
						t.Errorf("%s: regime %q / %q, notices %v / %v", name, rec.Regime, raw.Regime, rec.Notices, raw.Notices)
					}
					t.Run(name, func(t *testing.T) { sameAnswers(t, rec.Samples, raw.Samples) })
				}
			})
		}
	}
	if rec, raw := rulesLog.recorded(); rec != 4*2*len(topo.Meshes) || raw != 0 {
		t.Errorf("with the rules: %d sub-queries read recorded series, %d raw; want all recorded", rec, raw)
	}
	if rec, raw := shardedLog.recorded(); rec != (4+2)*2*len(topo.Meshes) || raw != 0 {
		t.Errorf("with the rules in 3 shards: %d queries read recorded series, %d raw; want all recorded (latency in 3)", rec, raw)
	}
	if rec, raw := offLog.recorded(); rec != 0 || raw != 4*2*len(topo.Meshes) {
		t.Errorf("recordingRules off: %d sub-queries read recorded series, %d raw; want all raw", rec, raw)
	}

	// Windows the rules cannot serve read the raw series: a short one, and one
	// reaching back before the rules ran.
	for _, from := range []time.Time{end.Add(-30 * time.Minute), end.Add(-3 * time.Hour)} {
		c, log := newClient(t, bed.PrometheusURL)
		if _, err := c.FetchMeshSamples(ctx, prom.MeshQuery{Mesh: topo.Meshes[0].Name, From: from, To: end}); err != nil {
			t.Fatal(err)
		}
		if rec, raw := log.recorded(); rec != 0 || raw != 4 {
			t.Errorf("window from %s: %d sub-queries read recorded series, %d raw; want all raw", end.Sub(from), rec, raw)
		}
	}
}

// TestRecordingRulesAbsent reads the raw series from a Prometheus without the rules.
func TestRecordingRulesAbsent(t *testing.T) {
	topo := perRegimeMesh(t, 3)
	end := time.Now().Truncate(time.Minute)
	bed := meshsimtest.Start(t, topo, meshsimtest.Options{History: 70 * time.Minute, Step: time.Minute, End: end})
	c, log := newClient(t, bed.PrometheusURL)
	set, err := c.FetchMeshSamples(context.Background(), prom.MeshQuery{Mesh: topo.Meshes[0].Name, From: end.Add(-time.Hour), To: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Samples) == 0 || len(problems(set.Notices)) != 0 {
		t.Errorf("%d samples, notices %v", len(set.Samples), set.Notices)
	}
	if rec, raw := log.recorded(); rec != 0 || raw != 4 {
		t.Errorf("%d sub-queries read recorded series, %d raw; want all raw", rec, raw)
	}
	if !slices.ContainsFunc(log.queries, func(q string) bool { return strings.Contains(q, "kuma_edge:") }) {
		t.Error("the recording rules were not looked for")
	}
}
