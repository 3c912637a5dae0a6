// Package promfake is a fake Prometheus for tests: it answers the service
// map's instant queries with recorded JSON responses and records what it
// was asked, so tests can assert the exact PromQL and parameters.
package promfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Sub-query names, by the metric that identifies each query.
var subQueries = map[string]string{
	"envoy_cluster_upstream_rq_xx":             "requests",
	"envoy_cluster_upstream_rq_time_bucket":    "latency",
	"envoy_cluster_upstream_cx_rx_bytes_total": "tcp",
	"envoy_http_downstream_rq_xx":              "inbound",
}

// Prometheus answers /api/v1/query from <Dir>/<Fixture>.<sub-query>.json.
type Prometheus struct {
	URL string
	// Fail answers these sub-queries with a Prometheus execution error.
	Fail map[string]bool
	// Warn adds a Prometheus warning to these sub-queries' responses.
	Warn map[string]bool

	t       testing.TB
	dir     string
	fixture string
	mu      sync.Mutex
	forms   map[string]map[string]string
}

// Start serves fixture from dir until the test ends.
func Start(t testing.TB, dir, fixture string) (*Prometheus, *http.Client) {
	t.Helper()
	p := &Prometheus{t: t, dir: dir, fixture: fixture, forms: map[string]map[string]string{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p, srv.Client()
}

// Form returns the form values ("query", "time", "limit") of the last
// request for a sub-query.
func (p *Prometheus) Form(subQuery string) map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forms[subQuery]
}

// Requests is the number of distinct sub-queries asked.
func (p *Prometheus) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.forms)
}

func (p *Prometheus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/query" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.t.Error(err)
	}
	if strings.Contains(r.Form.Get("query"), ":increase5m") {
		// The recording rules' check: this store has none, and the check is not a sub-query.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
		return
	}
	name := subQueryName(r.Form.Get("query"))
	p.mu.Lock()
	p.forms[name] = map[string]string{"query": r.Form.Get("query"), "time": r.Form.Get("time"), "limit": r.Form.Get("limit")}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if strings.Contains(r.Form.Get("query"), " @ ") {
		// Like a store without the @ modifier (Prometheus < 2.25): the client's
		// incremental refresh then falls back to whole windows, which the fixtures answer.
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"@ modifier is disabled"}`))
		return
	}
	if p.Fail[name] {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"status":"error","errorType":"execution","error":"query timed out in expression evaluation"}`))
		return
	}
	body, err := os.ReadFile(filepath.Join(p.dir, p.fixture+"."+name+".json"))
	if err != nil {
		p.t.Error(err)
	}
	if p.Warn[name] {
		body = []byte(strings.Replace(string(body), `"status": "success"`, `"status": "success", "warnings": ["partial response: store gateway down"]`, 1))
	}
	if body, err = Shard(body, r.Form.Get("query")); err != nil {
		p.t.Error(err)
	}
	_, _ = w.Write(body)
}

// leMatcher finds a matcher on le in PromQL: what a query sharded by its buckets adds.
var leMatcher = regexp.MustCompile(`[{,]le(=~|!~)("(?:[^"\\]|\\.)*")`)

// Shard keeps of a recorded answer (a vector) the series that the le matchers of query
// select, as Prometheus would: a recording of the whole latency sub-query then answers
// each of its shards. A query without le matchers gets body unchanged.
func Shard(body []byte, query string) ([]byte, error) {
	found := leMatcher.FindAllStringSubmatch(query, -1)
	if len(found) == 0 {
		return body, nil
	}
	type matcher struct {
		re  *regexp.Regexp
		not bool
	}
	var ms []matcher
	for _, f := range found {
		re, err := strconv.Unquote(f[2])
		if err != nil {
			return nil, fmt.Errorf("promfake: le matcher %s: %w", f[0], err)
		}
		// Prometheus anchors label regexes and lets . match a newline.
		c, err := regexp.Compile("^(?s:" + re + ")$")
		if err != nil {
			return nil, fmt.Errorf("promfake: le matcher %s: %w", f[0], err)
		}
		ms = append(ms, matcher{c, f[1] == "!~"})
	}
	var env, data map[string]json.RawMessage
	var result []json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("promfake: recorded answer: %w", err)
	}
	if err := json.Unmarshal(env["data"], &data); err != nil {
		return nil, fmt.Errorf("promfake: recorded answer's data: %w", err)
	}
	if err := json.Unmarshal(data["result"], &result); err != nil {
		return nil, fmt.Errorf("promfake: recorded answer's result: %w", err)
	}
	kept := []json.RawMessage{}
	for _, raw := range result {
		var s struct {
			Metric map[string]string `json:"metric"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("promfake: recorded series: %w", err)
		}
		if !slices.ContainsFunc(ms, func(m matcher) bool { return m.re.MatchString(s.Metric["le"]) == m.not }) {
			kept = append(kept, raw)
		}
	}
	var err error
	if data["result"], err = json.Marshal(kept); err != nil {
		return nil, err
	}
	if env["data"], err = json.Marshal(data); err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

func subQueryName(query string) string {
	for metric, name := range subQueries {
		if strings.Contains(query, metric) {
			return name
		}
	}
	return "unknown"
}
