package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// CommunityQueries are the community plugin's map queries, written from its description:
// three groups (by source service and cluster, by cluster only, gateways' inbound) of four
// instant queries each (requests by status class, request rate, p50, p99). The window is
// the same as ours so that Prometheus reads the same samples for both.
func CommunityQueries(mesh, zone string, window time.Duration) []string {
	sel := prom.Equal("mesh", mesh)
	if zone != "" {
		sel += "," + prom.Equal("kuma_io_zone", zone)
	}
	w := "[" + model.Duration(window).String() + "]"
	group := func(prefix, by string) []string {
		quantile := func(q string) string {
			return fmt.Sprintf("histogram_quantile(%s, sum by (%s,le) (rate(%s_rq_time_bucket{%s}%s)))", q, by, prefix, sel, w)
		}
		return []string{
			fmt.Sprintf("sum by (%s,envoy_response_code_class) (round(increase(%s_rq_xx{%s}%s)))", by, prefix, sel, w),
			fmt.Sprintf("sum by (%s) (rate(%s_rq_total{%s}%s))", by, prefix, sel, w),
			quantile("0.5"),
			quantile("0.99"),
		}
	}
	var qs []string
	qs = append(qs, group("envoy_cluster_upstream", "kuma_io_service,envoy_cluster_name")...)
	qs = append(qs, group("envoy_cluster_upstream", "envoy_cluster_name")...)
	qs = append(qs, group("envoy_http_downstream", "kuma_io_service,envoy_http_conn_manager_prefix")...)
	return qs
}

// RunQueries issues every query at once, as the baseline does, and returns how many
// series came back in all. Each answer is decoded by client_golang, as ours are.
func RunQueries(ctx context.Context, api v1.API, queries []string, at time.Time) (int, error) {
	series := make([]int, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			val, _, _, err := api.Query(ctx, q, at)
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", q, err)
				return
			}
			if vec, ok := val.(model.Vector); ok {
				series[i] = len(vec)
			}
		})
	}
	wg.Wait()
	n := 0
	for i := range queries {
		if errs[i] != nil {
			return 0, errs[i]
		}
		n += series[i]
	}
	return n, nil
}
