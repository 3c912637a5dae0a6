package prom

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

func TestGrid(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.TimeOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(2026, 11, 29, tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC)
	}
	ms := func(s string) int64 { return at(s).UnixMilli() }
	for _, tc := range []struct {
		name             string
		from, to         string
		edge             time.Duration
		ok               bool
		head, body, tail [2]string
	}{
		{name: "six hours, unaligned", from: "02:07:30", to: "08:07:30", edge: time.Minute, ok: true,
			head: [2]string{"02:07:30", "02:10:00"}, body: [2]string{"02:10:00", "08:05:00"}, tail: [2]string{"08:05:00", "08:07:30"}},
		{name: "a tail shorter than the edge takes a block", from: "02:05:30", to: "08:05:30", edge: time.Minute, ok: true,
			head: [2]string{"02:05:30", "02:10:00"}, body: [2]string{"02:10:00", "08:00:00"}, tail: [2]string{"08:00:00", "08:05:30"}},
		{name: "a head shorter than the edge takes a block", from: "02:09:30", to: "08:09:30", edge: time.Minute, ok: true,
			head: [2]string{"02:09:30", "02:15:00"}, body: [2]string{"02:15:00", "08:05:00"}, tail: [2]string{"08:05:00", "08:09:30"}},
		{name: "aligned: a block each side", from: "02:00:00", to: "08:00:00", edge: time.Minute, ok: true,
			head: [2]string{"02:00:00", "02:05:00"}, body: [2]string{"02:05:00", "07:55:00"}, tail: [2]string{"07:55:00", "08:00:00"}},
		{name: "a slow scrape widens the edges", from: "02:07:30", to: "08:07:30", edge: 4 * time.Minute, ok: true,
			head: [2]string{"02:07:30", "02:15:00"}, body: [2]string{"02:15:00", "08:00:00"}, tail: [2]string{"08:00:00", "08:07:30"}},
		{name: "milliseconds are kept", from: "02:07:30.250", to: "08:07:30.250", edge: time.Minute, ok: true,
			head: [2]string{"02:07:30.250", "02:10:00"}, body: [2]string{"02:10:00", "08:05:00"}, tail: [2]string{"08:05:00", "08:07:30.250"}},
		{name: "three blocks are enough", from: "02:04:30", to: "02:26:00", edge: time.Minute, ok: true,
			head: [2]string{"02:04:30", "02:10:00"}, body: [2]string{"02:10:00", "02:25:00"}, tail: [2]string{"02:25:00", "02:26:00"}},
		{name: "two are not", from: "02:04:30", to: "02:24:30", edge: time.Minute},
		{name: "five minutes", from: "02:00:00", to: "02:05:00", edge: time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := gridOf(MeshQuery{From: at(tc.from), To: at(tc.to)}, tc.edge)
			if ok != tc.ok {
				t.Fatalf("ok = %t", ok)
			}
			if !ok {
				return
			}
			for _, c := range []struct {
				name string
				got  span
				want [2]string
			}{{"head", g.head, tc.head}, {"body", g.body, tc.body}, {"tail", g.tail, tc.tail}} {
				if c.got != (span{ms(c.want[0]), ms(c.want[1])}) {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestHeadScalable(t *testing.T) {
	const min = int64(time.Minute / time.Millisecond)
	kept := span{0, 4 * min}
	for _, tc := range []struct {
		name   string
		now    span
		window time.Duration
		want   bool
	}{
		{"the same head", kept, 6 * time.Hour, true},
		{"30 s later, six hours", span{min / 2, 4 * min}, 6 * time.Hour, true},
		{"1 % of the window later", span{216_000, 4 * min}, 6 * time.Hour, true},
		{"more than 1 % later", span{216_001, 4 * min}, 6 * time.Hour, false},
		{"30 s later, forty minutes", span{min / 2, 4 * min}, 40 * time.Minute, false},
		{"the grid moved", span{min / 2, 9 * min}, 6 * time.Hour, false},
		{"an earlier start", span{-min / 2, 4 * min}, 6 * time.Hour, false},
		{"nothing left", span{4 * min, 4 * min}, 24 * 30 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := headScalable(kept, tc.now, tc.window); got != tc.want {
				t.Errorf("headScalable(%v, %v, %s) = %t", kept, tc.now, tc.window, got)
			}
		})
	}
}

func TestShift(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new span
		want     []piece
	}{
		{"unchanged", span{10, 100}, span{10, 100}, nil},
		{"forward", span{10, 100}, span{30, 120}, []piece{{span{10, 30}, -1}, {span{100, 120}, 1}}},
		{"backward", span{30, 120}, span{10, 100}, []piece{{span{10, 30}, 1}, {span{100, 120}, -1}}},
		{"longer at the end", span{10, 100}, span{10, 110}, []piece{{span{100, 110}, 1}}},
		{"shorter at the start", span{10, 100}, span{20, 100}, []piece{{span{10, 20}, -1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := shift(tc.old, tc.new)
			if len(got) != len(tc.want) {
				t.Fatalf("shift = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("shift = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestPiecesQuery(t *testing.T) {
	q := MeshQuery{Mesh: "default", Regime: "unified", From: time.Unix(0, 0), To: time.Unix(3600, 0)}
	one := piecesQuery(q, "inbound", []piece{{span{1_000_000, 1_300_500}, 1}})
	if want := "[300500ms] @ 1300.500"; !strings.Contains(one.expr, want) || one.signed || one.kind != sample.InboundRequests {
		t.Errorf("one piece: %s", one.expr)
	}
	delta := piecesQuery(q, "latency", []piece{{span{0, 300_000}, -1}, {span{3_000_000, 3_300_000}, 1}})
	if !delta.signed || !strings.Contains(delta.expr, `sum without (kuma_datasource_part) (label_replace(-(sum by`) ||
		!strings.Contains(delta.expr, `[300000ms] @ 300.000`) || !strings.Contains(delta.expr, `[300000ms] @ 3300.000`) {
		t.Errorf("delta: %s", delta.expr)
	}
	// A shard of the delta is the same join of the pieces' shards.
	if shard := delta.byLE(`le=~"[1].*"`); strings.Count(shard, `le=~"[1].*"`) != 2 || !strings.HasPrefix(shard, "sum without (kuma_datasource_part) (label_replace(-(") {
		t.Errorf("delta shard: %s", shard)
	}
	subs := queries(q)
	recorded := subs[1]
	recorded.expr = "sum by (mesh) (sum_over_time(kuma:recorded[3600s]))"
	if !raw(q, subs[1]) || raw(q, recorded) || raw(q, subQuery{name: "latency 1/2", expr: subs[1].expr}) {
		t.Error("raw: only queries' own sub-queries, unchanged, are split")
	}
}

func TestPlusAddsByKey(t *testing.T) {
	seed := maphash.MakeSeed()
	p := sample.Proxy{Mesh: "m", Source: "a"}
	b := (*body)(nil).apply(seed, "k", span{0, 1}, result{samples: []sample.Sample{
		{Kind: sample.Requests, Proxy: p, Cluster: "b", Class: "2xx", Value: 10},
		{Kind: sample.LatencyBucket, Proxy: p, Cluster: "b", LE: math.Inf(1), Value: 10},
	}})
	got, hashes := b.plus(seed, []sample.Sample{
		{Kind: sample.LatencyBucket, Proxy: p, Cluster: "b", LE: math.Inf(1), Value: -12},
		{Kind: sample.Requests, Proxy: p, Cluster: "b", Class: "5xx", Value: 1},
		{Kind: sample.Requests, Proxy: p, Cluster: "b", Class: "2xx", Value: 5},
	})
	want := []float64{15, 0, 1} // a negative sum is zero, a new series is appended
	if len(got) != len(want) || len(hashes) != len(want) {
		t.Fatalf("plus = %v", got)
	}
	for i := range want {
		if got[i].Value != want[i] || hashes[i] != hashKey(seed, got[i]) {
			t.Errorf("plus = %v", got)
		}
	}
	if b.cells[0].value != 10 {
		t.Error("plus changed the body")
	}
}

// bucketsBody is a body under key of n latency buckets of one edge.
func bucketsBody(key string, n int) *body {
	s := make([]sample.Sample, n)
	for i := range s {
		s[i] = sample.Sample{Kind: sample.LatencyBucket, Proxy: sample.Proxy{Mesh: "m", Source: "a"}, Cluster: "c", LE: float64(i), Value: 1}
	}
	return (*body)(nil).apply(maphash.MakeSeed(), key, span{0, 1}, result{samples: s})
}

func TestBodyStoreEvictsLeastRecentlyUsed(t *testing.T) {
	mk := bucketsBody
	a, b, c := mk("a", 100), mk("b", 100), mk("c", 100)
	if a.size < 100*56 || a.size > 100*56+1024 {
		t.Fatalf("a body of 100 series takes %d bytes", a.size)
	}
	s := newBodyStore(a.size + b.size + c.size - 1)
	s.put(a)
	s.put(b)
	if s.get("a") != a { // a is now the most recent
		t.Fatal("a not kept")
	}
	s.put(c)
	if s.get("b") != nil || s.get("a") != a || s.get("c") != c {
		t.Error("b, the least recently used, should have left")
	}
	if used, n := s.bytes(); used != a.size+c.size || n != 2 {
		t.Errorf("accounted %d bytes in %d bodies, want %d in 2", used, n, a.size+c.size)
	}
	s.put(mk("a", 50)) // replaces
	if used, n := s.bytes(); n != 2 || used >= a.size+c.size {
		t.Errorf("after replacing a: %d bytes in %d bodies", used, n)
	}
	s.put(mk("huge", 1000))
	if s.get("huge") != nil {
		t.Error("a body larger than the bound was kept")
	}
	if used, _ := s.bytes(); used > s.max {
		t.Errorf("%d bytes used, bound %d", used, s.max)
	}
	// A mark is older than the bodies that push others out, yet stays.
	mark := &body{key: "mark", whole: true, size: 200}
	s = newBodyStore(a.size + b.size)
	s.put(mark)
	s.put(a)
	if !s.put(b) || s.get("mark") != mark || s.get("a") != nil || s.get("b") != b {
		t.Error("the mark should have stayed and a, the least recently used body, left")
	}
	if used, _ := s.bytes(); used > s.max {
		t.Errorf("%d bytes used, bound %d", used, s.max)
	}
	// Marks beyond a sixteenth of the bound leave like bodies; the body just put stays.
	s = newBodyStore(a.size + 200)
	for i := range 20 {
		s.put(&body{key: fmt.Sprint("mark", i), whole: true, size: 200})
	}
	if !s.put(a) || s.get("a") != a {
		t.Error("a body that fits beside a sixteenth of marks was not kept")
	}
	if used, n := s.bytes(); used > s.max || n > 2 {
		t.Errorf("%d bytes in %d entries, bound %d", used, n, s.max)
	}
}

// TestBodyStoreKeep: a body is kept with its head, or without it when the two do not
// fit, or else marked; the head is counted in the body's bytes and leaves with it.
func TestBodyStoreKeep(t *testing.T) {
	mk := bucketsBody
	b, h := mk("k", 100), mk("k", 80)
	for _, tc := range []struct {
		name      string
		bound     int64
		kept      bool
		head      bool
		whole     bool
		bytesKept int64
	}{
		{"both fit", b.size + h.size, true, true, false, b.size + h.size},
		{"the body alone fits", b.size + h.size - 1, true, false, false, b.size},
		{"neither", b.size - 1, false, false, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newBodyStore(tc.bound)
			if kept := s.keep(b, h); kept != tc.kept {
				t.Fatalf("kept = %t", kept)
			}
			got := s.get("k")
			if got == nil || got.whole != tc.whole || (got.head != nil) != tc.head {
				t.Fatalf("stored %+v", got)
			}
			if used, _ := s.bytes(); !tc.whole && used != tc.bytesKept {
				t.Errorf("%d bytes used, want %d", used, tc.bytesKept)
			}
		})
	}
	if b.head != nil {
		t.Error("keep changed the body it was given")
	}
}

func TestBodyDropsSeriesThatLeftTheRange(t *testing.T) {
	seed := maphash.MakeSeed()
	p := sample.Proxy{Mesh: "m", Source: "a"}
	gone := sample.Sample{Kind: sample.Requests, Proxy: p, Cluster: "gone", Class: "2xx", Value: 100}
	steady := sample.Sample{Kind: sample.Requests, Proxy: p, Cluster: "steady", Class: "2xx", Value: 100}
	idle := sample.Sample{Kind: sample.Requests, Proxy: p, Cluster: "idle", Class: "2xx"}
	b := (*body)(nil).apply(seed, "k", span{0, 10}, result{samples: []sample.Sample{gone, steady, idle}, clusters: []string{"gone", "steady"}})
	gone.Value, steady.Value = -97, -10 // what was left of "gone" is extrapolation
	nb := b.apply(seed, "k", span{1, 11}, result{samples: []sample.Sample{gone, steady}})
	got := nb.samples()
	if len(got) != 2 || got[0].Cluster != "steady" || got[0].Value != 90 || got[1].Cluster != "idle" {
		t.Errorf("body after the delta: %v", got)
	}
	if nb.moved != 1 || len(nb.clusters()) != 2 {
		t.Errorf("moved %d, clusters %v", nb.moved, nb.clusters())
	}
}

// TestIncrementalWithoutAtModifier: a store that refuses @ (promfake, like Prometheus
// < 2.25) answers whole windows, and the client stops asking.
func TestIncrementalWithoutAtModifier(t *testing.T) {
	p, c := newRecording(t, "unified", WithIncrementalCache(1<<20, 15*time.Second))
	q := MeshQuery{Mesh: "default", Regime: naming.RegimeUnified, From: from, To: to, Incremental: true}
	set, err := c.FetchMeshSamples(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Samples) != 36 || len(set.Notices) != 0 || !c.incr.off.Load() {
		t.Errorf("%d samples, notices %v, cache off %t", len(set.Samples), set.Notices, c.incr.off.Load())
	}
	q.From, q.To = q.From.Add(30*time.Second), q.To.Add(30*time.Second)
	if _, err := c.FetchMeshSamples(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if form := p.Form("latency"); strings.Contains(form["query"], " @ ") {
		t.Errorf("asked again with @: %s", form["query"])
	}
}
