package prom

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/cache"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// How the map reads the shipped recording rules' series (RecordingRules) instead of
// the raw ones. A recorded sample at time t holds the increase over (t-RuleInterval, t],
// so the samples of a window sum to its increase; the window they cover is a whole
// number of rule intervals ending at the last evaluation before To-ruleLag, that is
// up to RuleInterval+ruleLag before To. On a steady mesh that shift changes nothing;
// a change in traffic within it is seen later than on the raw path. Hence:
//   - only windows of at least minRecordedWindow are read from the rules (a shift of at
//     most a tenth of the window); shorter ones are cheap on the raw path anyway;
//   - the window is cut to whole rule intervals and the sums scaled back to the full
//     window, so rates keep their denominator;
//   - each sub-query's rule group must have run at both ends of the window (a group
//     loaded an hour ago cannot answer a day), else that sub-query reads the raw series.
const (
	minRecordedWindow = 12 * RuleInterval
	// ruleLag is how long after its timestamp an evaluation may still be running or on
	// its way from a remote ruler: the recorded window ends that much before To so
	// that it never misses its last sample.
	ruleLag = time.Minute
	// presenceTTL keeps a detection for the refreshes of the next minute.
	presenceTTL = time.Minute
)

// recordedLabel tags each present rule group in the detection's answer.
const recordedLabel = "kuma_datasource_rules"

// WithRecordingRules says whether the map reads the recording rules' series where
// they are present (the default) or always the raw series.
func WithRecordingRules(on bool) Option {
	return func(c *Client) { c.recordingRules = on }
}

func newPresenceCache() *cache.Cache[map[string]bool] {
	return cache.New[map[string]bool](presenceTTL, 256)
}

// mapQueries are the map's sub-queries, each read from the recorded series when its
// rule group covers the window, else from the raw series.
func (c *Client) mapQueries(ctx context.Context, q MeshQuery) []subQuery {
	subs := queries(q)
	w, ok := recordedWindow(q)
	if !c.recordingRules || !ok {
		return subs
	}
	present := c.presentGroups(ctx, q.Mesh, q.To, w)
	for i := range subs {
		if name := subs[i].name; present[name] {
			subs[i].expr = recordedExpr(q, name, w)
			if subs[i].byLE != nil {
				// The recorded buckets keep le: shards split them alike.
				subs[i].byLE = func(m string) string { return recordedExpr(q, name, w, m) }
			}
		}
	}
	return subs
}

// recordedWindow is the part of q's window the recorded samples cover, whole rule
// intervals, and whether it is long enough to use them.
func recordedWindow(q MeshQuery) (time.Duration, bool) {
	w := q.Window()
	return w.Truncate(RuleInterval), w >= minRecordedWindow
}

// recordedExpr reads sub-query name from the recorded series: their sums over the
// window, regrouped by q's regime (a subset of the rules' labels, so the sums are
// exact), scaled from the whole rule intervals to q's window; extra matchers narrow it
// (a shard's le).
func recordedExpr(q MeshQuery, name string, w time.Duration, extra ...string) string {
	sel := append(matchers(q), extra...)
	rng := "[" + seconds(w) + "] offset " + seconds(ruleLag)
	scale := ""
	if full := q.Window(); full != w {
		scale = " * " + strconv.FormatFloat(full.Seconds()/w.Seconds(), 'g', -1, 64)
	}
	reporter := reporterOf(q.Regime).groupBy()
	var exprs []string
	for _, r := range groupRules(name) {
		by := strings.Join(slices.Concat(reporter, r.Extra), ",")
		exprs = append(exprs, "sum by ("+by+") (sum_over_time("+vectorSelector(r.Record, sel)+rng+"))"+scale)
	}
	if len(exprs) == 1 {
		return exprs[0]
	}
	for i, r := range groupRules(name) {
		exprs[i] = tag(exprs[i], kindLabel, string(r.kind))
	}
	return strings.Join(exprs, " or ")
}

func groupRules(name string) []RecordingRule {
	return slices.DeleteFunc(RecordingRules(), func(r RecordingRule) bool { return r.Group != name })
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d.Seconds()), 10) + "s" }

// presentGroups asks which rule groups recorded the mesh at both ends of the window
// ending at to, one cheap query kept for a minute (keyed by the minute, so refreshes
// share it). A failed check reads the raw series: it is never worse than no rules.
func (c *Client) presentGroups(ctx context.Context, mesh string, to time.Time, w time.Duration) map[string]bool {
	at := to.Truncate(time.Minute)
	key := fmt.Sprintf("%q %d %d", mesh, at.Unix(), int64(w.Seconds()))
	present, err := c.presence.Get(ctx, key, func(ctx context.Context) (map[string]bool, error) {
		// The map's own query path: a query slot, and the streaming decoder's bounds on
		// series and label lengths (a hostile answer here is read like a sub-query's).
		list, r := c.query(ctx, MeshQuery{To: at}, subQuery{name: "recording rules check"}, presenceExpr(mesh, w))
		if r.err != nil {
			return nil, r.err
		}
		present := map[string]bool{}
		for i := range list {
			present[list[i].get(recordedLabel)] = true
		}
		return present, nil
	})
	if err != nil {
		return nil
	}
	return present
}

// presenceExpr asks, per rule group, whether its first rule recorded the mesh in the
// window's last rule interval and in its first (the one that starts w before the
// last). Checking the ends is enough: a group runs every interval once it is loaded.
// The latency rule is probed on its +Inf bucket only, a twentieth of its series; +Inf
// is spelled alike by every store (the le spellings differ on finite bounds only).
func presenceExpr(mesh string, w time.Duration) string {
	var parts []string
	seen := map[string]bool{}
	for _, r := range RecordingRules() {
		if seen[r.Group] {
			continue
		}
		seen[r.Group] = true
		sel := []string{Equal(naming.LabelMesh, mesh)}
		if slices.Contains(r.Extra, "le") {
			sel = append(sel, `le="+Inf"`)
		}
		probe := func(offset time.Duration) string {
			return "group(count_over_time(" + vectorSelector(r.Record, sel) + "[" + seconds(RuleInterval) + "] offset " + seconds(offset) + "))"
		}
		parts = append(parts, tag(probe(ruleLag)+" and "+probe(ruleLag+w-RuleInterval), recordedLabel, r.Group))
	}
	return strings.Join(parts, " or ")
}
