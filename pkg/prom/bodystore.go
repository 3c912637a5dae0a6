package prom

import (
	"container/list"
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// body is the increase of one sub-query's series over a span of whole blocks, stored
// compactly: a 1,000-service map's latency body is some 165,000 series, 56 bytes each
// here against 136 and a map entry as samples. A body is never modified once stored, so
// refreshes read it without a lock.
type body struct {
	key  string
	span span
	// moved is how far the span has travelled by deltas since it was queried whole:
	// each delta adds the differences of a few windows' extrapolation, so a body that
	// has moved its own length is queried whole again.
	moved int64
	// whole marks a key answered by whole queries for now: its body was cut, partial
	// or beyond the bound.
	whole    bool
	strs     []string // the labels' values, each once
	cells    []cell
	workload bool
	cls      []string // the clusters seen, for regime detection
	// head is the increase over the window's head, kept with the body so that the two
	// are sized and evicted together (incremental.go); nil: none.
	head *body
	size int64 // the head's included
}

// withHead is b with head h (nil: none) instead of its own.
func (b *body) withHead(h *body) *body {
	nb := *b
	nb.size -= b.head.bytes()
	nb.head = h
	nb.size += h.bytes()
	return &nb
}

func (b *body) bytes() int64 {
	if b == nil {
		return 0
	}
	return b.size
}

// cell is one series: indices into strs, the bucket bound, the value and the key's hash.
type cell struct {
	kind, mesh, zone, source, zoneProxy, cluster, class uint32
	gateway                                             bool
	le, value                                           float64
	hash                                                uint64 // hashKey, to find the series again
}

// dropShare: a series that loses more than this share of its value to one delta lived
// in the dropped blocks (what is left is the windows' differing extrapolation), so it
// leaves the body as it has left the range.
const dropShare = 0.9

// apply returns the body over span s: b (nil for none) plus the delta r.
func (b *body) apply(seed maphash.Seed, key string, s span, r result) *body {
	merged, hashes := b.plus(seed, r.samples)
	nb := &body{key: key, span: s, workload: r.workload, cls: r.clusters}
	if b != nil {
		nb.moved = b.moved + moved(b.span, s)
		nb.workload = nb.workload || b.workload
		nb.cls = slices.Concat(b.cls, r.clusters)
		n := 0
		for i, m := range merged { // plus keeps b's series first, in order
			if i < len(b.cells) && m.Value < b.cells[i].value*(1-dropShare) {
				continue
			}
			merged[n], hashes[n] = m, hashes[i]
			n++
		}
		merged, hashes = merged[:n], hashes[:n]
	}
	nb.cls = slices.Compact(slices.Sorted(slices.Values(nb.cls)))
	nb.encode(merged, hashes)
	return nb
}

func (b *body) encode(samples []sample.Sample, hashes []uint64) {
	idx := map[string]uint32{}
	intern := func(s string) uint32 {
		i, ok := idx[s]
		if !ok {
			i = uint32(len(b.strs))
			idx[s] = i
			b.strs = append(b.strs, s)
		}
		return i
	}
	b.cells = make([]cell, len(samples))
	for i, s := range samples {
		b.cells[i] = cell{kind: intern(string(s.Kind)), mesh: intern(s.Proxy.Mesh), zone: intern(s.Proxy.Zone),
			source: intern(s.Proxy.Source), zoneProxy: intern(s.Proxy.ZoneProxy), cluster: intern(s.Cluster),
			class: intern(s.Class), gateway: s.Proxy.Gateway, le: s.LE, value: s.Value, hash: hashes[i]}
	}
	b.size = int64(len(b.key)) + int64(len(b.cells))*int64(unsafe.Sizeof(cell{})) + int64(unsafe.Sizeof(*b))
	for _, s := range slices.Concat(b.strs, b.cls) {
		b.size += int64(len(s)) + int64(unsafe.Sizeof(s))
	}
}

// plus is the body's series (nil: none) with add's values added, series by series, and
// each series' hash (hashKey); a series of add that the body lacks is appended.
// Negative sums (a delta larger than what it updates) become zero. Series are found by
// their kept hashes: a map of 165,000 whole samples took ten times as long.
func (b *body) plus(seed maphash.Seed, add []sample.Sample) ([]sample.Sample, []uint64) {
	out := b.samples()
	hashes := make([]uint64, len(out), len(out)+len(add))
	for i := range out {
		hashes[i] = b.cells[i].hash
	}
	var at map[uint64]int // built on the first series out of order
	next := 0             // answers of one expression tend to list the series in one order
	for _, s := range add {
		h := hashKey(seed, s)
		i, ok := next, next < len(out) && hashes[next] == h
		if !ok {
			if at == nil {
				at = make(map[uint64]int, len(hashes))
				for j, h := range hashes {
					at[h] = j
				}
			}
			i, ok = at[h]
		}
		if ok && key(out[i]) != key(s) { // two keys, one hash: rare enough to search
			i = slices.IndexFunc(out, func(o sample.Sample) bool { return key(o) == key(s) })
			ok = i >= 0
		}
		if ok {
			out[i].Value += s.Value
			next = i + 1
			continue
		}
		if at != nil {
			at[h] = len(out)
		}
		out = append(out, s)
		hashes = append(hashes, h)
	}
	for i := range out {
		out[i].Value = max(out[i].Value, 0)
	}
	return out, hashes
}

// hashKey hashes a series' key: every field of the sample but its value.
func hashKey(seed maphash.Seed, s sample.Sample) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, f := range [...]string{string(s.Kind), s.Proxy.Mesh, s.Proxy.Zone, s.Proxy.Source, s.Proxy.ZoneProxy, s.Cluster, s.Class} {
		h.WriteString(f)
		h.WriteByte(0)
	}
	var le [9]byte
	binary.LittleEndian.PutUint64(le[:], math.Float64bits(s.LE))
	if s.Proxy.Gateway {
		le[8] = 1
	}
	_, _ = h.Write(le[:])
	return h.Sum64()
}

