package prom

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"sync"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// A sub-query whose series carry an le label (the latency buckets) can be split into
// shards, each a PromQL query of its own: one evaluation runs on one core, so shards run
// by a Prometheus (or Thanos, Mimir) with several cores end sooner. The shards partition
// the series exactly by the first character of le: every shard but the last matches
// le=~"[<chars>].*", the last matches what none of the others does (le!~"[<all their
// chars>].*"), so whatever a store writes in le ("1" in Prometheus 2, "1.0" in 3, "+Inf",
// exponents, no le at all) is read exactly once. A bound is never matched exactly.

// MaxShards bounds WithShards: a first-character partition of Envoy's bounds has no
// more useful parts than leFirstChars has entries.
const MaxShards = 16

// leFirstChars weighs the first characters of Envoy's default bounds (in ms: 0.5, 1, 5,
// 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
// 1800000, 3600000, +Inf) by how many bounds start with each: a shard costs Prometheus
// about as much as the series it selects, that is, the bounds it holds.
var leFirstChars = []struct {
	char   byte
	weight int
}{{'1', 6}, {'5', 4}, {'2', 3}, {'3', 3}, {'6', 2}, {'0', 1}, {'+', 1}}

// leShards returns the le matchers of n shards (at most len(leFirstChars) take effect),
// balanced by weight: each character, heaviest first, goes to the lightest shard. One
// shard (or fewer) is no matcher at all.
func leShards(n int) []string {
	n = min(n, len(leFirstChars))
	if n <= 1 {
		return nil
	}
	chars, weight := make([][]byte, n), make([]int, n)
	for _, c := range leFirstChars {
		i := 0
		for j := range weight {
			if weight[j] < weight[i] {
				i = j
			}
		}
		chars[i], weight[i] = append(chars[i], c.char), weight[i]+c.weight
	}
	class := func(cs []byte) string { return "[" + regexp.QuoteMeta(string(cs)) + "].*" }
	out := make([]string, n)
	for i, cs := range chars[:n-1] {
		out[i] = "le=~" + quote(class(cs))
	}
	out[n-1] = "le!~" + quote(class(slices.Concat(chars[:n-1]...)))
	return out
}

// shardExprs is the PromQL of each shard of sq: sq.expr alone unless sq can be split.
func (c *Client) shardExprs(sq subQuery) []string {
	matchers := leShards(c.shards)
	if sq.byLE == nil || len(matchers) == 0 {
		return []string{sq.expr}
	}
	exprs := make([]string, len(matchers))
	for i, m := range matchers {
		exprs[i] = sq.byLE(m)
	}
	return exprs
}

// series runs sq's shards concurrently and returns their series, a list per shard (not
// copied into one), as if one query had answered: the caller caps and decodes the whole.
// A failing shard fails the sub-query (the others are cancelled): a histogram without
// some of its buckets would give wrong quantiles. Its warnings and infos are each shown once.
func (c *Client) series(ctx context.Context, q MeshQuery, sq subQuery) ([][]series, result) {
	exprs := c.shardExprs(sq)
	if len(exprs) == 1 {
		list, r := c.query(ctx, q, sq, exprs[0])
		return [][]series{list}, r
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lists, results := make([][]series, len(exprs)), make([]result, len(exprs))
	var wg sync.WaitGroup
	for i, expr := range exprs {
		wg.Go(func() {
			type answer struct {
				list []series
				r    result
			}
			a, err := safe.Do("Prometheus sub-query "+sq.name, func() (answer, error) {
				list, r := c.query(ctx, q, sq, expr)
				return answer{list, r}, nil
			})
			if err != nil {
				a.r.err = err
			}
			if a.r.err != nil {
				cancel()
			}
			lists[i], results[i] = a.list, a.r
		})
	}
	wg.Wait()
	failed := -1
	for i, r := range results {
		// The cause, not the shards cancelled because of it.
		if r.err != nil && (failed < 0 || errors.Is(results[failed].err, context.Canceled) && !errors.Is(r.err, context.Canceled)) {
			failed = i
		}
	}
	var merged result
	for i, r := range results {
		for _, n := range r.notices {
			if n.Severity == sample.SeverityError && i != failed {
				continue // a shard cancelled by the one that failed
			}
			if !slices.Contains(merged.notices, n) {
				merged.notices = append(merged.notices, n)
			}
		}
	}
	if failed >= 0 {
		merged.err = results[failed].err
		return nil, merged
	}
	return lists, merged
}

// acquire takes one of the client's query slots, waiting for one to free up or for
// ctx to end; release gives it back. A client without a bound always has a slot, an
// ended ctx never: a canceled map sends nothing more (a free slot and an ended ctx
// would otherwise be a coin toss in the select).
func (c *Client) acquire(ctx context.Context) error {
	if ctx.Err() != nil {
		return cmp.Or(context.Cause(ctx), ctx.Err())
	}
	if c.slots == nil {
		return nil
	}
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return cmp.Or(context.Cause(ctx), ctx.Err())
	}
}

func (c *Client) release() {
	if c.slots != nil {
		<-c.slots
	}
}
