package prom

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// hostile serves every request with serve, on 127.0.0.1.
func hostile(t *testing.T, serve http.HandlerFunc, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(serve)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, srv.Client(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fetch(c *Client, ctx context.Context) (sample.Set, error) {
	return c.FetchMeshSamples(ctx, MeshQuery{Mesh: "default", From: from, To: to})
}

// deep is a successful empty vector with an unknown member nested n levels deep.
func deep(n int, open string) []byte {
	return []byte(`{"status":"success","data":{"resultType":"vector","result":[],"x":` + strings.Repeat(open, n) + `}}`)
}

// TestDeepNesting: ten million nested brackets (20 MB, under the answer cap) once
// overflowed the decoder's stack and killed the process; nesting is now bounded like
// encoding/json's and skipping does not recurse.
func TestDeepNesting(t *testing.T) {
	for _, c := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"10^7 arrays, unterminated", deep(10_000_000, "["), false},
		{"10^6 objects, unterminated", deep(1_000_000, `{"a":`), false},
		{"one level past the bound", []byte(strings.Replace(string(deep(maxDepth+1, "[")), "}}", strings.Repeat("]", maxDepth+1)+"}}", 1)), false},
		{"at the bound", []byte(strings.Replace(string(deep(maxDepth, "[")), "}}", strings.Repeat("]", maxDepth)+"}}", 1)), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, ok := decodeVector(c.body, 10); ok != c.ok {
				t.Errorf("decodeVector ok = %v, want %v", ok, c.ok)
			}
			client := hostile(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(c.body) })
			set, err := fetch(client, t.Context())
			if c.ok != (err == nil) {
				t.Errorf("got %v, notices %v", err, set.Notices)
			}
		})
	}
}

// FuzzSkip: skipping never panics, and any valid JSON value nested at most maxDepth
// deep is skipped whole.
func FuzzSkip(f *testing.F) {
	for _, seed := range []string{
		`1`, `"a\"b"`, `{}`, `[]`, `{"a":[1,{"b":null}],"c":"d"}`, `[[[[`, `{"a":{"a":{"a":`,
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
		strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sc := &scanner{b: b}
		ok := sc.skip()
		sc.space()
		if json.Valid(b) && depth(b) <= maxDepth && (!ok || sc.i != len(b)) {
			t.Fatalf("valid JSON not skipped whole: ok %v at %d of %d", ok, sc.i, len(b))
		}
	})
}

// depth is the deepest bracket nesting of valid JSON b.
func depth(b []byte) int {
	d, deepest := 0, 0
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			d++
			deepest = max(deepest, d)
		case json.Delim(']'), json.Delim('}'):
			d--
		}
	}
}

// TestPrometheusRedirects: a Prometheus answering 307 to another port never receives the
// basic-auth password or the headers; within its own origin a redirect is followed.
func TestPrometheusRedirects(t *testing.T) {
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = append(leaked, r.Header.Get("Authorization")+r.Header.Get("X-Scope-OrgID"))
	}))
	defer other.Close()
	for _, c := range []struct {
		name, to string
		wantErr  bool
	}{
		{"other origin", other.URL + "/api/v1/query", true},
		{"same origin", "/moved", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/moved" {
					_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
					return
				}
				http.Redirect(w, r, c.to, http.StatusTemporaryRedirect)
			}))
			defer srv.Close()
			hc := &http.Client{Transport: headers{"X-Scope-OrgID": "tenant-secret", "Authorization": "Basic dXNlcjpwYXNz"}}
			client, err := New(srv.URL, hc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = fetch(client, t.Context())
			if (err != nil) != c.wantErr || (err != nil && !strings.Contains(err.Error(), "refusing to follow a redirect")) {
				t.Errorf("got %v", err)
			}
		})
	}
	if len(leaked) > 0 {
		t.Errorf("the other origin got credentials: %q", leaked)
	}
}

// headers sets headers on every request, as the SDK's middlewares do.
type headers map[string]string

func (h headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestGzipBombOverBudget: an answer of 1 MB on the wire that unzips to 64 MB counts as
// 64 MB against the request's budget, all sub-queries together.
func TestGzipBombOverBudget(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, _ = zw.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[],"x":"`))
	_, _ = zw.Write(bytes.Repeat([]byte("a"), 64<<20))
	_, _ = zw.Write([]byte(`"}}`))
	_ = zw.Close()
	client := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb.Bytes())
	})
	// Each sub-query unzips 64 MB: at most one fits, the others fail on the budget.
	set, err := fetch(client, peer.WithBudget(t.Context(), 100<<20))
	over := 0
	for _, n := range set.Notices {
		over += strings.Count(n.Text, peer.ErrOverBudget.Error())
	}
	if err != nil {
		over = strings.Count(err.Error(), peer.ErrOverBudget.Error())
	}
	if over < 3 {
		t.Errorf("got %v, notices %v, want three sub-queries over the budget", err, set.Notices)
	}
}

