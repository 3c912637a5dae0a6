package prom

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// leValues are bounds as stores write them: Envoy's defaults in Prometheus 2's form
// ("1") and 3's ("1.0"), +Inf, and odd values, a missing le included.
func leValues() []string {
	values := []string{"", "Inf", "-Inf", "NaN", "0", "0.001", ".5", "-1", "7", "8.5", "9e+06",
		"1e+06", "3.6e+06", "4", "x", "\n1", "1\n", "é", "+1"}
	for _, b := range envoyBounds {
		f, _ := strconv.ParseFloat(b, 64)
		values = append(values, b, strconv.FormatFloat(f, 'f', 1, 64), strconv.FormatFloat(f, 'g', -1, 64))
	}
	return values
}

// envoyBounds are Envoy's default bounds (ms) as Prometheus 2 writes them.
var envoyBounds = []string{"0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000",
	"10000", "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf"}

// matches evaluates a rendered matcher on le the way Prometheus does: anchored, with
// (3) or without (2) . matching a newline.
func matches(t *testing.T, matcher, le string, dotNL bool) bool {
	t.Helper()
	op := strings.Index(matcher, "~")
	if !strings.HasPrefix(matcher, "le") || op < 0 {
		t.Fatalf("matcher %s is not a regex on le", matcher)
	}
	re, err := strconv.Unquote(matcher[op+1:])
	if err != nil {
		t.Fatal(err)
	}
	flags := "(?:"
	if dotNL {
		flags = "(?s:"
	}
	return regexp.MustCompile("^"+flags+re+")$").MatchString(le) == (matcher[op-1] == '=')
}

func TestLEShardsPartitionExactly(t *testing.T) {
	for n := 0; n <= MaxShards; n++ {
		shards := leShards(n)
		if want := min(max(n, 1), len(leFirstChars)); max(len(shards), 1) != want {
			t.Errorf("%d shards: %d matchers, want %d", n, len(shards), want)
		}
		if len(shards) == 0 {
			continue
		}
		for _, dotNL := range []bool{false, true} {
			for _, le := range leValues() {
				var in []int
				for i, m := range shards {
					if matches(t, m, le, dotNL) {
						in = append(in, i)
					}
				}
				if len(in) != 1 {
					t.Errorf("%d shards %q: le %q is in shards %v, want exactly one", n, shards, le, in)
				}
			}
		}
	}
}

// TestLEShardsBalanceEnvoyBounds checks that Envoy's 20 bounds spread over the shards:
// each shard costs Prometheus about its share of them.
func TestLEShardsBalanceEnvoyBounds(t *testing.T) {
	for n, want := range map[int][2]int{2: {10, 10}, 3: {6, 7}, 4: {4, 6}} {
		counts := make([]int, n)
		for _, le := range envoyBounds {
			for i, m := range leShards(n) {
				if matches(t, m, le, false) {
					counts[i]++
				}
			}
		}
		if least, most := slices.Min(counts), slices.Max(counts); least != want[0] || most != want[1] {
			t.Errorf("%d shards: %v bounds per shard, want between %d and %d", n, counts, want[0], want[1])
		}
	}
}

