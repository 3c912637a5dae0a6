package plugin_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// stringLiterals splits PromQL into its double-quoted string literals (unquoted) and
// the rest with each literal replaced by "": the skeleton. A value that escaped its
// literal would change the skeleton.
func stringLiterals(t *testing.T, promql string) (skeleton string, literals []string) {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(promql); i++ {
		if promql[i] != '"' {
			b.WriteByte(promql[i])
			continue
		}
		j := i + 1
		for ; j < len(promql) && promql[j] != '"'; j++ {
			if promql[j] == '\\' {
				j++
			}
		}
		if j >= len(promql) {
			t.Fatalf("unterminated string in %s", promql)
		}
		lit, err := strconv.Unquote(promql[i : j+1])
		if err != nil {
			t.Fatalf("literal %s: %v", promql[i:j+1], err)
		}
		literals = append(literals, lit)
		b.WriteString(`""`)
		i = j
	}
	return b.String(), literals
}

// TestMeshGraphHostileQueryStaysLiteral sends a map query whose mesh, zones,
// serviceRegex and rollupRegEx try to break out of PromQL strings, and checks what the
// recording Prometheus received: each sub-query has the same shape as for a plain mesh
// (nothing was added or closed), the mesh literal is exactly the mesh, the zone regex
// matches exactly the zones (or a series without the label), and the two regexes,
// which only filter the map, never reach Prometheus.
func TestMeshGraphHostileQueryStaysLiteral(t *testing.T) {
	const (
		mesh         = "x\"} or vector(1) or up{a=\"\\"
		serviceRegex = `"} or vector(42) #`
		rollupRegEx  = `(.*)(_svc(_[0-9]+)?)|"}{`
	)
	zones := []string{"z.*", "a|b", "}\n{", `q"\`}
	send := func(mesh string, zones []string, extra string) *promfake.Prometheus {
		cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
		pr, _ := promfake.Start(t, promTestdata, "legacy")
		// One latency query: promfake keeps the form of the last, and shards differ in le.
		ds := newDatasource(t, cp.URL, `{"prometheusUrl":"`+pr.URL+`","prometheusShards":1}`)
		zs, _ := json.Marshal(zones)
		ms, _ := json.Marshal(mesh)
		graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":`+string(ms)+`,"zones":`+string(zs)+extra+`}`)
		return pr
	}
	plain := send("default", []string{"zone-1"}, "")
	hostile := send(mesh, zones, `,"serviceRegex":"\"} or vector(42) #","rollupRegEx":"(.*)(_svc(_[0-9]+)?)|\"}{"`)
	for _, sub := range []string{"requests", "latency", "tcp", "inbound"} {
		t.Run(sub, func(t *testing.T) {
			wantSkeleton, plainLits := stringLiterals(t, plain.Form(sub)["query"])
			query := hostile.Form(sub)["query"]
			skeleton, lits := stringLiterals(t, query)
			if skeleton != wantSkeleton {
				t.Fatalf("query shape changed:\n got %s\nwant %s", skeleton, wantSkeleton)
			}
			for _, re := range []string{serviceRegex, rollupRegEx} {
				if strings.Contains(query, re) || strings.Contains(query, strconv.Quote(re)) {
					t.Errorf("a map-side regex reached Prometheus: %s", query)
				}
			}
			for i, lit := range lits {
				switch plainLits[i] {
				case "default":
					if lit != mesh {
						t.Errorf("mesh literal %q, want %q", lit, mesh)
					}
				case "zone-1|":
					re := regexp.MustCompile("^(?:" + lit + ")$")
					for _, z := range append([]string{""}, zones...) {
						if !re.MatchString(z) {
							t.Errorf("zone matcher %q does not match %q", lit, z)
						}
					}
					for _, decoy := range []string{"z", "zone-1", "a", "b", "}", "q"} {
						if re.MatchString(decoy) {
							t.Errorf("zone matcher %q also matches %q", lit, decoy)
						}
					}
				default:
					if lit != plainLits[i] {
						t.Errorf("literal %q, want %q as for a plain mesh", lit, plainLits[i])
					}
				}
			}
		})
	}
}

