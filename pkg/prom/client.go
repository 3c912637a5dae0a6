// Package prom reads a mesh's traffic from Prometheus: four instant queries
// per map, built per naming regime with every label value escaped, run
// concurrently, decoded into sample.Set.
package prom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/cache"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// DefaultMaxSeries caps each sub-query's result unless WithMaxSeries says
// otherwise. The latency query is the largest (about 20 buckets per edge and
// source zone), so this fits some 10,000 edges before results are cut with a notice.
const DefaultMaxSeries = 200_000

// Client queries one Prometheus.
type Client struct {
	client    api.Client
	maxSeries int
	// inFlight lets concurrent identical queries share one fetch; it keeps nothing.
	inFlight *cache.Cache[sample.Set]
	// timeout is the HTTP client's, named when a query runs out of it.
	timeout time.Duration
	// incr keeps the bodies of long ranges for refreshes; nil: off.
	incr *incremental
	// recordingRules lets the map read the recording rules' series (recorded.go);
	// presence keeps which rule groups a mesh has, briefly.
	recordingRules bool
	presence       *cache.Cache[map[string]bool]
	// shards is how many queries a sub-query with latency buckets is split into (shard.go).
	shards int
	// slots bounds the PromQL requests in flight at once; nil is no bound.
	slots chan struct{}
	// answers reads query answers (vectorClient).
	answers answerReader
}

// Option configures a Client.
type Option func(*Client)

// WithMaxSeries caps the series one sub-query may return; the rest is
// dropped with a notice. Values below 1 keep the default.
func WithMaxSeries(n int) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxSeries = n
		}
	}
}

// WithShards splits the sub-queries that read latency buckets into n concurrent
// queries (shard.go); 1 or less is one query each. At most len(leFirstChars) take effect.
func WithShards(n int) Option {
	return func(c *Client) { c.shards = n }
}

// WithMaxConcurrentQueries bounds the PromQL requests the client has in flight at once,
// across every map it serves: the others wait for a slot (or for their context to end).
// Values below 1 leave it unbounded.
func WithMaxConcurrentQueries(n int) Option {
	return func(c *Client) {
		c.slots = nil
		if n > 0 {
			c.slots = make(chan struct{}, n)
		}
	}
}

