package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// families are the only metric families either side queries; backfilling the rest of a
// big mesh would cost gigabytes and change nothing. Histograms go by their family name
// (envoy_cluster_upstream_rq_time), not by their _bucket series.
var families = regexp.MustCompile(`^envoy_(cluster_upstream_rq_(xx|total|time)|cluster_grpc_.*failure|` +
	`cluster_upstream_cx_(rx_bytes_total|tx_bytes_total|total)|http_downstream_rq_(xx|total|time))$`)

// refreshAfter is when a dashboard refreshes the map: the history goes on that long after
// the first map's end, so that the refresh reads data, not an empty tail.
const refreshAfter = 30 * time.Second

// gridBlock is the refresh cache's block (pkg/prom incrBlock): a refresh that crosses
// one of its boundaries at either end of the range reads the range's oldest minutes and
// the blocks dropped and added, besides its last minutes.
const gridBlock = 5 * time.Minute

// tiers thin the history out with age (bench.Thinned): scrapes every step for the
// last 7 minutes (the 5 m maps, the 1 m windows and the refresh read only these), then
// one every 15 minutes to 1 h 15, every hour to 6 h 15 and every 6 hours to 24 h 15.
// Ranges past 5 m therefore read far fewer samples per series than a real history of
// scrapes would: the report says how many. promtool's cost goes mostly by the number
// of 2 h blocks times the series, so the old samples are few and far apart: a day
// fills 7 or 8 blocks, not 13.
func tiers(step time.Duration) []bench.Tier {
	return []bench.Tier{{Age: 7 * time.Minute, Step: step}, {Age: 75 * time.Minute, Step: 15 * time.Minute},
		{Age: 375 * time.Minute, Step: time.Hour}, {Age: 24*time.Hour + 15*time.Minute, Step: 6 * time.Hour}}
}

// mesh is one generated mesh, its simulated CP and the time its maps end.
type mesh struct {
	services, fanout, edges, proxies int
	sim                              *meshsim.Sim
	cpURL                            string
	// end is the first map's end; the history is written up to end+refreshAfter.
	end  time.Time
	step time.Duration
	keep func(time.Time) bool
}

func newMesh(tb *bench.TB, o options, services, fanout int, longest time.Duration) (*mesh, error) {
	topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: services, FanOut: fanout, Zones: o.zones, Seed: o.seed})
	if err != nil {
		return nil, err
	}
	// A little in the past, so that the refresh's end is too, and 2 minutes into a
	// block of the refresh cache's grid, so that a refresh refreshAfter later stays on
	// the same blocks at both ends of every range of whole blocks (the typical refresh;
	// the blocks moving is measured apart, spec.moved).
	end := time.Now().Add(-2*time.Minute - gridBlock).Truncate(gridBlock).Add(2 * time.Minute)
	last := end.Add(refreshAfter)
	sim, err := meshsim.New(topo, meshsim.Options{Start: last.Add(-longest - 15*time.Minute - o.step)})
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(sim.Handler())
	tb.Cleanup(srv.Close)
	keep := bench.Thinned(last, tiers(o.step))
	if longest >= fullAt {
		// The start of the 6-hour maps at full resolution too: their refresh after the
		// blocks moved reads the oldest minutes and the block dropped (spec.moved), which
		// a thinned history would leave empty.
		from, to := end.Add(-fullAt-fullAround), end.Add(-fullAt+fullAround)
		thinned := keep
		keep = func(ts time.Time) bool {
			return thinned(ts) || !ts.Before(from) && !ts.After(to) && ts.UnixMilli()%o.step.Milliseconds() == 0
		}
	}
	return &mesh{services: services, fanout: fanout, edges: len(topo.Edges), proxies: len(sim.Targets()), sim: sim,
		cpURL: srv.URL, end: end, step: o.step, keep: keep}, nil
}

