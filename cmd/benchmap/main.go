// Command benchmap measures the service map end to end, over go-plugin/gRPC against the
// built backend binary, against the community plugin's twelve queries on the same real
// Prometheus (and VictoriaMetrics) fed by the simulated mesh, and writes the figures to
// docs/performance.md and a chart to docs/performance.svg. It needs prometheus,
// promtool and victoria-metrics; `go tool mage bench` builds the binary and runs it.
//
//	go run ./cmd/benchmap --quick --out -     # a few minutes: 100 services, 5m and 1h
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
)

type options struct {
	sizes, ranges, big, bigRanges  string
	vm, vmRanges, shards           string
	join, fold, out, svg           string
	goalSize                       int
	zones, runs, bigRuns, joinRuns int
	seed                           uint64
	step                           time.Duration
	quick, rules                   bool
}

func main() {
	var o options
	flag.BoolVar(&o.quick, "quick", false, "a small run while developing: 100 services, 5m and 1h, 3 runs, no synthetic meshes")
	flag.StringVar(&o.sizes, "sizes", "100:5,1000:5", "meshes measured at every --ranges, as services:fanout,...")
	flag.StringVar(&o.ranges, "ranges", "5m,1h,6h,24h", "dashboard ranges of the --sizes meshes")
	flag.StringVar(&o.big, "big", "5000:1", "meshes measured at --big-ranges only, with --big-runs (empty: none)")
	flag.StringVar(&o.bigRanges, "big-ranges", "5m,1h", "dashboard ranges of the --big meshes")
	flag.IntVar(&o.goalSize, "goal-size", 1000, "services of the mesh the goals' figures are measured on (one of --sizes)")
	flag.StringVar(&o.shards, "shards", "1,2,4", "prometheusShards settings of the same-window goal")
	flag.StringVar(&o.vm, "vm", "100", "services of the --sizes mesh also measured on VictoriaMetrics (empty: none)")
	flag.StringVar(&o.vmRanges, "vm-ranges", "5m,1h", "dashboard ranges measured on VictoriaMetrics")
	flag.BoolVar(&o.rules, "rules", true, "measure the goals' mesh over 24h with the recording rules' series (goal 3)")
	flag.IntVar(&o.zones, "zones", 2, "zones of each generated mesh")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	flag.IntVar(&o.runs, "runs", 5, "timed runs per side (the median is reported)")
	flag.IntVar(&o.bigRuns, "big-runs", 3, "timed runs per side on the --big meshes")
	flag.DurationVar(&o.step, "step", 30*time.Second, "scrape interval of the recent history")
	flag.StringVar(&o.join, "join", "10000:100000", "synthetic mesh for join vs decode, as services:edges (empty: skip)")
	flag.IntVar(&o.joinRuns, "join-runs", 3, "timed runs of the synthetic join and decode")
	flag.StringVar(&o.fold, "fold", "5000:25000", "synthetic mesh for top-N folding, as services:edges (empty: skip)")
	flag.StringVar(&o.out, "out", "docs/performance.md", "report to write ('-' for stdout)")
	flag.StringVar(&o.svg, "svg", "", "chart to write (default: performance.svg next to --out; none with --out -)")
	flag.Parse()
	if o.quick {
		o.sizes, o.ranges, o.big, o.goalSize, o.vmRanges, o.runs, o.join, o.fold = "100:5", "5m,1h", "", 100, "5m", 3, "", ""
	}
	if o.svg == "" && o.out != "-" {
		o.svg = filepath.Join(filepath.Dir(o.out), "performance.svg")
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "benchmap:", err)
		os.Exit(1)
	}
}

// meshSpec is one mesh and the ranges it is mapped over.
type meshSpec struct {
	services, fanout, runs int
	ranges                 []time.Duration
	big                    bool
}

func run(ctx context.Context, o options) (err error) {
	if o.runs < 1 || o.bigRuns < 1 || o.joinRuns < 1 {
		return errors.New("--runs, --big-runs and --join-runs must be positive")
	}
	specs, err := meshSpecs(o)
	if err != nil {
		return err
	}
	shards, err := numbers(o.shards)
	if err != nil {
		return fmt.Errorf("--shards: %w", err)
	}
	vmRanges, err := durations(o.vmRanges)
	if err != nil {
		return fmt.Errorf("--vm-ranges: %w", err)
	}
	vmSize := -1
	if o.vm != "" {
		if vmSize, err = strconv.Atoi(o.vm); err != nil {
			return fmt.Errorf("--vm: %w", err)
		}
	}
	// The test helpers report failures by panicking through TB; turn them into an error.
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(bench.Failure)
			if !ok {
				panic(r)
			}
			err = f
		}
	}()
	rep := &report{options: o, started: time.Now().UTC()}
	started := time.Now()
	for _, ms := range specs {
		if err := measureMesh(ctx, o, rep, ms, shards, vmSize, vmRanges); err != nil {
			return err
		}
	}
	for _, syn := range []struct {
		flag, spec string
		into       **syntheticResult
	}{{"--join", o.join, &rep.join}, {"--fold", o.fold, &rep.fold}} {
		if syn.spec == "" {
			continue
		}
		services, edges, err := pair(syn.spec)
		if err != nil {
			return fmt.Errorf("%s: %w", syn.flag, err)
		}
		if *syn.into, err = measureSynthetic(ctx, services, edges, o.joinRuns); err != nil {
			return err
		}
	}
	rep.took = time.Since(started)
	return rep.write()
}

