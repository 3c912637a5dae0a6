package prom

import (
	"slices"
	"testing"
)

// TestUsefulInfos drops Prometheus 3's "might not be a counter" info, which every rate of
// Envoy's unsuffixed counters draws, and keeps any other.
func TestUsefulInfos(t *testing.T) {
	got := usefulInfos([]string{
		`PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "envoy_cluster_upstream_rq_xx" (1:169)`,
		`PromQL info: ignored histogram in rate`,
	})
	if want := []string{`PromQL info: ignored histogram in rate`}; !slices.Equal(got, want) {
		t.Errorf("usefulInfos = %q, want %q", got, want)
	}
}
