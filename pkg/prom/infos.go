package prom

import (
	"slices"
	"strings"
)

// notACounter starts the info Prometheus 3 attaches to rate() and increase() of a metric
// whose name lacks _total/_sum/_count/_bucket. Envoy's counters never have those
// suffixes (envoy_cluster_upstream_rq_xx) and the map only ever rates Envoy's counters,
// so on Prometheus 3 every map would carry these infos as notices, telling the user
// nothing.
const notACounter = "PromQL info: metric might not be a counter"

// usefulInfos drops the infos that name no problem of the user's (notACounter).
func usefulInfos(infos []string) []string {
	return slices.DeleteFunc(infos, func(s string) bool { return strings.HasPrefix(s, notACounter) })
}