// samples expands the body (nil: none).
func (b *body) samples() []sample.Sample {
	if b == nil {
		return nil
	}
	out := make([]sample.Sample, len(b.cells))
	for i, c := range b.cells {
		out[i] = sample.Sample{Kind: sample.Kind(b.strs[c.kind]), Cluster: b.strs[c.cluster], Class: b.strs[c.class], LE: c.le, Value: c.value,
			Proxy: sample.Proxy{Mesh: b.strs[c.mesh], Zone: b.strs[c.zone], Source: b.strs[c.source], Gateway: c.gateway, ZoneProxy: b.strs[c.zoneProxy]}}
	}
	return out
}

// scaled is the body's series with their values times f.
func (b *body) scaled(f float64) []sample.Sample {
	out := b.samples()
	for i := range out {
		out[i].Value *= f
	}
	return out
}

func (b *body) clusters() []string { return slices.Clip(b.cls) }

// bodyStore keeps bodies within a byte bound, the least recently used leaving first.
type bodyStore struct {
	max  int64
	seed maphash.Seed // of every body's hashes

	mu    sync.Mutex
	used  int64
	marks int64      // the bytes of marks (body.whole) among used
	lru   *list.List // of *body, most recent first
	byKey map[string]*list.Element
}

func newBodyStore(maxBytes int64) *bodyStore {
	return &bodyStore{max: maxBytes, seed: maphash.MakeSeed(), lru: list.New(), byKey: map[string]*list.Element{}}
}

func (s *bodyStore) get(key string) *body {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byKey[key]
	if !ok {
		return nil
	}
	s.lru.MoveToFront(e)
	return e.Value.(*body)
}

// put replaces the body under b.key and reports whether it is kept: one larger than the
// bound is not.
func (s *bodyStore) put(b *body) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byKey[b.key]; ok {
		s.remove(e)
	}
	if b.size > s.max {
		return false
	}
	s.byKey[b.key] = s.lru.PushFront(b)
	s.used += b.size
	if b.whole {
		s.marks += b.size
	}
	// Marks (body.whole) leave last while they hold at most a sixteenth of the bound: each
	// is a few hundred bytes that spare Prometheus a body too large to keep, queried on
	// every refresh once its mark is gone; old ones of ranges no longer shown still go.
	for e := s.lru.Back(); s.used > s.max && e != nil && e.Value.(*body) != b; {
		prev := e.Prev()
		if !e.Value.(*body).whole || s.marks > s.max/16 {
			s.remove(e)
		}
		e = prev
	}
	for s.used > s.max {
		s.remove(s.lru.Back())
	}
	return s.byKey[b.key] != nil
}

// keep stores b with head h, or without h when the two do not fit, or else a mark that
// sends b's sub-query whole; it reports whether b is kept.
func (s *bodyStore) keep(b, h *body) bool {
	if s.put(b.withHead(h)) || h != nil && s.put(b.withHead(nil)) {
		return true
	}
	s.mark(b.key, b.span)
	return false
}

// mark stores the mark of a body over sp that is not kept (body.whole).
func (s *bodyStore) mark(key string, sp span) {
	s.put(&body{key: key, span: sp, whole: true, size: int64(len(key)) + int64(unsafe.Sizeof(body{}))})
}

func (s *bodyStore) remove(e *list.Element) {
	b := s.lru.Remove(e).(*body)
	delete(s.byKey, b.key)
	s.used -= b.size
	if b.whole {
		s.marks -= b.size
	}
}

// bytes is the memory the bodies take, as accounted.
func (s *bodyStore) bytes() (used int64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used, s.lru.Len()
}