// TestPrometheusTextIsCut: errors, warnings and infos from Prometheus enter notices cut to
// one short line, and at most a few of them.
func TestPrometheusTextIsCut(t *testing.T) {
	huge := strings.Repeat("bad\n", 500_000)
	warnings := make([]string, 1000)
	for i := range warnings {
		warnings[i] = huge[:10_000]
	}
	ws, _ := json.Marshal(warnings)
	for _, c := range []struct {
		name   string
		status int
		body   string
	}{
		{"error", http.StatusBadRequest, fmt.Sprintf(`{"status":"error","errorType":"bad_data","error":%q}`, huge)},
		{"proxy page", http.StatusBadGateway, huge},
		{"warnings and infos", http.StatusOK, fmt.Sprintf(`{"status":"success","warnings":%s,"infos":%s,"data":{"resultType":"vector","result":[]}}`, ws, ws)},
	} {
		t.Run(c.name, func(t *testing.T) {
			client := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			})
			set, err := fetch(client, t.Context())
			texts := []string{}
			if _, err := client.Version(t.Context()); err != nil {
				texts = append(texts, err.Error())
			}
			for _, n := range set.Notices {
				texts = append(texts, n.Text)
			}
			if err != nil { // one line per sub-query
				texts = append(texts, strings.Split(err.Error(), "\n")...)
			}
			if len(set.Notices) > 4*2*(maxNotices+1) {
				t.Errorf("%d notices", len(set.Notices))
			}
			for _, s := range texts {
				if len(s) > 2*peer.MaxText || strings.Contains(s, "\n") {
					t.Errorf("text of %d bytes: %.300q", len(s), s)
				}
			}
		})
	}
}

// TestLongLabelsAndManySeries: series with a label over 1 KiB are left out with a notice;
// a store that ignores the limit and sends far more series than the cap costs the cap,
// not the answer, and its largest series are kept.
func TestLongLabelsAndManySeries(t *testing.T) {
	t.Run("long label", func(t *testing.T) {
		long := strings.Repeat("s", 10<<20)
		client := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kuma_io_service":%q,"kuma_datasource_kind":"requests"},"value":[1,"5"]},{"metric":{"kuma_io_service":"ok","kuma_datasource_kind":"requests"},"value":[1,"5"]}]}}`, long)
		})
		set, err := fetch(client, t.Context())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range set.Notices {
			found = found || strings.Contains(n.Text, "1 series with a label longer than 1024 bytes left out")
		}
		for _, s := range set.Samples {
			if len(s.Proxy.Source) > maxLabel || len(s.Cluster) > maxLabel {
				t.Errorf("a long label reached a sample")
			}
		}
		if !found {
			t.Errorf("no notice: %v", set.Notices)
		}
	})
	t.Run("long label in the recording rules check", func(t *testing.T) {
		// The check is read like a sub-query: its series with a long label are left out
		// (here: a group that would otherwise be read from the rules), never copied.
		long := strings.Repeat("s", 10<<20)
		var requests atomic.Value
		client := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			query := r.Form.Get("query")
			if strings.Contains(query, recordedLabel) {
				fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{%q:"requests","x":%q},"value":[1,"1"]}]}}`, recordedLabel, long)
				return
			}
			if strings.Contains(query, `"requests"`) {
				requests.Store(query)
			}
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
		})
		if _, err := fetch(client, t.Context()); err != nil {
			t.Fatal(err)
		}
		if q, _ := requests.Load().(string); q == "" || strings.Contains(q, "kuma_edge:") {
			t.Errorf("requests sub-query %.200q, want the raw series", q)
		}
	})
	t.Run("200,000 series, the largest kept", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
		for i := range 200_000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"metric":{"envoy_cluster_name":"c%d","kuma_datasource_kind":"requests"},"value":[1,"%d"]}`, i, i)
		}
		b.WriteString(`]}}`)
		body := b.String()
		client := hostile(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }, WithMaxSeries(1000))
		set, err := fetch(client, t.Context())
		if err != nil {
			t.Fatal(err)
		}
		least := math.Inf(1)
		for _, s := range set.Samples {
			least = min(least, s.Value)
		}
		if least < 200_000-1000 {
			t.Errorf("kept a series of value %v, not among the 1000 largest", least)
		}
	})
	t.Run("200,000 series the decoder cannot stream", func(t *testing.T) {
		body := `{"status":"success","data":{"resultType":"vector","result":[` +
			strings.Repeat(`{"metric":{"a":"\"q"},"value":[1,"1"]},`, 200_000) + `{"metric":{},"value":[1,"1"]}]}}`
		client := hostile(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }, WithMaxSeries(1000))
		if _, err := fetch(client, t.Context()); err == nil || !strings.Contains(err.Error(), "cannot stream") {
			t.Errorf("got %v", err)
		}
	})
}