// New builds a client for the Prometheus at url. hc carries the caller's
// authentication, TLS, headers and timeout; like the CP's, its credentials never
// follow a redirect to another origin, and what it reads is charged to the budget of
// the caller's context (peer.WithBudget).
func New(url string, hc *http.Client, opts ...Option) (*Client, error) {
	if url == "" {
		return nil, errors.New("prometheus URL is required")
	}
	hc = peer.SameOriginRedirects(hc)
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	hc.Transport = peer.Transport(hc.Transport)
	ac, err := api.NewClient(api.Config{Address: url, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus client: %w", err)
	}
	c := &Client{client: ac, maxSeries: DefaultMaxSeries, inFlight: cache.New[sample.Set](0, 0), timeout: hc.Timeout,
		recordingRules: true, presence: newPresenceCache(), answers: answerReader{hc: hc}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// result is what one sub-query brought back.
type result struct {
	samples  []sample.Sample
	notices  []sample.Notice
	err      error
	workload bool
	clusters []string
}

// FetchMeshSamples runs the map's sub-queries concurrently. A failing
// sub-query becomes an error notice and the others still count; the error
// is non-nil only for an invalid query or when every sub-query failed.
//
// Identical queries in flight at the same time share one fetch: a dashboard
// refresh asks for the same map from several panels and viewers at once, and
// each fetch decodes up to four times DefaultMaxSeries series. Nothing is kept
// once the fetch ends. Callers share the returned slices and must not modify
// their elements (appending is safe: they are clipped).
func (c *Client) FetchMeshSamples(ctx context.Context, q MeshQuery) (sample.Set, error) {
	if err := q.validate(); err != nil {
		return sample.Set{}, err
	}
	key := fmt.Sprintf("%q %q %q %t %d %d", q.Mesh, q.Zones, q.Regime, q.ZoneProxies, q.From.UnixNano(), q.To.UnixNano())
	set, err := c.inFlight.Get(ctx, key, func(ctx context.Context) (sample.Set, error) { return c.fetch(ctx, q) })
	set.Samples, set.Notices = slices.Clip(set.Samples), slices.Clip(set.Notices)
	return set, err
}

func (c *Client) fetch(ctx context.Context, q MeshQuery) (sample.Set, error) {
	subs := c.mapQueries(ctx, q)
	results := make([]result, len(subs))
	var wg sync.WaitGroup
	for i, sq := range subs {
		wg.Go(func() {
			r, err := safe.Do("Prometheus sub-query "+sq.name, func() (result, error) { return c.runSub(ctx, q, sq), nil })
			if err != nil {
				r.err = err
			}
			results[i] = r
		})
	}
	wg.Wait()

	set := sample.Set{Regime: q.Regime, Window: q.Window()}
	total := 0
	for _, r := range results {
		total += len(r.samples)
	}
	set.Samples = make([]sample.Sample, 0, total)
	var errs []error
	workload, clusters := false, []string{}
	for _, r := range results {
		if errors.Is(r.err, safe.ErrPanic) {
			// A bug, not Prometheus failing: no map without that sub-query's data.
			return sample.Set{}, r.err
		}
		set.Samples = append(set.Samples, r.samples...)
		set.Notices = append(set.Notices, r.notices...)
		if r.err != nil {
			errs = append(errs, r.err)
		}
		workload = workload || r.workload
		clusters = append(clusters, r.clusters...)
	}
	if len(errs) == len(subs) {
		return sample.Set{}, errors.Join(errs...)
	}
	if set.Regime == naming.RegimeAuto {
		set.Regime = naming.DetectRegime(workload, clusters)
	}
	return set, nil
}

func (c *Client) run(ctx context.Context, q MeshQuery, sq subQuery) result {
	lists, r := c.series(ctx, q, sq)
	if r.err != nil {
		return r
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if n > c.maxSeries {
		// Keep the largest of what came back: they carry most of the
		// traffic. (A Prometheus that honours limit has already cut
		// arbitrarily, so this is best effort.)
		list := slices.Concat(lists...)
		slices.SortFunc(list, func(a, b series) int { return cmp.Compare(b.value, a.value) })
		r.notices = append(r.notices, sample.Notice{Severity: sample.SeverityWarning, Text: fmt.Sprintf(
			"Prometheus (%s): more than %d series, the rest is left out; narrow the zones or raise the series limit", sq.name, c.maxSeries)})
		lists, n = [][]series{list[:c.maxSeries]}, c.maxSeries
	}
	seen, last, long := map[string]bool{}, "", 0
	r.samples = make([]sample.Sample, 0, n)
	for _, list := range lists {
		for i := range list {
			s := &list[i]
			if s.long {
				long++
				continue
			}
			smp, ok := decode(s, sq.kind, sq.reporter, sq.signed)
			if !ok {
				continue
			}
			if smp.Proxy.ZoneProxy != "" {
				smp.Proxy.Mesh = q.Mesh // its clusters were selected by the mesh in their names
			}
			r.samples = append(r.samples, smp)
			if !r.workload && s.at(slotWorkload) != "" {
				r.workload = true
			}
			// Regime detection needs each cluster once, not once per bucket and class
			// (which follow one another: the one before is looked at first).
			if smp.Kind != sample.InboundRequests && smp.Cluster != last {
				if !seen[smp.Cluster] {
					seen[smp.Cluster] = true
					r.clusters = append(r.clusters, smp.Cluster)
				}
				last = smp.Cluster
			}
		}
	}
	if long > 0 {
		r.notices = append(r.notices, sample.Notice{Severity: sample.SeverityWarning, Text: fmt.Sprintf(
			"Prometheus (%s): %d series with a label longer than %d bytes left out", sq.name, long, maxLabel)})
	}
	return r
}

// query runs one PromQL query of sq and decodes its series.
func (c *Client) query(ctx context.Context, q MeshQuery, sq subQuery, expr string) ([]series, result) {
	var r result
	if err := c.acquire(ctx); err != nil {
		r.err = fmt.Errorf("prometheus query %q: waiting for a free query slot: %w", sq.name, err)
		r.notices = append(r.notices, sample.Notice{Severity: sample.SeverityError, Text: r.err.Error() + "; the map is drawn without it"})
		return nil, r
	}
	defer c.release()
	// Asking for one more than the cap tells a cut result from a full one;
	// Prometheus versions without the limit parameter ignore it.
	vc := &vectorClient{Client: c.client, answers: &c.answers, maxSeries: c.maxSeries + 1}
	defer vc.release()
	val, warnings, infos, err := v1.NewAPI(vc).Query(ctx, expr, q.To, v1.WithLimit(uint64(c.maxSeries)+1))
	r.notices = append(r.notices, notices(sample.SeverityWarning, sq.name, warnings)...)
	r.notices = append(r.notices, notices(sample.SeverityInfo, sq.name, usefulInfos(infos))...)
	if err != nil {
		// Prometheus' error text (or a proxy's page) is cut; the cause stays for errors.Is.
		err = peer.CutError(err)
		r.err = fmt.Errorf("prometheus query %q: %w", sq.name, err)
		if timedOut(err) {
			r.err = fmt.Errorf("prometheus query %q: timed out%s: %w", sq.name, c.within(), err)
		}
		r.notices = append(r.notices, sample.Notice{Severity: sample.SeverityError, Text: r.err.Error() + "; the map is drawn without it"})
		return nil, r
	}
	vec, ok := val.(model.Vector)
	if !ok {
		r.err = fmt.Errorf("prometheus query %q: got %T, want a vector", sq.name, val)
		r.notices = append(r.notices, sample.Notice{Severity: sample.SeverityError, Text: r.err.Error()})
		return nil, r
	}
	if !vc.ok {
		return fromVector(vec), r
	}
	return vc.decoded, r
}

// maxNotices bounds the warnings (and the infos) of one sub-query shown as notices.
const maxNotices = 5

// notices turns Prometheus' warnings or infos into notices, each cut to one short line.
func notices(severity sample.Severity, subQuery string, texts []string) []sample.Notice {
	var out []sample.Notice
	for i, t := range texts {
		if i == maxNotices {
			out = append(out, sample.Notice{Severity: severity, Text: fmt.Sprintf("Prometheus (%s): %d more", subQuery, len(texts)-i)})
			break
		}
		out = append(out, sample.Notice{Severity: severity, Text: fmt.Sprintf("Prometheus (%s): %s", subQuery, peer.Cut(t))})
	}
	return out
}

// timedOut reports a request that ran out of time: the HTTP client's timeout
// ("Client.Timeout exceeded") or the caller's deadline. Net/http's words do not
// tell an operator which setting to change, so the error says it.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func (c *Client) within() string {
	if c.timeout <= 0 {
		return ""
	}
	return fmt.Sprintf(" (no answer within the %s Prometheus timeout)", c.timeout)
}

// kinds are the sample kinds a sub-query may tag its series with.
var kinds = map[sample.Kind]bool{
	sample.Requests: true, sample.GRPCFailures: true, sample.LatencyBucket: true, sample.RxBytes: true,
	sample.TxBytes: true, sample.Connections: true, sample.InboundRequests: true,
}

// decode turns one series into a sample. A NaN or negative increase (a
// counter that vanished mid-window) is dropped: absent means zero, unless
// signed (a delta of windows may be negative). An
// infinite value (never an increase of a real counter) is dropped too: it
// would turn every rate and share it touches into Inf or NaN.
func decode(s *series, kind sample.Kind, r reporter, signed bool) (sample.Sample, bool) {
	v := s.value
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 && !signed {
		return sample.Sample{}, false
	}
	first := func(slots []int) string {
		for _, k := range slots {
			if v := s.at(k); v != "" {
				return v
			}
		}
		return ""
	}
	smp := sample.Sample{
		Kind: cmp.Or(kind, sample.Kind(s.at(slotKind))),
		Proxy: sample.Proxy{
			Mesh:    s.at(slotMesh),
			Zone:    first(r.zone),
			Source:  first(r.source),
			Gateway: s.at(slotProxyRole) == "gateway" || s.at(slotMeshGateway) != "",
		},
		Cluster: cmp.Or(s.at(slotCluster), s.at(slotInboundPrefix)),
		Class:   statusClass(s.at(slotClass)),
		Value:   v,
	}
	if !kinds[smp.Kind] {
		return sample.Sample{}, false
	}
	if r.zoneProxy {
		smp.Proxy.ZoneProxy = s.at(slotZoneProxy)
	}
	if smp.Kind == sample.LatencyBucket {
		// A NaN bound cannot be looked up in a histogram, a -Inf one bounds nothing.
		le, ok := parseFloat(s.at(slotLE))
		if !ok || math.IsNaN(le) || math.IsInf(le, -1) {
			return sample.Sample{}, false
		}
		smp.LE = le
	}
	return smp, true
}

// statusClass turns Envoy's class tag ("2") into "2xx".
func statusClass(c string) string {
	switch c { // Envoy's classes without a string per sample
	case "1", "2", "3", "4", "5":
		return [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}[c[0]-'1']
	}
	if len(c) == 1 {
		return c + "xx"
	}
	return c
}

// Version asks Prometheus for its build information, as the health check reports it.
func (c *Client) Version(ctx context.Context) (string, error) {
	info, err := v1.NewAPI(c.client).Buildinfo(ctx)
	if err != nil {
		return "", fmt.Errorf("GET /api/v1/status/buildinfo: %w", peer.CutError(err))
	}
	return info.Version, nil
}
