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
	Live bool
	// Rules, a rules file, makes Prometheus also hold what its recording rules would
	// have recorded over the history (promtool evaluates them on the backfilled data).
	Rules string
}

// Bed is a running simulated mesh.
type Bed struct {
	Sim *meshsim.Sim
	// CPURL is the fake control plane, PrometheusURL the Prometheus holding its metrics.
	CPURL, PrometheusURL string
	Prometheus           *promtest.Server
	// End is the time of the last backfilled sample: query at End, or up to the
	// lookback delta (5m) after it.
	End time.Time
}

// Defaults of a backfilled bed: enough for rate(...[5m]), quick to build.
const (
	defaultHistory = 20 * time.Minute
	defaultStep    = 15 * time.Second
)

// Start runs the fake CP and Prometheus for topo; both stop when the test ends.
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
	if o.Live {
		bed.Prometheus = promtest.Start(t, promtest.Options{Config: meshsim.ScrapeConfig(strings.TrimPrefix(cp.URL, "http://"), "1s")})
	} else {
		ctx := context.Background()
		data := promtest.Backfill(t, ctx, func(w io.Writer) error {
			return sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: o.End, Duration: o.History, Step: o.Step})
		})
		bed.Prometheus = promtest.Start(t, promtest.Options{DataDir: data})
		if o.Rules != "" {
			bed.Prometheus.BackfillRules(t, ctx, o.Rules, o.End.Add(-o.History), o.End)
			bed.Prometheus = promtest.Start(t, promtest.Options{DataDir: data})
		}
	}
	bed.PrometheusURL = bed.Prometheus.URL
	return bed
}
