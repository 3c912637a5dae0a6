// Package meshsimtest gives end-to-end tests a simulated Kuma mesh: the fake CP on a
// loopback URL and a real Prometheus holding the mesh's metrics, whose true values
// are known (Bed.Sim.Truths).
package meshsimtest

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// Options tune a test bed; the zero value backfills 20 minutes ending now.
type Options struct {
	// Sim are the simulation options (Kuma version, regime). Sim.Start defaults to
	// the start of the history.
	Sim meshsim.Options
	// History is how much backfilled history Prometheus holds (default 20m), Step the
	// sample interval (default 15s), End the last sample (default now, to the Step).
	History, Step time.Duration
	End           time.Time
	// Live makes Prometheus scrape the simulator every second instead of serving
	// backfilled history; rates then need a few seconds of samples (use irate).
	// Prometheus stores only.
	Live bool
	// Store is the time-series database the bed fills (default StorePrometheus).
	Store Store
	// Rules, a rules file, makes Prometheus also hold what its recording rules would
	// have recorded over the history (promtool evaluates them on the backfilled data).
	// Prometheus stores only.
	Rules string
}

// Store is a time-series database the plugin reads through the Prometheus HTTP API.
type Store string

const (
	// StorePrometheus is the prometheus on PATH (Debian's: 2.42).
	StorePrometheus Store = "prometheus"
	// StorePrometheus3 is the binary named by KUMA_PROMETHEUS3_BINARY (promtest.Prometheus3).
	StorePrometheus3 Store = "prometheus3"
	// StoreVictoriaMetrics is single-node VictoriaMetrics, filled by its import API.
	StoreVictoriaMetrics Store = "victoriametrics"
)

// Stores are every store, for tests of the numbers table-driven by store.
var Stores = []Store{StorePrometheus, StorePrometheus3, StoreVictoriaMetrics}

// Bed is a running simulated mesh.
type Bed struct {
	Sim *meshsim.Sim
	// CPURL is the fake control plane, PrometheusURL the Prometheus holding its metrics.
	CPURL, PrometheusURL string
	// Prometheus is the store's server, whichever Store it is.
	Prometheus *promtest.Server
	// End is the time of the last backfilled sample: query at End, or up to the
	// lookback delta (5m) after it.
	End time.Time
}

// Defaults of a backfilled bed: enough for rate(...[5m]), quick to build.
const (
	defaultHistory = 20 * time.Minute
	defaultStep    = 15 * time.Second
)

// Start runs the fake CP and the store (Prometheus unless Options.Store says otherwise)
// for topo; both stop when the test ends.
func Start(t testing.TB, topo *meshsim.Topology, o Options) *Bed {
	t.Helper()
	if o.History == 0 {
		o.History = defaultHistory
	}
	if o.Step == 0 {
		o.Step = defaultStep
	}
	if o.End.IsZero() {
		o.End = time.Now().Truncate(o.Step)
	}
	if o.Sim.Start.IsZero() {
		o.Sim.Start = o.End.Add(-o.History)
	}
	sim, err := meshsim.New(topo, o.Sim)
	if err != nil {
		t.Fatalf("meshsim: %v", err)
	}
	cp := httptest.NewServer(sim.Handler())
	t.Cleanup(cp.Close)
	bed := &Bed{Sim: sim, CPURL: cp.URL, End: o.End}
	ctx := context.Background()
	history := func(bounds meshsim.BoundForm) func(io.Writer) error {
		return func(w io.Writer) error {
			return sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: o.End, Duration: o.History, Step: o.Step, Bounds: bounds})
		}
	}
	switch o.Store {
	case StoreVictoriaMetrics:
		if o.Live || o.Rules != "" {
			t.Fatal("meshsimtest: Live and Rules need a Prometheus store")
		}
		bed.Prometheus = promtest.StartVictoriaMetrics(t)
		// VictoriaMetrics stores le as the exporter writes it.
		bed.Prometheus.Import(t, ctx, history(meshsim.BoundsAsExposed))
	case StorePrometheus, StorePrometheus3, "":
		bin := promtest.Binary(t, "prometheus")
		if o.Store == StorePrometheus3 {
			bin = promtest.Prometheus3(t)
		}
		if o.Live {
			bed.Prometheus = promtest.Start(t, promtest.Options{Binary: bin, Config: meshsim.ScrapeConfig(strings.TrimPrefix(cp.URL, "http://"), "1s")})
			break
		}
		data := promtest.Backfill(t, ctx, history(meshsim.BoundsFor(promtest.Version(t, bin))))
		bed.Prometheus = promtest.Start(t, promtest.Options{Binary: bin, DataDir: data})
		if o.Rules != "" {
			bed.Prometheus.BackfillRules(t, ctx, o.Rules, o.End.Add(-o.History), o.End)
			bed.Prometheus = promtest.Start(t, promtest.Options{Binary: bin, DataDir: data})
		}
	default:
		t.Fatalf("meshsimtest: unknown store %q", o.Store)
	}
	bed.PrometheusURL = bed.Prometheus.URL
	return bed
}
