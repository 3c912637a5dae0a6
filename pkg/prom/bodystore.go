package prom

import (
	"container/list"
	"slices"
	"sync"
	"unsafe"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// body is the increase of one sub-query's series over a span of whole blocks, stored
// compactly: a 1,000-service map's latency body is some 165,000 series, 48 bytes each
// here against 136 and a map entry as samples. A body is never modified once stored, so
// refreshes read it without a lock.
type body struct {
	key  string
	span span
	// moved is how far the span has travelled by deltas since it was queried whole:
	// each delta adds the differences of a few windows' extrapolation, so a body that
	// has moved its own length is queried whole again.
	moved    int64
	strs     []string // the labels' values, each once
	cells    []cell
	workload bool
	cls      []string // the clusters seen, for regime detection
	size     int64
}

// cell is one series: indices into strs, the bucket bound and the value.
type cell struct {
	kind, mesh, zone, source, zoneProxy, cluster, class uint32
	gateway                                             bool
	le, value                                           float64
}

// dropShare: a series that loses more than this share of its value to one delta lived
// in the dropped blocks (what is left is the windows' differing extrapolation), so it
// leaves the body as it has left the range.
const dropShare = 0.9

// apply returns the body over span s: b (nil for none) plus the delta r.
func (b *body) apply(key string, s span, r result) *body {
	old := b.samples()
	merged := merge(old, r.samples)
	nb := &body{key: key, span: s, workload: r.workload, cls: r.clusters}
	if b != nil {
		nb.moved = b.moved + moved(b.span, s)
		nb.workload = nb.workload || b.workload
		nb.cls = slices.Concat(b.cls, r.clusters)
		kept := merged[:0]
		for i, m := range merged { // merge keeps old's series first, in order
			if i < len(old) && m.Value < old[i].Value*(1-dropShare) {
				continue
			}
			kept = append(kept, m)
		}
		merged = kept
	}
	nb.cls = slices.Compact(slices.Sorted(slices.Values(nb.cls)))
	nb.encode(merged)
	return nb
}

func (b *body) encode(samples []sample.Sample) {
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
			class: intern(s.Class), gateway: s.Proxy.Gateway, le: s.LE, value: s.Value}
	}
	b.size = int64(len(b.key)) + int64(len(b.cells))*int64(unsafe.Sizeof(cell{})) + int64(unsafe.Sizeof(*b))
	for _, s := range slices.Concat(b.strs, b.cls) {
		b.size += int64(len(s)) + int64(unsafe.Sizeof(s))
	}
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

func (b *body) clusters() []string { return slices.Clip(b.cls) }

// bodyStore keeps bodies within a byte bound, the least recently used leaving first.
type bodyStore struct {
	max int64

	mu    sync.Mutex
	used  int64
	lru   *list.List // of *body, most recent first
	byKey map[string]*list.Element
}

func newBodyStore(maxBytes int64) *bodyStore {
	return &bodyStore{max: maxBytes, lru: list.New(), byKey: map[string]*list.Element{}}
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

// put replaces the body under b.key; one larger than the bound is not kept at all.
func (s *bodyStore) put(b *body) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byKey[b.key]; ok {
		s.remove(e)
	}
	if b.size > s.max {
		return
	}
	s.byKey[b.key] = s.lru.PushFront(b)
	s.used += b.size
	for s.used > s.max {
		s.remove(s.lru.Back())
	}
}

func (s *bodyStore) remove(e *list.Element) {
	b := s.lru.Remove(e).(*body)
	delete(s.byKey, b.key)
	s.used -= b.size
}

// bytes is the memory the bodies take, as accounted.
func (s *bodyStore) bytes() (used int64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used, s.lru.Len()
}
