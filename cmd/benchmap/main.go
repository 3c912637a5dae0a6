// Command benchmap measures the service map end to end against the community plugin's
// query strategy on the same real Prometheus and simulated mesh, and writes the figures
// to docs/performance.md. It needs the prometheus and promtool binaries on PATH.
//
//	go run ./cmd/benchmap --mesh 100:5,1000:5 --runs 7 --out docs/performance.md
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
)

func main() {
	var o options
	flag.StringVar(&o.meshes, "mesh", "100:5,1000:5", "generated meshes to measure, as services:fanout,...")
	flag.IntVar(&o.zones, "zones", 2, "zones of each generated mesh")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	flag.IntVar(&o.runs, "runs", 7, "timed runs per side (the median is reported)")
	flag.DurationVar(&o.window, "window", 5*time.Minute, "dashboard range the map covers")
	flag.DurationVar(&o.step, "step", 30*time.Second, "backfill sample interval")
	flag.IntVar(&o.concurrency, "concurrency", 100, "concurrent refreshes of one map")
	flag.StringVar(&o.join, "join", "10000:100000", "synthetic mesh for join vs decode, as services:edges (empty: skip)")
	flag.IntVar(&o.joinRuns, "join-runs", 3, "timed runs of the synthetic join and decode")
	flag.StringVar(&o.fold, "fold", "5000:25000", "synthetic mesh for top-N folding, as services:edges (empty: skip)")
	flag.StringVar(&o.out, "out", "docs/performance.md", "report to write ('-' for stdout)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "benchmap:", err)
		os.Exit(1)
	}
}

type options struct {
	meshes, join, fold, out string
	zones, runs, joinRuns   int
	concurrency             int
	seed                    uint64
	window, step            time.Duration
}

func run(ctx context.Context, o options) (err error) {
	if o.runs < 1 || o.joinRuns < 1 || o.concurrency < 1 {
		return errors.New("--runs, --join-runs and --concurrency must be positive")
	}
	tb := &bench.TB{}
	defer tb.Close()
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
	rep := report{options: o, started: time.Now().UTC()}
	for _, spec := range strings.Split(o.meshes, ",") {
		services, fanout, err := pair(spec)
		if err != nil {
			return fmt.Errorf("--mesh: %w", err)
		}
		m, err := measureMesh(ctx, tb, o, services, fanout)
		if err != nil {
			return err
		}
		rep.meshes = append(rep.meshes, m)
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
	text := rep.markdown()
	if o.out == "-" {
		_, err = os.Stdout.WriteString(text)
		return err
	}
	return os.WriteFile(o.out, []byte(text), 0o644)
}

// pair parses "a:b" into two positive numbers.
func pair(s string) (int, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), ":")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || x < 1 || y < 0 {
		return 0, 0, fmt.Errorf("%q: want two numbers as a:b", s)
	}
	return x, y, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
