package prom

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// Incremental refresh: a map over a long range is the increase over a body of whole,
// epoch-aligned blocks (kept per sub-query in a bodyStore) plus the increase over a head
// and a tail. A refresh with the same range length queries the tail, and when the grid
// has moved, the blocks dropped and added as one signed delta that updates the kept body.
// Counters' increases over adjacent windows add up (each window extrapolates to its own
// edges), so the sum stays within a fraction of a per cent of the one long window's.
//
// The head is kept too (with its body, windows of headApartWindow or more): while the
// range's start has moved by at most 1/headEstimate of the window since the head was
// read, and the grid has not moved, the refresh scales the kept head to its shorter span
// instead of reading it again. The head lies in older
// storage blocks than the tail, so reading it cost a refresh as much as the tail did; the
// estimate is exact for steady traffic and otherwise off by at most what differed from
// the head's average rate in that 1 % of the window.
const (
	// incrBlock is the grid. Prometheus' cost per window is mostly the series it touches,
	// not the samples, so a small block keeps a refresh to two short windows.
	incrBlock = 5 * time.Minute
	// incrMinEdge is the shortest head or tail, and at least two scrape intervals:
	// increase() needs two scrapes in its window, and samples of a block that has just
	// ended may still be arriving.
	incrMinEdge = time.Minute
	// incrMinBlocks is the shortest body worth keeping; shorter ranges are queried whole.
	incrMinBlocks = 3
	// 1/headEstimate is the largest share of the window whose increase a refresh
	// estimates from the kept head (see above) rather than reads.
	headEstimate = 100
	// partLabel tags the windows of one round trip so that "or" keeps them all before
	// "sum without" adds them up.
	partLabel = "kuma_datasource_part"
	// headApartWindow is the shortest window whose head is read apart and kept: 30 s,
	// a wall display's refresh, is headEstimate of it.
	headApartWindow = headEstimate * 30 * time.Second
)

// span is the window (from, to] in Unix milliseconds.
type span struct{ from, to int64 }

func (s span) length() int64 { return s.to - s.from }

// selector is the PromQL range of the span, evaluated at its end whatever the query time.
func (s span) selector() string {
	return fmt.Sprintf("[%dms] @ %d.%03d", s.length(), s.to/1000, s.to%1000)
}

// grid splits a query's window into head, body and tail.
type grid struct{ head, body, tail span }

// gridOf places the body on whole blocks inside the window that MeshQuery.Window says
// (ending at To), leaving a head and a tail of at least edge; ok is false when fewer
// than incrMinBlocks blocks fit.
func gridOf(q MeshQuery, edge time.Duration) (grid, bool) {
	to := q.To.UnixMilli()
	from := to - q.Window().Milliseconds()
	b := incrBlock.Milliseconds()
	first := ceilTo(from+edge.Milliseconds(), b)
	last := floorTo(to-edge.Milliseconds(), b)
	if last-first < incrMinBlocks*b {
		return grid{}, false
	}
	return grid{head: span{from, first}, body: span{first, last}, tail: span{last, to}}, true
}

func floorTo(t, b int64) int64 {
	r := t % b
	if r < 0 {
		r += b
	}
	return t - r
}

func ceilTo(t, b int64) int64 { return -floorTo(-t, b) }

// piece is a window counted with a sign.
type piece struct {
	span
	sign float64
}

// shift is what turns the body old into new: the blocks dropped (negative) and added at
// either end.
func shift(old, new span) []piece {
	var out []piece
	switch {
	case new.from > old.from:
		out = append(out, piece{span{old.from, new.from}, -1})
	case new.from < old.from:
		out = append(out, piece{span{new.from, old.from}, 1})
	}
	switch {
	case new.to > old.to:
		out = append(out, piece{span{old.to, new.to}, 1})
	case new.to < old.to:
		out = append(out, piece{span{new.to, old.to}, -1})
	}
	return out
}

// moved is how far a body travels from old to new.
func moved(old, new span) int64 { return max(abs(new.from-old.from), abs(new.to-old.to)) }

func abs(x int64) int64 { return max(x, -x) }

// piecesQuery is raw sub-query name (see raw) over the pieces in one round trip; its
// shards (byLE) are the pieces' shards joined alike, so each holds the same buckets.
func piecesQuery(q MeshQuery, name string, pieces []piece) subQuery {
	subs := make([]subQuery, len(pieces))
	for i, p := range pieces {
		all := queriesOver(q, p.selector())
		subs[i] = all[slices.IndexFunc(all, func(sq subQuery) bool { return sq.name == name })]
	}
	join := func(expr func(subQuery) string) string {
		exprs := make([]string, len(pieces))
		for i, p := range pieces {
			exprs[i] = expr(subs[i])
			if p.sign < 0 {
				exprs[i] = "-(" + exprs[i] + ")"
			}
		}
		if len(exprs) == 1 {
			return exprs[0]
		}
		for i, e := range exprs {
			exprs[i] = fmt.Sprintf("label_replace(%s, %q, \"%d\", \"\", \"\")", e, partLabel, i)
		}
		return "sum without (" + partLabel + ") (" + strings.Join(exprs, " or ") + ")"
	}
	out := subs[0]
	out.signed = slices.ContainsFunc(pieces, func(p piece) bool { return p.sign < 0 })
	out.expr = join(func(sq subQuery) string { return sq.expr })
	if out.byLE != nil {
		out.byLE = func(m string) string { return join(func(sq subQuery) string { return sq.byLE(m) }) }
	}
	return out
}

// raw reports whether sq is one of queries' own sub-queries, unchanged: one read from
// recording rules (recorded.go) is cheap over any window, and a sub-query the window
// builder does not make cannot be split.
func raw(q MeshQuery, sq subQuery) bool {
	return slices.ContainsFunc(queries(q), func(r subQuery) bool { return r.name == sq.name && r.expr == sq.expr })
}

