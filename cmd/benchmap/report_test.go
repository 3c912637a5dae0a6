package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 100: "100", 1000: "1,000", 462867: "462,867", 1234567: "1,234,567", -5000: "-5,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// A table row has as many cells as the header, medians and ratios as measured, and a
// failed row keeps the table's shape with an escaped, one-line error.
func TestTableRow(t *testing.T) {
	const header = "| store | services / edges | series stored | range | samples | map ours | baseline | ours / baseline | refresh ours | refresh / map | series returned ours (refresh) / baseline | round trips ours (refresh) / baseline | peak RSS ours / baseline allocated | map drawn |"
	cells := strings.Count(header, "|")
	ok := &row{spec: spec{rng: time.Hour}, store: "Prometheus 2.42.0", services: 1000, edges: 4933, series: 462867, samples: 19,
		ours:    []time.Duration{300 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
		refresh: []time.Duration{50 * time.Millisecond}, base: []time.Duration{400 * time.Millisecond},
		oursTrips: 4, refreshTrips: 2, baseTrips: 12, oursSeries: 195118, refreshSeries: 1000, baseSeries: 58796,
		oursPeak: 200 << 20, baseAlloc: 98 << 20, answer: mapAnswer{nodes: 200, edges: 1056, cut: []string{"more than 200000"}}}
	got := ok.tableRow()
	want := "| Prometheus 2.42.0 | 1,000 / 4,933 | 462,867 | 1h | 19 | 200.0 ms | 400.0 ms | **0.50** | 50.0 ms | 0.25 | 195,118 (1,000) / 58,796 | 4 (2) / 12 | 200 MiB / 98 MiB | 200 nodes, 1056 edges; **cut at the series cap** |"
	if got != want {
		t.Errorf("row:\n got %s\nwant %s", got, want)
	}
	failed := &row{spec: spec{rng: 24 * time.Hour}, store: "Prometheus 2.42.0", services: 1000, err: errors.New("query a|b\ntimed out")}
	for _, r := range []string{got, failed.tableRow()} {
		if n := strings.Count(r, "|") - strings.Count(r, `\|`); n != cells {
			t.Errorf("%d cell separators, want %d: %s", n, cells, r)
		}
	}
	if f := failed.tableRow(); !strings.Contains(f, `failed: query a\|b timed out`) {
		t.Errorf("failed row: %s", f)
	}
}

// Each goal's line states its conditions and compares with a baseline from the same run.
func TestGoals(t *testing.T) {
	mk := func(rng time.Duration, ours, refresh, base time.Duration) *row {
		return &row{spec: spec{rng: rng}, store: "Prometheus 2.42.0", services: 1000,
			ours: []time.Duration{ours}, refresh: []time.Duration{refresh}, base: []time.Duration{base}}
	}
	long := mk(6*time.Hour, 3*time.Second, 2*time.Second, 4*time.Second)
	long.moved = []time.Duration{2500 * time.Millisecond}
	shard := mk(5*time.Minute, 400*time.Millisecond, 0, time.Second)
	shard.rateInterval, shard.settings = time.Minute, map[string]any{"prometheusShards": 2}
	r := &report{options: options{goalSize: 1000}, rulesNote: "skipped: no rules",
		rows:       []*row{mk(5*time.Minute, time.Second, 0, 2*time.Second), long},
		sameWindow: []*row{shard},
		overhead:   &overheadResult{services: 1000, rng: 5 * time.Minute, decode: 40 * time.Millisecond, join: 30 * time.Millisecond}}
	var b strings.Builder
	r.goals(func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) })
	text := b.String()
	for _, want := range []string{
		"both sides 1m windows (`rateInterval: \"1m\"`), `prometheusShards: 2` | 400.0 ms / 1000.0 ms = **0.40** | ≤ 0.45 | ✅ met |",
		"| 2. refresh of a 6 h map / a 5 m map | over gRPC, Prometheus 2.42.0, 1,000 services, `incrementalCacheMB: 64`, refresh 30s later on the same instance (the same blocks) against a cold 5 m map | 2000.0 ms / 1000.0 ms = **2.00** | ≤ 1.5 | ❌ not met |",
		"| 2. (blocks moved) refresh 5m later of a 6 h map / a 5 m map | the same, on an instance of its own whose first map ended 5m earlier: the oldest minutes, the blocks dropped and added and the last minutes are read (an upper bound) | 2500.0 ms / 1000.0 ms = **2.50** | | |",
		"| 3. 24 h map with recording rules / 5 m map | 1,000 services | skipped: no rules | ≤ 3 | |",
		"in process, 1,000 services, 5m map, 0 series (0.0 MB of JSON) replayed from memory | 40.0 ms + 30.0 ms + 0.0 ms = **70.0 ms** | ≤ 60.0 ms | ❌ not met |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("goals lack\n%s\nin\n%s", want, text)
		}
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Minute: "5m", time.Hour: "1h", 6 * time.Hour: "6h", 24 * time.Hour: "24h",
		24*time.Hour + 15*time.Minute: "24h15m", 75 * time.Minute: "1h15m", 30 * time.Second: "30s"} {
		if got := span(d); got != want {
			t.Errorf("span(%s) = %q, want %q", d, got, want)
		}
	}
}
