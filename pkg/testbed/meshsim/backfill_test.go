package meshsim_test

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
)

// Keep thins a backfill out: only the scrapes at the times it accepts are written.
func TestWriteOpenMetricsKeep(t *testing.T) {
	topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: 2, FanOut: 1, Zones: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Unix(1764010800, 0)
	sim, err := meshsim.New(topo, meshsim.Options{Start: end.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	keep := func(ts time.Time) bool { return ts.Minute()%10 == 0 } // every 10 minutes of 30 s scrapes
	if err := sim.WriteOpenMetrics(context.Background(), &b, meshsim.BackfillOptions{End: end, Duration: 30 * time.Minute,
		Step: 30 * time.Second, Keep: keep, Family: func(name string) bool { return name == "up" }}); err != nil {
		t.Fatal(err)
	}
	stamps := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 {
			stamps[f[2]] = true
		}
	}
	want := map[string]bool{}
	for ts := end.Add(-30 * time.Minute); !ts.After(end); ts = ts.Add(30 * time.Second) {
		if keep(ts) {
			want[strconv.FormatFloat(float64(ts.UnixMilli())/1000, 'f', 3, 64)] = true
		}
	}
	if len(stamps) != len(want) || len(want) == 0 {
		t.Fatalf("wrote %d distinct times, want %d: %v", len(stamps), len(want), stamps)
	}
	for s := range want {
		if !stamps[s] {
			t.Errorf("no scrape at %s", s)
		}
	}
}
