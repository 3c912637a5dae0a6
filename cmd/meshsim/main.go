// Command meshsim serves a simulated Kuma mesh: a fake control-plane API, Envoy and
// kuma-cp metrics for Prometheus to scrape, or an OpenMetrics backfill of its history.
// See docs/simulator.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

type flags struct {
	topology, listen, regime, scrapeConfig, scrapeInterval string
	dumpTopology                                           string
	kumaVersion                                            int
	generate, fanout, zones                                int
	seed                                                   uint64
	backfill, backfillEnd, backfillFamilies, start         string
	backfillFor                                            string
	backfillDuration, backfillStep, startedAgo             time.Duration
}

func parseFlags(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("meshsim", flag.ContinueOnError)
	fs.StringVar(&f.topology, "topology", "", "topology file (YAML, see docs/simulator.md)")
	fs.IntVar(&f.generate, "generate", 0, "instead of --topology, generate a mesh with this many services")
	fs.IntVar(&f.fanout, "fanout", 3, "with --generate: outgoing edges per service, at most")
	fs.IntVar(&f.zones, "zones", 2, "with --generate: number of zones")
	fs.Uint64Var(&f.seed, "seed", 1, "with --generate: random seed (same seed, same mesh)")
	fs.StringVar(&f.dumpTopology, "dump-topology", "", "write the (generated) topology as YAML to this file")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:5681", "address of the fake CP API and the metrics endpoints")
	fs.IntVar(&f.kumaVersion, "kuma-version", 0, "answer like Kuma 2 (2.14.3) or 3 (3.0 pre-release); default 2, or 3 with --regime unified")
	fs.StringVar(&f.regime, "regime", "", "naming regime for every mesh: legacy, msvc or unified (default: per mesh from the topology)")
	fs.StringVar(&f.scrapeConfig, "scrape-config", "", "write a prometheus.yml that scrapes this simulator to this file")
	fs.StringVar(&f.scrapeInterval, "scrape-interval", "15s", "scrape interval written to --scrape-config")
	fs.DurationVar(&f.startedAgo, "started-ago", time.Hour, "how long before now the simulated proxies started (counters are 0 then)")
	fs.StringVar(&f.start, "start", "", "when the simulated proxies started, RFC 3339; overrides --started-ago (give the same value to a backfill and a live run so counters continue)")
	fs.StringVar(&f.backfill, "backfill", "", "write OpenMetrics history to this file (- for stdout) and exit, for promtool tsdb create-blocks-from openmetrics")
	fs.StringVar(&f.backfillEnd, "backfill-end", "", "time of the last backfilled sample, RFC 3339 (default now)")
	fs.DurationVar(&f.backfillDuration, "backfill-duration", 2*time.Hour, "length of the backfilled history")
	fs.DurationVar(&f.backfillStep, "backfill-step", 15*time.Second, "interval between backfilled samples")
	fs.StringVar(&f.backfillFamilies, "backfill-families", "", "regular expression: backfill only the metric families whose whole name matches (big meshes)")
	fs.StringVar(&f.backfillFor, "backfill-for", "", "version of the Prometheus that will serve the backfill (e.g. 3.16.0): histogram bounds in the le form its own scrapes store (Prometheus 3: \"1.0\"); default Envoy's (\"1\": Prometheus 2, VictoriaMetrics)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if (f.topology == "") == (f.generate == 0) {
		return f, errors.New("give exactly one of --topology and --generate")
	}
	return f, nil
}

func main() {
	f, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, f); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, f flags) error {
	topo, err := loadTopology(f)
	if err != nil {
		return err
	}
	if f.dumpTopology != "" {
		b, err := topo.Encode()
		if err == nil {
			err = os.WriteFile(f.dumpTopology, b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("--dump-topology: %w", err)
		}
	}
	now := time.Now()
	start := now.Add(-f.startedAgo)
	if f.start != "" {
		if start, err = time.Parse(time.RFC3339, f.start); err != nil {
			return fmt.Errorf("--start: %w", err)
		}
	}
	sim, err := meshsim.New(topo, meshsim.Options{KumaVersion: f.kumaVersion, Regime: meshsim.Regime(f.regime), Start: start})
	if err != nil {
		return err
	}
	if f.backfill != "" {
		return backfill(ctx, sim, f, now)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	if f.scrapeConfig != "" {
		if err := os.WriteFile(f.scrapeConfig, []byte(meshsim.ScrapeConfig(ln.Addr().String(), f.scrapeInterval)), 0o644); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("meshsim: Kuma %d CP API on http://%s, scrape targets at http://%s%s", sim.KumaVersion(), ln.Addr(), ln.Addr(), meshsim.PathSD)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func loadTopology(f flags) (*meshsim.Topology, error) {
	if f.generate > 0 {
		return meshsim.Generate(meshsim.GenerateOptions{Services: f.generate, FanOut: f.fanout, Zones: f.zones,
			Seed: f.seed, Regime: meshsim.Regime(f.regime)})
	}
	return meshsim.Load(f.topology)
}

func backfill(ctx context.Context, sim *meshsim.Sim, f flags, now time.Time) error {
	end := now
	if f.backfillEnd != "" {
		var err error
		if end, err = time.Parse(time.RFC3339, f.backfillEnd); err != nil {
			return fmt.Errorf("--backfill-end: %w", err)
		}
	}
	var w io.Writer = os.Stdout
	if f.backfill != "-" {
		file, err := os.Create(f.backfill)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	o := meshsim.BackfillOptions{End: end, Duration: f.backfillDuration, Step: f.backfillStep, Bounds: meshsim.BoundsFor(f.backfillFor)}
	if f.backfillFamilies != "" {
		re, err := regexp.Compile("^(?:" + f.backfillFamilies + ")$")
		if err != nil {
			return fmt.Errorf("--backfill-families: %w", err)
		}
		o.Family = re.MatchString
	}
	return sim.WriteOpenMetrics(ctx, w, o)
}