// fullAt ± fullAround is kept at full resolution (newMesh): the maps over fullAt read
// their oldest minutes there (a head of up to 6 minutes, the block dropped when the
// blocks move 5 minutes later, and increase's lookback).
const (
	fullAt     = 6 * time.Hour
	fullAround = 8 * time.Minute
)

// history writes the thinned history in [from, to] as OpenMetrics text.
func (m *mesh) history(ctx context.Context, from, to time.Time) func(io.Writer) error {
	return func(w io.Writer) error {
		return m.sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: to, Duration: to.Sub(from), Step: m.step,
			Family: families.MatchString, Keep: m.keep})
	}
}

// span is the history a mesh mapped over at most longest needs: up to the refresh's end.
func (m *mesh) historySpan(longest time.Duration) (from, to time.Time) {
	to = m.end.Add(refreshAfter)
	return to.Add(-longest - 15*time.Minute), to
}

// samples is how many scrapes per series a map over rng ending at m.end reads.
func (m *mesh) samples(rng time.Duration) int { return bench.Kept(m.keep, m.end, rng, m.step) }

// block is the TSDB block range promtool writes (Prometheus 2.42's promtool cannot
// be told otherwise).
const block = 2 * time.Hour

// backfill writes the history block by block, one promtool run each, two at a time where
// memory allows (the simulator writes one block while promtool reads another), and gathers the blocks in
// one data directory: promtool reads its whole input once per block it writes, so a
// day in one file would be read thirteen times.
func (m *mesh) backfill(ctx context.Context, tb *bench.TB, longest time.Duration) (string, error) {
	first, last := m.historySpan(longest)
	var windows [][2]time.Time
	for from := first.Truncate(block); !from.After(last); from = from.Add(block) {
		from, to := later(from, first), from.Add(block-m.step)
		if to.After(last) {
			to = last
		}
		if bench.Kept(m.keep, to, to.Sub(from)+m.step, m.step) > 0 { // promtool refuses an empty input
			windows = append(windows, [2]time.Time{from, to})
		}
	}
	if len(windows) == 0 {
		return "", errors.New("backfill: no sample in the history")
	}
	dirs := make([]string, len(windows))
	errs := make([]error, len(windows))
	// promtool holds a block's series and samples in memory, up to about 1.4 MB per edge
	// (13.6 GB for 5,000 services and 9,999 edges over an hour): two at a time while two
	// fit in some 8 GB of a shared machine, up to 3,000 edges, then one.
	slots := make(chan struct{}, max(1, min(2, 3000/max(1, m.edges))))
	var wg sync.WaitGroup
	for i, w := range windows {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			// promtest reports failures by panicking through TB: keep them in this goroutine.
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("backfill %s to %s: %v", w[0].Format(time.RFC3339), w[1].Format(time.RFC3339), r)
				}
			}()
			dirs[i] = promtest.Backfill(tb, ctx, m.history(ctx, w[0], w[1]))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	for _, dir := range dirs[1:] {
		blocks, err := os.ReadDir(dir)
		if err != nil {
			return "", err
		}
		for _, b := range blocks {
			if err := os.Rename(filepath.Join(dir, b.Name()), filepath.Join(dirs[0], b.Name())); err != nil {
				return "", err
			}
		}
	}
	return dirs[0], nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// store is one time-series store holding a mesh's history, and a tally proxy in front of
// it for the passes that count round trips and series.
type store struct {
	name     string
	url      string
	tally    *bench.Tally
	tallyURL string
	series   int
	// dir is a Prometheus' data directory, whose blocks a store with more series reuses.
	dir string
}

// prometheus backfills the mesh's history up to longest into a real Prometheus.
func (m *mesh) prometheus(ctx context.Context, tb *bench.TB, longest time.Duration) (*store, error) {
	logf("mesh %d services / %d edges: backfilling %s of %d targets into Prometheus", m.services, m.edges, longest, m.proxies)
	dir, err := m.backfill(ctx, tb, longest)
	if err != nil {
		return nil, err
	}
	srv := promtest.Start(tb, promtest.Options{DataDir: dir})
	st, err := newStore(ctx, tb, "Prometheus "+version(promtest.Binary(tb, "prometheus"), "prometheus"), srv.URL, m.end)
	if st != nil {
		st.dir = dir
	}
	return st, err
}

