package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// CountingHandler counts the requests a handler serves (the fake CP's, in particular).
type CountingHandler struct {
	Next http.Handler
	n    atomic.Int64
}

func (h *CountingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.n.Add(1)
	h.Next.ServeHTTP(w, r)
}

// Count is the number of requests served so far.
func (h *CountingHandler) Count() int64 { return h.n.Load() }

// SubQuery names a map sub-query by the metric that only it reads (as promfake does),
// so recorded answers can be replayed whatever the query's exact text.
func SubQuery(promql string) string {
	for _, k := range []struct{ metric, name string }{
		{"envoy_cluster_upstream_rq_time_bucket", "latency"},
		{"envoy_cluster_upstream_cx_rx_bytes_total", "tcp"},
		{"envoy_http_downstream_rq_xx", "inbound"},
		{"envoy_cluster_upstream_rq_xx", "requests"},
	} {
		if strings.Contains(promql, k.metric) {
			return k.name
		}
	}
	return ""
}

// Recorder keeps every answer body and PromQL text by sub-query while forwarding.
type Recorder struct {
	Next    http.RoundTripper
	mu      sync.Mutex
	Bodies  map[string][]byte
	Queries map[string]string
}

// RoundTrip forwards, then keeps the body.
func (rec *Recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	name, promql, err := queryText(r)
	if err != nil {
		return nil, err
	}
	resp, err := rec.Next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	rec.mu.Lock()
	if rec.Bodies == nil {
		rec.Bodies, rec.Queries = map[string][]byte{}, map[string]string{}
	}
	rec.Bodies[name], rec.Queries[name] = body, promql
	rec.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// Replay answers from recorded bodies without a network, so that timing it measures
// what the plugin does with an answer: JSON decoding and sample extraction. A sub-query
// sharded by its buckets (prom.WithShards) gets its shard's part of the recorded whole,
// cut once per shard and kept.
type Replay struct {
	// Bodies are the recorded answers by sub-query (SubQuery).
	Bodies map[string][]byte
	mu     sync.Mutex
	shards map[string][]byte // by PromQL
}

// RoundTrip serves the recorded body of the request's sub-query.
func (rp *Replay) RoundTrip(r *http.Request) (*http.Response, error) {
	name, q, err := queryText(r)
	if err != nil {
		return nil, err
	}
	whole, ok := rp.Bodies[name]
	if !ok {
		return nil, fmt.Errorf("replay: no answer recorded for sub-query %q", name)
	}
	rp.mu.Lock()
	body, ok := rp.shards[q]
	if !ok {
		if body, err = promfake.Shard(whole, q); err == nil {
			if rp.shards == nil {
				rp.shards = map[string][]byte{}
			}
			rp.shards[q] = body
		}
	}
	rp.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// queryText reads the sub-query's name and PromQL of an instant query (client_golang
// POSTs a form, falling back to GET).
func queryText(r *http.Request) (string, string, error) {
	q := r.URL.Query().Get("query")
	if q == "" && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return "", "", err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", "", err
		}
		q = form.Get("query")
	}
	return SubQuery(q), q, nil
}
