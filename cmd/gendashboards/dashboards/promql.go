package dashboards

import (
	"fmt"
	"slices"
	"strings"
)

// rateWindow is Grafana's rate window, sized from the scrape interval and step.
const rateWindow = "[$__rate_interval]"

// Regexes over envoy_cluster_name / stat prefixes shared by both naming regimes.
const (
	// inboundRe: legacy inbounds are localhost_<port>, unified ones self_inbound_<dp|port name>.
	inboundRe = `localhost_[0-9]+|self_inbound_.*`
	// internalRe: clusters that carry the proxy's own traffic (xDS, admin, access
	// logs, metrics, readiness, transparent-proxy passthrough) and inbounds; what is
	// left are outbounds to mesh and external services.
	internalRe = `ads_cluster|access_log_sink|kuma_envoy_admin|(inbound|outbound)_passthrough_ipv[46]|_.*|self_.*|system_.*|` + inboundRe
)

// sel is a set of label matchers per naming regime. Legacy proxies are labelled by
// Kuma's service discovery (kuma_io_service, kuma_io_zone, dataplane), unified ones
// by kuma-dp itself (kuma_workload, zone, kuma_proxy_role); a query ORs both forms so
// one dashboard answers for either regime, and for a mesh migrating between them.
type sel struct{ legacy, unified []string }

// both is a selector whose matchers are the same in both regimes.
func both(m ...string) sel { return sel{legacy: m, unified: m} }

// and adds matchers to a selector.
func (s sel) and(o sel) sel {
	return sel{legacy: concat(s.legacy, o.legacy), unified: concat(s.unified, o.unified)}
}

func concat(a, b []string) []string { return append(slices.Clip(a), b...) }

// Selectors every dashboard combines.
var (
	inMesh = both(`mesh="$mesh"`)
	inZone = sel{legacy: []string{`kuma_io_zone=~"$zone"`}, unified: []string{`zone=~"$zone"`}}
	// Inbound and outbound clusters and inbound HTTP listeners, picked by name.
	inboundCluster  = both(`envoy_cluster_name=~"` + inboundRe + `"`)
	outboundCluster = both(`envoy_cluster_name!~"` + internalRe + `"`)
	inboundHCM      = both(`envoy_http_conn_manager_prefix=~"` + inboundRe + `"`)
)

// k8sServiceSuffix is what Kubernetes adds to a kuma.io/service: <name>_<namespace>_svc_<port>.
// Accepting it lets a bare service name (the services list's display name, a MeshService)
// and the map's name <name>_<namespace> (the map's links and the Mesh dashboard's
// service table) select the Kubernetes-named proxies and clusters too.
const k8sServiceSuffix = `((_[^_]+)?_svc_[0-9]+)?`

// proxiesOf selects the proxies of the services in a variable: kuma.io/service in
// legacy regimes, the workloads behind the service under unified naming.
func proxiesOf(variable string) sel {
	return sel{
		legacy:  []string{`kuma_io_service=~"${` + variable + `}` + k8sServiceSuffix + `"`},
		unified: []string{`kuma_workload=~"${` + workloadOf(variable) + `}"`},
	}
}

// clusterOf selects the outbound clusters that lead to the services in a variable,
// in every naming Kuma has used: the kuma.io/service itself (bare or Kubernetes-named,
// with the -<16 hex> suffix of an un-merged traffic split), MeshService/MeshMultiZoneService/
// MeshExternalService names <mesh>_<name>_<ns>_<zone>_<kind>_<port>, and KRIs
// kri_<kind>_<mesh>_<zone>_<ns>_<name>_<section>.
func clusterOf(variable string) sel {
	// ${name}: in $name_ Grafana would read a variable called "name_".
	v := "${" + variable + "}"
	re := fmt.Sprintf(`%[1]s`+k8sServiceSuffix+`(-[0-9a-f]{16})?|${mesh}_%[1]s_[^_]*_[^_]*_(msvc|mzsvc|extsvc)_[0-9]+|kri_(msvc|mzsvc|extsvc)_${mesh}_[^_]*_[^_]*_%[1]s_[^_]*`, v)
	return both(`envoy_cluster_name=~"` + re + `"`)
}

// metric is a metric name. Counters Envoy and kuma-cp name without _total gain the
// suffix when exported through OpenMetrics (MeshMetric, OTel), so their selector
// accepts both spellings.
type metric struct {
	name          string
	optionalTotal bool
}

func gauge(name string) metric { return metric{name: name} }
func counter(name string) metric {
	return metric{name: name, optionalTotal: !strings.HasSuffix(name, "_total")}
}

// bucket is the _bucket series of a histogram.
func bucket(name string) metric { return metric{name: name + "_bucket"} }

// selectors renders the metric under each regime's matchers; one selector when the
// regimes agree.
func (m metric) selectors(s sel) []string {
	render := func(matchers []string) string {
		if m.optionalTotal {
			return `{__name__=~"` + m.name + `(_total)?"` + prefixed(matchers) + "}"
		}
		return m.name + "{" + strings.Join(matchers, ",") + "}"
	}
	l, u := render(s.legacy), render(s.unified)
	if l == u {
		return []string{l}
	}
	return []string{l, u}
}

func prefixed(m []string) string {
	if len(m) == 0 {
		return ""
	}
	return "," + strings.Join(m, ",")
}

// instant is the union of a metric's series under both regimes.
func instant(m metric, s sel) string { return strings.Join(m.selectors(s), " or ") }

// rate is the per-second rate of a counter under both regimes.
func rate(m metric, s sel) string {
	sels := m.selectors(s)
	parts := make([]string, len(sels))
	for i, x := range sels {
		parts[i] = "rate(" + x + rateWindow + ")"
	}
	return strings.Join(parts, " or ")
}

// sumBy aggregates an expression; no labels means one total.
func sumBy(expr string, by ...string) string { return aggregate("sum", expr, by...) }

// aggregate applies a PromQL aggregation (sum, min…) by labels; none means over all.
func aggregate(op, expr string, by ...string) string {
	if len(by) == 0 {
		return op + "(" + expr + ")"
	}
	return op + " by (" + strings.Join(by, ", ") + ") (" + expr + ")"
}

// sumRate is the summed rate of a counter.
func sumRate(m metric, s sel, by ...string) string { return sumBy(rate(m, s), by...) }

// quantile is a percentile from a histogram's merged buckets: the buckets of every
// selected series are summed before histogram_quantile, the only way to get a true
// percentile over many proxies.
func quantile(q float64, histogram string, s sel, by ...string) string {
	return fmt.Sprintf("histogram_quantile(%g, %s)", q, sumBy(rate(bucket(histogram), s), append([]string{"le"}, by...)...))
}

// zeroFallback makes a total read 0 when every series is missing: MeshMetric omits
// counters that never incremented, and "No data" would hide that nothing failed.
const zeroFallback = " or on() vector(0)"

// ratio divides two expressions; a missing numerator is 0, a missing denominator
// (no traffic) leaves the panel empty rather than claiming a 0 % error rate.
func ratio(num, den string) string {
	return "(" + num + zeroFallback + ") / " + den
}
