package prom

import (
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// RuleInterval is how often the shipped recording rules run and the range each of
// their samples covers: consecutive samples tile time, so a window's increase is the
// sum of the samples inside it. Five minutes keeps a 24-hour map at 288 samples per
// edge series (one minute would be 1,440, slower to read than the raw 5-minute map).
const RuleInterval = 5 * time.Minute

// RecordingRule is one rule of the shipped file (prometheus/kuma-datasource-rules.yaml):
// the increase of one metric over RuleInterval, summed per edge as the map reads it,
// with every per-instance label dropped.
type RecordingRule struct {
	// Group is the sub-query the rule serves, also its rule group's name suffix: each
	// sub-query's rules run (and are detected) together.
	Group string
	// Record is the recorded series' name.
	Record string
	// Metric is the raw metric, a name or a pattern of names.
	Metric string
	// By are the labels kept: every regime's reporter labels (grouping by a label a
	// series lacks costs nothing, so one rule serves every regime) and Extra.
	By []string
	// Upstream rules keep the proxies' own clusters out, as the map's upstream
	// sub-queries do.
	Upstream bool
	// Extra are the labels kept beyond the reporting proxy's.
	Extra []string
	kind  sample.Kind
}

// ruleGroupPrefix names the shipped rule groups, kuma-datasource-<sub-query>.
const ruleGroupPrefix = "kuma-datasource-"

// RecordingRules are the shipped rules, grouped by sub-query in the order of queries.
// The first rule of each group is the one whose presence is checked.
func RecordingRules() []RecordingRule {
	cluster, class := string(naming.LabelCluster), "envoy_response_code_class"
	rules := []RecordingRule{
		{Group: "requests", Metric: "envoy_cluster_upstream_rq_xx", kind: sample.Requests, Upstream: true, Extra: []string{cluster, class}},
		{Group: "requests", Metric: "envoy_cluster_grpc_(.+_)?failure", kind: sample.GRPCFailures, Upstream: true, Extra: []string{cluster}},
		{Group: "latency", Metric: "envoy_cluster_upstream_rq_time_bucket", kind: sample.LatencyBucket, Upstream: true, Extra: []string{cluster, "le"}},
		{Group: "tcp", Metric: "envoy_cluster_upstream_cx_total", kind: sample.Connections, Upstream: true, Extra: []string{cluster}},
		{Group: "tcp", Metric: "envoy_cluster_upstream_cx_rx_bytes_total", kind: sample.RxBytes, Upstream: true, Extra: []string{cluster}},
		{Group: "tcp", Metric: "envoy_cluster_upstream_cx_tx_bytes_total", kind: sample.TxBytes, Upstream: true, Extra: []string{cluster}},
		{Group: "inbound", Metric: "envoy_http_downstream_rq_xx", kind: sample.InboundRequests, Extra: []string{"envoy_http_conn_manager_prefix", class}},
	}
	reporter := reporterOf(naming.RegimeAuto).groupBy()
	for i := range rules {
		r := &rules[i]
		r.Record = r.recordName()
		r.By = slices.Concat(reporter, r.Extra)
	}
	return rules
}

// recordName follows Prometheus' level:metric:operations convention (an edge, or the
// service of an inbound listener); a pattern of names (the gRPC failures) is named by
// its kind.
func (r RecordingRule) recordName() string {
	level, metric := "kuma_service:", r.Metric
	if r.Upstream {
		level = "kuma_edge:"
	}
	if !isName(metric) {
		metric = "envoy_cluster_" + string(r.kind)
	}
	return level + metric + ":increase" + model.Duration(RuleInterval).String()
}

// Expr is the rule's PromQL: series without a mesh are not the map's (zone proxies,
// Envoys outside the mesh) and are not recorded.
func (r RecordingRule) Expr() string {
	sel := []string{`mesh!=""`}
	if r.Upstream {
		sel = append(sel, notInternalCluster)
	}
	return increase(r.Metric, sel, "["+strconv.Itoa(int(RuleInterval.Seconds()))+"s]", r.By)
}

// GroupName is the name of the rule's group in the shipped file.
func (r RecordingRule) GroupName() string { return ruleGroupPrefix + r.Group }
