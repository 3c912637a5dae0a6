package prom

import (
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// The streaming decoder must read every recorded answer exactly as client_golang's
// model.Vector does: same labels, same values (NaN and infinities included).
func TestDecodeVectorMatchesModelVector(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded answers: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := decodeVector(body, math.MaxInt)
			if !ok {
				t.Fatal("fast path refused a recorded vector answer")
			}
			var env struct {
				Data struct{ Result model.Vector } `json:"data"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			want := fromVector(env.Data.Result)
			if len(got.result) != len(want) {
				t.Fatalf("%d series, want %d", len(got.result), len(want))
			}
			for i := range want {
				if g, w := labelMap(got.result[i]), labelMap(want[i]); !maps.Equal(g, w) {
					t.Errorf("series %d: labels %v, want %v", i, g, w)
				}
				if g, w := got.result[i].value, want[i].value; g != w && !(g != g && w != w) {
					t.Errorf("series %d: value %v, want %v", i, g, w)
				}
			}
		})
	}
}

func labelMap(s series) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(s.labels); i += 2 {
		m[s.labels[i]] = s.labels[i+1]
	}
	return m
}

// Whatever the fast path does not fully understand goes to client_golang untouched,
// so errors and unusual answers keep their old handling; warnings and infos survive.
func TestDecodeVectorFallsBack(t *testing.T) {
	for name, body := range map[string]string{
		"error":            `{"status":"error","errorType":"bad_data","error":"parse error"}`,
		"matrix":           `{"status":"success","data":{"resultType":"matrix","result":[]}}`,
		"native histogram": `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1"}]}]}}`,
		"no value":         `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"}}]}}`,
		"bad value":        `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}`,
		"truncated":        `{"status":"success","data":{"resultType":"vector","result":[{"metric":{}`,
		"not json":         `<html>502</html>`,
		"two results":      `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"1"]}],"result":[]}}`,
		// Escaped label values are rare: they take client_golang's path.
		"escaped value": `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"\"q\""},"value":[1,"1"]}]}}`,
		// Invalid UTF-8 in a label name or value, even one seen before, is client_golang's to judge.
		"invalid UTF-8 value": "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":\"\xff\"},\"value\":[1,\"1\"]}]}}",
		"invalid UTF-8 name":  "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"\xfe\":\"b\"},\"value\":[1,\"1\"]}]}}",
	} {
		if _, ok := decodeVector([]byte(body), math.MaxInt); ok {
			t.Errorf("%s: fast path accepted %s", name, body)
		}
	}
	env, ok := decodeVector([]byte(`{"status":"success","warnings":["w1","w2"],"infos":["i"],"data":{"resultType":"vector","result":[{"metric":{"le":"+Inf","a":"q"},"value":[1.5,"NaN"]}]}}`), math.MaxInt)
	if !ok || !slices.Equal(env.warnings, []string{"w1", "w2"}) || !slices.Equal(env.infos, []string{"i"}) ||
		len(env.result) != 1 || env.result[0].get("a") != "q" || env.result[0].get("le") != "+Inf" || env.result[0].value == env.result[0].value {
		t.Errorf("got %+v, %v", env, ok)
	}
}

// An answer the fast path refuses still decodes, through client_golang, to the same
// samples: here label values with escaped quotes and backslashes.
func TestFetchMeshSamplesEscapedLabelValues(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"mesh":"default",` +
			`"kuma_io_service":"a\"b","envoy_cluster_name":"c\\d","kuma_datasource_kind":"requests","envoy_response_code_class":"2"},"value":[1,"5"]}]}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	set, err := c.FetchMeshSamples(t.Context(), MeshQuery{Mesh: "default", Regime: naming.RegimeLegacy, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range set.Samples {
		if s.Kind == sample.Requests && s.Proxy.Source == `a"b` && s.Cluster == `c\d` && s.Value == 5 {
			return
		}
	}
	t.Errorf("samples %+v lack the escaped request sample", set.Samples)
}

// Random answers, written by Prometheus' own JSON encoding with label values that
// need escaping now and then: whatever the fast path accepts must equal what
// client_golang reads, and plain answers must be accepted.
func TestDecodeVectorRandomAnswers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "_", "-", "0", "é", "漢", " ", "\"", "\\", "\n", "{", "}", ",", ":", "[", "]"}
	word := func(special bool) string {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			n := 7 // plain characters only
			if special {
				n = len(alphabet)
			}
			b.WriteString(alphabet[rng.IntN(n)])
		}
		return b.String()
	}
	accepted := 0
	for i := range 300 {
		special := i%3 == 0
		vec := model.Vector{}
		for range rng.IntN(5) {
			m := model.Metric{}
			for range rng.IntN(6) {
				m[model.LabelName("l_"+word(false))] = model.LabelValue(word(special))
			}
			vec = append(vec, &model.Sample{Metric: m, Value: model.SampleValue(rng.NormFloat64() * 1e6), Timestamp: 1764010800123})
		}
		result, err := json.Marshal(vec)
		if err != nil {
			t.Fatal(err)
		}
		body := `{"status":"success","data":{"resultType":"vector","result":` + string(result) + `}}`
		got, ok := decodeVector([]byte(body), math.MaxInt)
		var env struct {
			Data struct{ Result model.Vector } `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatal(err)
		}
		if !ok {
			if !special {
				t.Fatalf("plain answer refused: %s", body)
			}
			continue
		}
		accepted++
		want := fromVector(env.Data.Result)
		if len(got.result) != len(want) {
			t.Fatalf("%d series, want %d: %s", len(got.result), len(want), body)
		}
		for j := range want {
			if !maps.Equal(labelMap(got.result[j]), labelMap(want[j])) || got.result[j].value != want[j].value {
				t.Fatalf("series %d: %v %v, want %v %v: %s", j, labelMap(got.result[j]), got.result[j].value, labelMap(want[j]), want[j].value, body)
			}
		}
	}
	if accepted < 200 {
		t.Errorf("only %d of 300 answers took the fast path", accepted)
	}
}