// withRecorded is a second Prometheus holding raw's blocks (hard links: blocks are never
// written again) and what the shipped recording rules record over the last rng, written
// by meshsim.WriteRecordedOpenMetrics at the rules' interval (it matches promtool's
// evaluation of the rules, pkg/prom's tests check), in one block as a long-running
// server holds them after compaction.
func (m *mesh) withRecorded(ctx context.Context, tb *bench.TB, raw *store, rng time.Duration) (*store, error) {
	logf("mesh %d services: writing %s of recorded series", m.services, rng)
	dir := promtest.Backfill(tb, ctx, func(w io.Writer) error {
		return m.sim.WriteRecordedOpenMetrics(ctx, w, meshsim.RecordedOptions{End: m.end, Duration: rng + 10*time.Minute})
	}, "--max-block-duration=48h")
	blocks, err := os.ReadDir(raw.dir)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if _, err := os.Stat(filepath.Join(raw.dir, b.Name(), "meta.json")); err != nil {
			continue // the WAL, lock and chunks of the running server, not a block
		}
		if out, err := exec.CommandContext(ctx, "cp", "-al", filepath.Join(raw.dir, b.Name()), dir).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("link block %s: %v: %s", b.Name(), err, out)
		}
	}
	srv := promtest.Start(tb, promtest.Options{DataDir: dir})
	return newStore(ctx, tb, raw.name, srv.URL, m.end) // the report says "with the recorded series"
}

// victoria imports the same history into VictoriaMetrics.
func (m *mesh) victoria(ctx context.Context, tb *bench.TB, longest time.Duration) (*store, error) {
	logf("mesh %d services: importing %s into VictoriaMetrics", m.services, longest)
	v := promtest.StartVictoriaMetrics(tb)
	from, to := m.historySpan(longest)
	v.Import(tb, ctx, m.history(ctx, from, to))
	return newStore(ctx, tb, "VictoriaMetrics "+version(promtest.Binary(tb, "victoria-metrics"), "victoria-metrics"), v.URL, m.end)
}

func newStore(ctx context.Context, tb *bench.TB, name, u string, at time.Time) (*store, error) {
	target, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	s := &store{name: name, url: u, tally: bench.NewTally(target)}
	srv := httptest.NewServer(s.tally)
	tb.Cleanup(srv.Close)
	s.tallyURL = srv.URL
	// VictoriaMetrics makes a flushed import searchable within a second or so: wait
	// until the count of series stops moving.
	prev := -1
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		n, err := countSeries(ctx, u, at)
		if err != nil {
			return nil, err
		}
		if n > 0 && n == prev {
			s.series = n
			return s, nil
		}
		prev = n
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: no stable series count after a minute", name)
		}
	}
}

func countSeries(ctx context.Context, u string, at time.Time) (int, error) {
	val, _, _, err := promAPI(u).Query(ctx, `count({__name__=~"envoy_.+"})`, at)
	if err != nil {
		return 0, err
	}
	if vec, ok := val.(model.Vector); ok && len(vec) == 1 {
		return int(vec[0].Value), nil
	}
	return 0, nil
}

// version is the first version-looking word a binary prints for --version, or else its
// Debian package's version (the packaged VictoriaMetrics prints none).
func version(binary, pkg string) string {
	out, _ := exec.Command(binary, "--version").CombinedOutput()
	if len(bytes.TrimSpace(out)) == 0 {
		out, _ = exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	}
	if v := regexp.MustCompile(`\d+\.\d+\.\d+`).Find(out); v != nil {
		return string(v)
	}
	return "(unknown version)"
}