// vectorServer answers instant queries with the vector body(query) returns (an empty
// one for nil), after delay (or when the plugin gives up).
func vectorServer(t *testing.T, delay time.Duration, result func(query string) []string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the form first lets the server notice when the plugin hangs up.
		query := r.FormValue("query")
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		var series []string
		if result != nil {
			series = result(query)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[%s]}}`, strings.Join(series, ","))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// manySeries is one requests series per caller → callee pair, n of them.
func manySeries(query string, n int) []string {
	if !strings.Contains(query, "envoy_cluster_upstream_rq_xx") {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"metric":{"mesh":"default","kuma_io_service":"svc-%d","kuma_io_zone":"zone-1","envoy_cluster_name":"dst-%d","envoy_response_code_class":"2","kuma_datasource_kind":"requests"},"value":[1764010800,"%d"]}`, i, i, i+1)
	}
	return out
}

// TestMeshGraphPrometheusMisbehaves: whatever Prometheus answers, the map is drawn with
// a notice saying what happened, and the whole response encodes as JSON without NaN or
// Inf (the SDK writes those as "entities", which panels do not expect in a map).
func TestMeshGraphPrometheusMisbehaves(t *testing.T) {
	tests := []struct {
		name string
		// prometheus returns the Prometheus URL.
		prometheus func(t *testing.T) string
		jsonData   string
		notice     string // "" = none expected
		check      func(t *testing.T, r backend.DataResponse)
		// within bounds the answer's time where the case is about a timeout; speed is
		// for benchmarks, so the other cases are not timed (a loaded CI machine).
		within time.Duration
	}{
		{name: "warnings", notice: "Prometheus (tcp): partial response: store gateway down", prometheus: func(t *testing.T) string {
			pr, _ := promfake.Start(t, promTestdata, "legacy")
			pr.Warn = map[string]bool{"tcp": true}
			return pr.URL
		}},
		{name: "NaN and Inf values", prometheus: func(t *testing.T) string {
			pr, _ := promfake.Start(t, promTestdata, "nonfinite")
			return pr.URL
		}},
		// Whole sub-queries: the refresh cache would read each in three windows (body, head
		// and tail), and fifteen answers of 200,010 series pass the 128 MiB read budget first.
		{name: "more series than the cap", jsonData: `,"incrementalCacheMB":0`, notice: fmt.Sprintf("more than %d series", prom.DefaultMaxSeries),
			prometheus: func(t *testing.T) string {
				return vectorServer(t, 0, func(q string) []string { return manySeries(q, prom.DefaultMaxSeries+10) }).URL
			},
			check: func(t *testing.T, r backend.DataResponse) {
				// Cut to the cap, then folded to the node graph's default 200 nodes.
				if n := r.Frames[0].Rows(); n == 0 || n > 200 {
					t.Errorf("%d nodes", n)
				}
				requireNotice(t, r.Frames[0], "folded")
			}},
		// The latency answer is 5,372 bytes, the others are smaller than 4 KiB (0.0039 MiB);
		// the cap is per answer, so the latency query is not sharded here.
		{name: "answer larger than the body cap", jsonData: `,"prometheusMaxResponseMB":0.0039,"prometheusShards":1`, notice: `prometheus query "latency": error: http: response body too large`,
			prometheus: func(t *testing.T) string {
				pr, _ := promfake.Start(t, promTestdata, "legacy")
				return pr.URL
			},
			check: func(t *testing.T, r backend.DataResponse) {
				if r.Frames[1].Rows() == 0 {
					t.Error("want the edges of the answers within the cap")
				}
			}},
		{name: "slower than prometheusTimeout", jsonData: `,"prometheusTimeout":1`, notice: "timed out (no answer within the 1s Prometheus timeout)", within: 15 * time.Second,
			prometheus: func(t *testing.T) string { return vectorServer(t, 20*time.Second, nil).URL },
			check: func(t *testing.T, r backend.DataResponse) {
				requireNotice(t, r.Frames[0], "Prometheus unavailable")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
			ds := newDatasource(t, cp.URL, `{"prometheusUrl":"`+tt.prometheus(t)+`"`+tt.jsonData+`}`)
			start := time.Now()
			r := graphQuery(t, ds, `{"queryType":"mesh-graph","mesh":"default"}`)
			if took := time.Since(start); tt.within > 0 && took > tt.within {
				t.Errorf("took %s", took)
			}
			nodes := requireNodes(t, r)
			if tt.notice != "" {
				requireNotice(t, nodes, tt.notice)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
			js, err := json.Marshal(&backend.QueryDataResponse{Responses: backend.Responses{"A": r}})
			if err != nil {
				t.Fatalf("response does not encode: %v", err)
			}
			if strings.Contains(string(js), `"entities"`) {
				t.Errorf("response carries NaN or Inf values")
			}
		})
	}
}
