package promtest_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// counter writes a counter growing by 2 per second over ten minutes ending at end,
// sampled every 10 s, as OpenMetrics (timestamps in seconds, with a fraction).
func counter(end time.Time) func(io.Writer) error {
	return func(w io.Writer) error {
		for i := 0; i <= 60; i++ {
			ts := end.Add(time.Duration(i-60) * 10 * time.Second)
			if _, err := fmt.Fprintf(w, "demo_total{job=\"x\",note=\"a b}\"} %d %.3f\n", 20*i, float64(ts.UnixMilli())/1000); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "# EOF\n")
		return err
	}
}

// TestEachStoreServesTheHistory fills each store with the same counter and reads its
// rate and last value back.
func TestEachStoreServesTheHistory(t *testing.T) {
	ctx := context.Background()
	end := time.Now().Truncate(time.Minute)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) *promtest.Server
	}{
		{"prometheus", func(t *testing.T) *promtest.Server {
			return promtest.Start(t, promtest.Options{DataDir: promtest.Backfill(t, ctx, counter(end))})
		}},
		{"prometheus3", func(t *testing.T) *promtest.Server {
			bin := promtest.Prometheus3(t)
			if v := promtest.Version(t, bin); !strings.HasPrefix(v, "3.") {
				t.Errorf("%s is Prometheus %s, want 3.x", bin, v)
			}
			return promtest.Start(t, promtest.Options{Binary: bin, DataDir: promtest.Backfill(t, ctx, counter(end))})
		}},
		{"victoriametrics", func(t *testing.T) *promtest.Server {
			vm := promtest.StartVictoriaMetrics(t)
			vm.Import(t, ctx, counter(end))
			return vm
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			// Prometheus 3's window leaves out its start, so it extrapolates: the last bits differ.
			if got := s.QueryValue(t, ctx, `rate(demo_total[5m])`, end); math.Abs(got-2) > 1e-9 {
				t.Errorf("rate = %g, want 2", got)
			}
			if got := s.QueryValue(t, ctx, `scalar(demo_total{note="a b}"})`, end); got != 1200 {
				t.Errorf("value = %g, want 1200", got)
			}
			if _, err := s.Query(ctx, `rate(`, end); err == nil {
				t.Error("a bad query gave no error")
			}
		})
	}
}

// TestAddBlocks serves two backfills from one server, the second written in one block.
func TestAddBlocks(t *testing.T) {
	ctx := context.Background()
	end := time.Now().Truncate(time.Minute)
	series := func(name string) func(io.Writer) error {
		return func(w io.Writer) error {
			for i := 0; i <= 60; i++ {
				if _, err := fmt.Fprintf(w, "%s{job=\"x\"} %d %d\n", name, i, end.Add(time.Duration(i-60)*time.Minute).Unix()); err != nil {
					return err
				}
			}
			_, err := io.WriteString(w, "# EOF\n")
			return err
		}
	}
	data := promtest.Backfill(t, ctx, series("first"))
	promtest.AddBlocks(t, data, promtest.Backfill(t, ctx, series("second"), "--max-block-duration=24h"))
	prom := promtest.Start(t, promtest.Options{DataDir: data})
	if got := prom.QueryValue(t, ctx, `scalar(first + on() second)`, end); got != 120 {
		t.Errorf("first + second = %g, want 120", got)
	}
}
