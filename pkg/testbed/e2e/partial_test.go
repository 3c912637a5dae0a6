package e2e_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// The recorded Prometheus answers end at this time (see pkg/prom/testdata).
var recordedEnd = time.Unix(1764010800, 0)

func recordedRange(q e2e.Query) e2e.Query {
	q.From, q.To = recordedEnd.Add(-time.Hour).UnixMilli(), recordedEnd.UnixMilli()
	return q
}

// TestMeshGraphPartialFailureOverGRPC: what Grafana receives from the built binary when
// one side of the map fails. Each case must still be a drawn map (no query error) whose
// nodes frame carries a notice naming the failing side; only both sides down is an
// error, and it names both.
func TestMeshGraphPartialFailureOverGRPC(t *testing.T) {
	p := e2e.Start(t, nil)
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	promDir := filepath.Join("..", "..", "prom", "testdata")
	prom := func(fail ...string) string {
		pr, _ := promfake.Start(t, promDir, "legacy")
		pr.Fail = map[string]bool{}
		for _, f := range fail {
			pr.Fail[f] = true
		}
		return pr.URL
	}
	tests := []struct {
		name, cpURL, promURL string
		notice               string // in the nodes frame; "" = the query fails
		err                  []string
		edges                bool // traffic comes through
	}{
		{"CP down", closed.URL, prom(), "control plane unavailable", nil, true},
		{"Prometheus down", cp.URL, closed.URL, "Prometheus unavailable", nil, false},
		{"one sub-query failing", cp.URL, prom("latency"), `prometheus query "latency"`, nil, true},
		{"both down", closed.URL, closed.URL, "", []string{"kuma CP", "prometheus"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := e2e.Instance{URL: tt.cpURL, JSONData: `{"prometheusUrl":"` + tt.promURL + `"}`}
			resp, err := p.QueryData(ctx(t), inst, recordedRange(e2e.Query{RefID: "A", JSON: `{"queryType":"mesh-graph","mesh":"default"}`}))
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Responses["A"]
			if tt.notice == "" {
				if r.Error == nil || r.Status != backend.StatusBadGateway {
					t.Fatalf("status %d error %v, want a 502 naming both sides", r.Status, r.Error)
				}
				for _, side := range tt.err {
					if !strings.Contains(r.Error.Error(), side) {
						t.Errorf("error %q does not name %q", r.Error, side)
					}
				}
				return
			}
			if r.Error != nil || len(r.Frames) != 2 {
				t.Fatalf("want a partial map, got %d frames, error %v", len(r.Frames), r.Error)
			}
			found := false
			for _, n := range r.Frames[0].Meta.Notices {
				found = found || strings.Contains(n.Text, tt.notice)
			}
			if !found {
				t.Errorf("no notice names %q: %+v", tt.notice, r.Frames[0].Meta.Notices)
			}
			if r.Frames[0].Rows() == 0 || (r.Frames[1].Rows() > 0) != tt.edges {
				t.Errorf("%d nodes, %d edges", r.Frames[0].Rows(), r.Frames[1].Rows())
			}
		})
	}
}