// incremental holds the bodies of one client.
type incremental struct {
	store *bodyStore
	edge  time.Duration // the shortest head or tail
	// off is set once the store has refused the @ modifier that a plain query did not
	// need (Prometheus < 2.25 without the feature, some proxies): no body can be kept.
	off atomic.Bool
}

// WithIncrementalCache keeps the bodies of long ranges within maxBytes (0: off) for a
// store that scrapes every scrapeInterval.
func WithIncrementalCache(maxBytes int64, scrapeInterval time.Duration) Option {
	return func(c *Client) {
		c.incr = nil
		if maxBytes > 0 {
			c.incr = &incremental{store: newBodyStore(maxBytes), edge: max(incrMinEdge, 2*scrapeInterval)}
		}
	}
}

// runSub answers one sub-query, from a kept body where the range allows.
func (c *Client) runSub(ctx context.Context, q MeshQuery, sq subQuery) result {
	if c.incr == nil || !q.Incremental || c.incr.off.Load() || !raw(q, sq) {
		return c.run(ctx, q, sq)
	}
	g, ok := gridOf(q, c.incr.edge)
	if !ok {
		return c.run(ctx, q, sq)
	}
	// The expression names mesh, zones, zone proxies, the window's length and a shard.
	sum := sha256.Sum256([]byte(string(q.Regime) + "\x00" + sq.expr))
	key := string(sum[:])
	old := c.incr.store.get(key)
	var base *body
	var update []piece
	switch {
	case old != nil && old.whole && moved(old.span, g.body) <= g.body.length()/2:
		return c.run(ctx, q, sq)
	case old != nil && old.whole:
		update = []piece{{g.body, 1}} // tried again once the range has moved on
	case old != nil && old.span == g.body:
		base = old
	case old != nil && old.moved+moved(old.span, g.body) < g.body.length() && moved(old.span, g.body) <= g.body.length()/2:
		base, update = old, shift(old.span, g.body)
	default:
		update = []piece{{g.body, 1}}
	}
	// The head is read apart, and kept with the body, where a refresh 30 s later (a wall
	// display's) can reuse it; elsewhere head and tail share one round trip.
	apart := q.Window() >= headApartWindow
	var keptHead *body
	if apart && base != nil && base.head != nil && headScalable(base.head.span, g.head, q.Window()) {
		keptHead = base.head
	}
	var head, tail, upd result
	var wg sync.WaitGroup
	ends := []piece{{g.tail, 1}}
	if !apart {
		ends = []piece{{g.head, 1}, {g.tail, 1}}
	}
	wg.Go(func() { tail = c.run(ctx, q, piecesQuery(q, sq.name, ends)) })
	if apart && keptHead == nil {
		wg.Go(func() { head = c.run(ctx, q, piecesQuery(q, sq.name, []piece{{g.head, 1}})) })
	}
	if len(update) > 0 {
		wg.Go(func() { upd = c.run(ctx, q, piecesQuery(q, sq.name, update)) })
	}
	wg.Wait()
	edges := result{samples: slices.Concat(head.samples, tail.samples), notices: slices.Concat(head.notices, tail.notices),
		err: errors.Join(head.err, tail.err), workload: head.workload || tail.workload, clusters: slices.Concat(head.clusters, tail.clusters)}
	if err := errors.Join(edges.err, upd.err); err != nil {
		switch {
		case !badData(err) && edges.err != nil:
			// Half of the range's ends is no answer: the sub-query fails whole.
			return result{notices: edges.notices, err: edges.err}
		case !badData(err):
			return upd
		}
		plain := c.run(ctx, q, sq)
		if plain.err == nil {
			c.incr.off.Store(true)
		}
		return plain
	}
	newHead := keptHead
	if keptHead != nil {
		edges.samples = slices.Concat(keptHead.scaled(float64(g.head.length())/float64(keptHead.span.length())), tail.samples)
		edges.workload = edges.workload || keptHead.workload
		edges.clusters = slices.Concat(keptHead.clusters(), edges.clusters)
	} else if apart && len(head.notices) == 0 {
		newHead = (*body)(nil).apply(c.incr.store.seed, key, g.head, head)
	}
	next := base
	switch {
	case len(update) > 0:
		next = base.apply(c.incr.store.seed, key, g.body, upd)
		// A cut or partial answer is not kept, nor a body beyond the bound; until the
		// range moves on, whole queries cost less than a body queried again each time.
		if len(upd.notices) > 0 {
			c.incr.store.mark(key, g.body)
		} else {
			c.incr.store.keep(next, newHead)
		}
	case newHead != base.head:
		c.incr.store.keep(base, newHead)
	}
	r := result{notices: append(upd.notices, edges.notices...), workload: next.workload || edges.workload,
		clusters: append(next.clusters(), edges.clusters...)}
	r.samples, _ = next.plus(c.incr.store.seed, edges.samples)
	return r
}

// headScalable reports whether the head kept over span kept can stand for the head
// now: the same end (the grid has not moved) and a start later by at most headEstimate
// of the window.
func headScalable(kept, now span, window time.Duration) bool {
	later := now.from - kept.from
	return kept.to == now.to && later >= 0 && later <= window.Milliseconds()/headEstimate && now.length() > 0
}

// badData reports Prometheus refusing a query as malformed.
func badData(err error) bool {
	var apiErr *v1.Error
	return errors.As(err, &apiErr) && apiErr.Type == v1.ErrBadData
}

// key is a sample without its value: what the windows of one series share.
func key(s sample.Sample) sample.Sample {
	s.Value = 0
	return s
}
