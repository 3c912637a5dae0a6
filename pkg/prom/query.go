package prom

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// MeshQuery asks for the traffic of one mesh over a dashboard time range.
type MeshQuery struct {
	Mesh string
	// Zones limits the reporting proxies to these zones; empty means all.
	Zones []string
	// Regime picks the label set; RegimeAuto groups by every regime's
	// labels and detects the regime from what comes back.
	Regime naming.Regime
	// ZoneProxies adds the traffic of the zone ingresses and egresses to the
	// mesh's services.
	ZoneProxies bool
	// From and To are the dashboard range. Counters are increased over
	// [From, To] and evaluated at To, never at "now".
	From, To time.Time
	// Incremental lets a long range be answered from the bodies kept by earlier
	// answers of the same length (WithIncrementalCache): a range that slides.
	Incremental bool
}

// MinWindow is the shortest window queried: increase() needs two scrapes,
// and a minute covers them at common scrape intervals.
const MinWindow = time.Minute

// Window is the range each sample's value covers.
func (q MeshQuery) Window() time.Duration {
	return max(q.To.Sub(q.From).Truncate(time.Second), MinWindow)
}

func (q MeshQuery) validate() error {
	switch {
	case q.Mesh == "":
		return fmt.Errorf("mesh is required")
	case !q.Regime.Valid():
		return fmt.Errorf("unknown naming regime %q", q.Regime)
	case q.From.IsZero() || q.To.IsZero():
		return fmt.Errorf("time range is required")
	}
	return nil
}

// kindLabel tags the parts of a query that joins several metrics with
// "or", so that one round trip can carry them and the decoder can tell them
// apart. The name is unlikely to clash with a real label.
const kindLabel = "kuma_datasource_kind"

// subQuery is one PromQL round trip.
type subQuery struct {
	name string
	expr string
	// kind is the sample kind when the query has a single metric; otherwise
	// the kindLabel says.
	kind sample.Kind
	// reporter names the labels of the proxy reporting a series.
	reporter reporter
	// signed keeps negative values: a delta of windows (incremental.go).
	signed bool
	// byLE, when set, is expr with one more matcher on le: the sub-query can be
	// sharded by its buckets (shard.go).
	byLE func(matcher string) string
}

// notInternalCluster keeps upstream series of the proxies' own plumbing (xDS, admin,
// inbound, passthrough) in Prometheus: they never become edges.
var notInternalCluster = naming.LabelCluster + "!~" + quote(naming.InternalClusterRegex())

// part is one metric of a sub-query.
type part struct {
	metric string
	kind   sample.Kind
	by     []string
}

// queries builds the four sub-queries of a map, and a fifth for the zone
// proxies when asked.
func queries(q MeshQuery) []subQuery {
	return queriesOver(q, "["+strconv.FormatInt(int64(q.Window().Seconds()), 10)+"s]")
}

// queriesOver builds them over the range selector w.
func queriesOver(q MeshQuery, w string) []subQuery {
	sel := matchers(q)
	rep := reporterOf(q.Regime)
	reporter := rep.groupBy()
	upstream := slices.Concat(reporter, []string{naming.LabelCluster})
	inbound := slices.Concat(reporter, []string{"envoy_http_conn_manager_prefix", "envoy_response_code_class"})
	dest := append(slices.Clone(sel), notInternalCluster)
	latency := func(le ...string) string {
		return increase("envoy_cluster_upstream_rq_time_bucket", slices.Concat(dest, le), w, slices.Concat(upstream, []string{"le"}))
	}
	subs := []subQuery{
		{name: "requests", expr: tagged(dest, w, []part{
			{"envoy_cluster_upstream_rq_xx", sample.Requests, slices.Concat(upstream, []string{"envoy_response_code_class"})},
			// Envoy's tag extractor turns the gRPC stats filter's
			// cluster.<c>.grpc.<service>.<method>.failure into envoy_cluster_grpc_failure
			// with service/method labels; without extraction the service stays in the
			// name (envoy_cluster_grpc_<service>_<method>_failure). Match both.
			{"envoy_cluster_grpc_(.+_)?failure", sample.GRPCFailures, upstream},
		})},
		{name: "latency", kind: sample.LatencyBucket, expr: latency(), byLE: func(m string) string { return latency(m) }},
		{name: "tcp", expr: tagged(dest, w, []part{
			{"envoy_cluster_upstream_cx_rx_bytes_total", sample.RxBytes, upstream},
			{"envoy_cluster_upstream_cx_tx_bytes_total", sample.TxBytes, upstream},
			{"envoy_cluster_upstream_cx_total", sample.Connections, upstream},
		})},
		{name: "inbound", kind: sample.InboundRequests, expr: increase("envoy_http_downstream_rq_xx", sel, w, inbound)},
	}
	for i := range subs {
		subs[i].reporter = rep
	}
	if q.ZoneProxies {
		subs = append(subs, zoneProxyQuery(q, w))
	}
	return subs
}

// zoneProxyReporter labels a zone proxy's series: Kuma's kuma-zone-proxies scrape job
// (kumahq/kuma dashboards/grafana/README.md) attaches proxy (sample.ZoneIngress or
// sample.ZoneEgress) and zone in every naming regime, and no mesh: one zone proxy
// serves every mesh.
var zoneProxyReporter = reporter{zone: []int{slotZone}, zoneProxy: true}