// TestShardedFetchEqualsOneQuery replays a recording in which every latency shard gets
// its part of the whole answer: the samples are those of one query, and a warning
// every shard carries is shown once.
func TestShardedFetchEqualsOneQuery(t *testing.T) {
	for _, fixture := range []string{"legacy", "unified", "meshservice"} {
		t.Run(fixture, func(t *testing.T) {
			q := MeshQuery{Mesh: "default", From: from, To: to}
			_, one := newRecording(t, fixture)
			want, err := one.FetchMeshSamples(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{2, 4, 7, 16} {
				p, sharded := newRecording(t, fixture, WithShards(n))
				p.Warn = map[string]bool{"latency": true}
				got, err := sharded.FetchMeshSamples(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				if !sameSamples(got.Samples, want.Samples) || got.Regime != want.Regime {
					t.Errorf("%d shards: %d samples (%s), want %d (%s)", n, len(got.Samples), got.Regime, len(want.Samples), want.Regime)
				}
				if len(got.Notices) != 1 || got.Notices[0].Severity != sample.SeverityWarning {
					t.Errorf("%d shards: notices %v, want the one warning", n, got.Notices)
				}
			}
		})
	}
}

// sameSamples compares samples as a multiset: shards answer in any order.
// SameSamples is sameSamples for the tests outside the package (prom_test).
var SameSamples = sameSamples

func sameSamples(a, b []sample.Sample) bool {
	count := map[sample.Sample]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// TestShardedFetchCapsTheWhole keeps the series cap on the whole sub-query: shards
// that each stay under it still make a cut result when together they exceed it.
func TestShardedFetchCapsTheWhole(t *testing.T) {
	_, c := newRecording(t, "legacy", WithShards(2), WithMaxSeries(15))
	set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	latency, cut := 0, false
	for _, s := range set.Samples {
		if s.Kind == sample.LatencyBucket {
			latency++
		}
	}
	for _, n := range set.Notices {
		cut = cut || strings.Contains(n.Text, "latency") && strings.Contains(n.Text, "more than 15 series")
	}
	if latency != 15 || !cut {
		t.Errorf("%d latency samples, notices %v; want 15 and a notice of the cut", latency, set.Notices)
	}
}

// TestShardedFetchFailsWhole: a shard that fails fails its sub-query (a histogram
// without some buckets would lie), with one error notice, and the map goes on.
func TestShardedFetchFailsWhole(t *testing.T) {
	p, c := newRecording(t, "legacy", WithShards(4))
	p.Fail = map[string]bool{"latency": true}
	set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	errs := 0
	for _, n := range set.Notices {
		if n.Severity == sample.SeverityError {
			errs++
		}
	}
	for _, s := range set.Samples {
		if s.Kind == sample.LatencyBucket {
			t.Fatalf("latency sample %+v from a failed sub-query", s)
		}
	}
	if errs != 1 || len(set.Samples) == 0 {
		t.Errorf("%d samples, notices %v; want the others' samples and one error", len(set.Samples), set.Notices)
	}
}

// TestMaxConcurrentQueriesBounds counts the requests in flight at the server while
// many maps (each of several sub-queries and shards) are asked at once: the bound is
// reached and never passed. The server holds each request until the test lets one go,
// and lets one go only when the bound is reached, so no timing is involved.
func TestMaxConcurrentQueriesBounds(t *testing.T) {
	const limit, maps = 3, 6
	var inFlight, most atomic.Int64
	arrived, gate := make(chan struct{}), make(chan struct{})
	p, _ := promfake.Start(t, "testdata", "legacy")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		arrived <- struct{}{}
		<-gate
		inFlight.Add(-1)
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, srv.Client(), WithShards(2), WithMaxConcurrentQueries(limit), WithRecordingRules(false))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range maps {
		// Distinct ranges: identical maps would share one fetch. (No rules check: it would add a request.)
		q := MeshQuery{Mesh: "default", From: from, To: to.Add(time.Duration(i) * time.Second)}
		wg.Go(func() {
			if _, err := c.FetchMeshSamples(context.Background(), q); err != nil {
				t.Error(err)
			}
		})
	}
	for range maps * 5 { // four sub-queries, the latency one in two shards
		<-arrived
		if inFlight.Load() >= limit {
			gate <- struct{}{}
		}
	}
	close(gate)
	wg.Wait()
	if most.Load() != limit {
		t.Errorf("at most %d requests in flight, want %d", most.Load(), limit)
	}
}

// TestAcquireHonoursContext: a query waiting for a slot gives up when its context ends,
// and an ended context gets no slot even when one is free (bounded or not).
func TestAcquireHonoursContext(t *testing.T) {
	c, err := New("http://prometheus.invalid", &http.Client{}, WithMaxConcurrentQueries(2))
	if err != nil {
		t.Fatal(err)
	}
	unbounded, err := New("http://prometheus.invalid", &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 { // a free slot and an ended context: no coin toss
		for _, cl := range []*Client{c, unbounded} {
			if err := cl.acquire(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("acquire with a cancelled context and a free slot: %v, want context.Canceled", err)
			}
		}
	}
	for range 2 {
		if err := c.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with a cancelled context: %v, want context.Canceled", err)
	}
}
