package prom

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// cannedTransport answers every request with one Prometheus response, without a
// network round trip, so that a fuzz run spends its time in the decoder.
type cannedTransport struct {
	status int
	body   []byte
}

func (c cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.status, Status: http.StatusText(c.status), Request: r,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   io.NopCloser(bytes.NewReader(c.body)),
	}, nil
}

// fuzzMaxSeries is small so that the series cap is exercised by short inputs.
const fuzzMaxSeries = 3

// FuzzFetchMeshSamples serves arbitrary bytes as every sub-query's answer (with a
// success or an error status). Whatever Prometheus, a proxy or a broken store sends,
// the client must not panic, and what it hands the graph builder must be usable:
// finite non-negative values, known kinds, latency bounds that index a histogram,
// at most the series cap per sub-query, and a detected regime.
func FuzzFetchMeshSamples(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range fixtures {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, false)
	}
	for _, seed := range []string{
		`{"status":"error","errorType":"execution","error":"query timed out"}`,
		`{"status":"success","warnings":["partial response"],"infos":["info"],"data":{"resultType":"vector","result":[]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}`,
		`{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}`,
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"le":"1e400","kuma_datasource_kind":"latency_bucket"},"value":[1,"1e308"]}]}}`,
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":null,"value":null}]}}`,
		`<html>502 Bad Gateway</html>`,
		``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	// Nesting past the bound, closed and unclosed (it once overflowed the stack).
	f.Add(deep(2*maxDepth, "["), false)
	f.Add(bytes.Replace(deep(maxDepth+1, `{"a":`), []byte("}}"), []byte("1"+strings.Repeat("}", maxDepth+1)+"}}"), 1), false)
	f.Fuzz(func(t *testing.T, body []byte, failing bool) {
		status := http.StatusOK
		if failing {
			status = http.StatusUnprocessableEntity
		}
		c, err := New("http://prometheus.invalid", &http.Client{Transport: cannedTransport{status, body}}, WithMaxSeries(fuzzMaxSeries))
		if err != nil {
			t.Fatal(err)
		}
		set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
		for _, n := range set.Notices {
			if n.Text == "" || (n.Severity != sample.SeverityInfo && n.Severity != sample.SeverityWarning && n.Severity != sample.SeverityError) {
				t.Fatalf("unusable notice %+v", n)
			}
		}
		if err != nil {
			if len(set.Samples) != 0 {
				t.Fatalf("error %v with %d samples", err, len(set.Samples))
			}
			return
		}
		if !set.Regime.Valid() || set.Regime == naming.RegimeAuto {
			t.Fatalf("regime %q not detected", set.Regime)
		}
		if n := len(set.Samples); n > len(queries(MeshQuery{Mesh: "m"}))*fuzzMaxSeries {
			t.Fatalf("%d samples beyond the cap of %d per sub-query", n, fuzzMaxSeries)
		}
		for _, s := range set.Samples {
			if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) || s.Value < 0 {
				t.Fatalf("unusable value %v", s.Value)
			}
			if !kinds[s.Kind] {
				t.Fatalf("unknown kind %q", s.Kind)
			}
			if s.Kind == sample.LatencyBucket && (math.IsNaN(s.LE) || math.IsInf(s.LE, -1)) {
				t.Fatalf("unusable bucket bound %v", s.LE)
			}
		}
	})
}