const labelZoneProxy = "proxy"

// zoneProxyQuery asks for what the zone ingresses and egresses sent to the mesh's
// services. With no mesh label, the mesh is in the cluster names: legacy
// <mesh>_<service> (envoy_names.GetMeshClusterName) and MeshService names start with
// it, KRI names carry it after their type. The ingress passes mTLS through (a TCP
// proxy), so it has connections and bytes only; the egress terminates it and has
// requests and latency as well.
func zoneProxyQuery(q MeshQuery, w string) subQuery {
	mesh := regexp.QuoteMeta(q.Mesh)
	clusters, _ := Match(naming.LabelCluster, mesh+"_.+|kri_[a-z]+_"+mesh+"_.+") // literal mesh: always valid
	// The proxies' own clusters stay out even where the mesh's name begins theirs (a mesh "ads").
	sel := []string{MatchAny(labelZoneProxy, []string{sample.ZoneIngress, sample.ZoneEgress}, false), clusters, notInternalCluster}
	by := []string{labelZoneProxy, naming.LabelZone, naming.LabelCluster}
	return subQuery{name: "zone proxies", reporter: zoneProxyReporter, expr: tagged(sel, w, []part{
		{"envoy_cluster_upstream_rq_xx", sample.Requests, slices.Concat(by, []string{"envoy_response_code_class"})},
		{"envoy_cluster_upstream_rq_time_bucket", sample.LatencyBucket, slices.Concat(by, []string{"le"})},
		{"envoy_cluster_upstream_cx_rx_bytes_total", sample.RxBytes, by},
		{"envoy_cluster_upstream_cx_tx_bytes_total", sample.TxBytes, by},
		{"envoy_cluster_upstream_cx_total", sample.Connections, by},
	})}
}

// reporter names the labels that identify the proxy reporting a series,
// each list in order of preference. Auto mode takes every regime's labels:
// grouping by a label a series lacks costs nothing.
type reporter struct {
	source, zone []int // slots
	// zoneProxy: the series carry a zone proxy's kind (labelZoneProxy).
	zoneProxy bool
}

func reporterOf(r naming.Regime) reporter {
	if r == naming.RegimeUnified {
		// Proxies without a kuma.io/workload label (delegated gateways)
		// are still known by their kuma.io/service tag.
		return reporter{source: []int{slotWorkload, slotService}, zone: []int{slotZone}}
	}
	if l, ok := r.Labels(); ok {
		return reporter{source: []int{labelSlot(l.Source)}, zone: []int{labelSlot(l.Zone)}}
	}
	return reporter{source: []int{slotWorkload, slotService}, zone: []int{slotZone, slotLegacyZone}}
}

// groupBy is every label a sub-query keeps about the reporting proxy.
func (r reporter) groupBy() []string {
	by := []string{naming.LabelMesh}
	for _, k := range slices.Concat(r.source, r.zone) {
		by = append(by, slotNames[k])
	}
	return append(by, naming.LabelProxyRole, naming.LabelMeshGateway)
}

// matchers filter by mesh and zones. In auto mode the zone label is not
// known yet, so both zone labels are matched, each also accepting series
// that lack it: a legacy series has kuma_io_zone, a unified one has zone.
func matchers(q MeshQuery) []string {
	m := []string{Equal(naming.LabelMesh, q.Mesh)}
	if len(q.Zones) > 0 {
		if l, ok := q.Regime.Labels(); ok {
			m = append(m, MatchAny(l.Zone, q.Zones, false))
		} else {
			m = append(m, MatchAny(naming.LabelLegacyZone, q.Zones, true), MatchAny(naming.LabelZone, q.Zones, true))
		}
	}
	return m
}

// vectorSelector selects metric, a name or (with regex metacharacters) a
// pattern of names, with the matchers.
func vectorSelector(metric string, matchers []string) string {
	if isName(metric) {
		return metric + "{" + strings.Join(matchers, ",") + "}"
	}
	name, _ := Match("__name__", metric)
	return "{" + strings.Join(slices.Concat([]string{name}, matchers), ",") + "}"
}

// isName tells a metric's name from a pattern of names.
func isName(metric string) bool { return regexp.QuoteMeta(metric) == metric }

func increase(metric string, matchers []string, window string, by []string) string {
	return "sum by (" + strings.Join(by, ",") + ") (increase(" + vectorSelector(metric, matchers) + window + "))"
}

// tagged joins parts with "or", each tagged with its kind. The tags differ,
// so "or" keeps every series of every part.
func tagged(matchers []string, window string, parts []part) string {
	exprs := make([]string, len(parts))
	for i, p := range parts {
		exprs[i] = tag(increase(p.metric, matchers, window, p.by), kindLabel, string(p.kind))
	}
	return strings.Join(exprs, " or ")
}

// tag sets label to value on every series of expr.
func tag(expr, label, value string) string {
	return fmt.Sprintf("label_replace(%s, %q, %q, \"\", \"\")", expr, label, value)
}