// measureMesh measures one mesh at its ranges, and the goals on it when it is the goals'
// size. Its stores live only as long as this call: the next mesh gets the memory.
func measureMesh(ctx context.Context, o options, rep *report, ms meshSpec, shards []int, vmSize int, vmRanges []time.Duration) error {
	tb := &bench.TB{}
	defer tb.Close()
	longest := slices.Max(ms.ranges)
	onVM := ms.services == vmSize && len(vmRanges) > 0
	simulated := longest // the simulated proxies start early enough for every store's history
	if onVM {
		simulated = max(longest, slices.Max(vmRanges))
	}
	m, err := newMesh(tb, o, ms.services, ms.fanout, simulated)
	if err != nil {
		return err
	}
	st, err := m.prometheus(ctx, tb, longest)
	if err != nil {
		return err
	}
	// One plugin process per mesh, so that its peak memory is this mesh's.
	pp := startPlugin(tb, m.cpURL)
	table := map[string]any{"incrementalCacheMB": 64}
	if ms.big {
		// Whole maps: the default caps (200,000 series, 128 MB a sub-query) cut a
		// 5,000-service mesh's latency answer, and a cut map is no measure of a whole one.
		table["prometheusMaxSeries"], table["prometheusMaxResponseMB"] = 2_000_000, 1024
	}
	for _, rng := range ms.ranges {
		moved := ms.services == o.goalSize && rng == 6*time.Hour // goal 2's worst case
		rep.rows = append(rep.rows, measure(ctx, pp, m, st, spec{rng: rng, settings: table, refresh: true, moved: moved}, ms.runs))
	}
	if ms.services == o.goalSize {
		for _, n := range shards {
			rep.sameWindow = append(rep.sameWindow, measure(ctx, pp, m, st,
				spec{rng: 5 * time.Minute, rateInterval: time.Minute, settings: map[string]any{"prometheusShards": n}}, o.runs))
		}
		if rep.rules, rep.rulesNote, err = measureRules(ctx, tb, o, pp, m, st, longest); err != nil {
			return err
		}
		logf("  overhead in process")
		if rep.overhead, err = overhead(ctx, m, st, 5*time.Minute, o.runs); err != nil {
			return err
		}
	}
	if onVM {
		vst, err := m.victoria(ctx, tb, slices.Max(vmRanges))
		if err != nil {
			return err
		}
		for _, rng := range vmRanges {
			rep.rows = append(rep.rows, measure(ctx, pp, m, vst, spec{rng: rng, settings: table, refresh: true}, ms.runs))
		}
	}
	return nil
}

// measureRules is the goal-3 row: a 24 h map with recordingRules auto on a Prometheus
// that also holds the recorded series; a note instead of a row when not asked for.
func measureRules(ctx context.Context, tb *bench.TB, o options, pp *pluginProc, m *mesh, raw *store, longest time.Duration) (*row, string, error) {
	const rng = 24 * time.Hour
	if !o.rules {
		return nil, "skipped (`--rules=false`)", nil
	}
	if longest < rng {
		return nil, "skipped: the goals' mesh is not mapped over 24h (`--ranges`)", nil
	}
	st, err := m.withRecorded(ctx, tb, raw, rng)
	if err != nil {
		return nil, "", err
	}
	return measure(ctx, pp, m, st, spec{rng: rng, settings: map[string]any{"recordingRules": "auto"}}, o.runs), "", nil
}

func meshSpecs(o options) ([]meshSpec, error) {
	var out []meshSpec
	for _, g := range []struct {
		flag, sizes, ranges string
		runs                int
		big                 bool
	}{{"--sizes", o.sizes, o.ranges, o.runs, false}, {"--big", o.big, o.bigRanges, o.bigRuns, true}} {
		if g.sizes == "" {
			continue
		}
		ranges, err := durations(g.ranges)
		if err != nil {
			return nil, fmt.Errorf("%s ranges: %w", g.flag, err)
		}
		for _, s := range strings.Split(g.sizes, ",") {
			services, fanout, err := pair(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", g.flag, err)
			}
			out = append(out, meshSpec{services: services, fanout: fanout, runs: g.runs, ranges: ranges, big: g.big})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no mesh to measure (--sizes, --big)")
	}
	return out, nil
}

// pair parses "a:b" into two numbers, a positive.
func pair(s string) (int, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), ":")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || x < 1 || y < 0 {
		return 0, 0, fmt.Errorf("%q: want two numbers as a:b", s)
	}
	return x, y, nil
}

func numbers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want positive numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func durations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := model.ParseDuration(f)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q: want durations such as 5m,1h", s)
		}
		out = append(out, time.Duration(d))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q: no duration", s)
	}
	return out, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
