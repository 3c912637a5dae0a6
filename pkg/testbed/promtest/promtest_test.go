package promtest_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// TestBackfillAndQuery writes a counter growing by 2 per second, serves it and reads
// the rate back.
func TestBackfillAndQuery(t *testing.T) {
	ctx := context.Background()
	end := time.Now().Truncate(time.Minute)
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		for i := 0; i <= 60; i++ {
			ts := end.Add(time.Duration(i-60) * 10 * time.Second)
			if _, err := fmt.Fprintf(w, "demo_total{job=\"x\"} %d %d\n", 20*i, ts.Unix()); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "# EOF\n")
		return err
	})
	prom := promtest.Start(t, promtest.Options{DataDir: data})
	if got := prom.QueryValue(t, ctx, `rate(demo_total[5m])`, end); got != 2 {
		t.Errorf("rate = %g, want 2", got)
	}
	if got := prom.QueryValue(t, ctx, `scalar(demo_total)`, end); got != 1200 {
		t.Errorf("value = %g, want 1200", got)
	}
	if _, err := prom.Query(ctx, `rate(`, end); err == nil {
		t.Error("a bad query gave no error")
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
