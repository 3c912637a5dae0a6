package prom

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

func newRecording(t *testing.T, fixture string, opts ...Option) (*promfake.Prometheus, *Client) {
	t.Helper()
	p, hc := promfake.Start(t, "testdata", fixture)
	c, err := New(p.URL, hc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func TestFetchMeshSamplesDetectsRegime(t *testing.T) {
	for fixture, want := range map[string]naming.Regime{
		"legacy":      naming.RegimeLegacy,
		"meshservice": naming.RegimeMeshService,
		"unified":     naming.RegimeUnified,
	} {
		t.Run(fixture, func(t *testing.T) {
			p, c := newRecording(t, fixture)
			set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			if set.Regime != want || set.Window.Seconds() != 3600 || len(set.Notices) != 0 {
				t.Errorf("regime %q, window %v, notices %v", set.Regime, set.Window, set.Notices)
			}
			// 9 request series, 20 buckets, 3 TCP counters, 4 inbound.
			if len(set.Samples) != 36 {
				t.Errorf("%d samples, want 36", len(set.Samples))
			}
			if p.Requests() != 4 {
				t.Errorf("%d round trips, want 4", p.Requests())
			}
			for _, name := range []string{"requests", "latency", "tcp", "inbound"} {
				form := p.Form(name)
				// Evaluated at the end of the range, never at "now".
				if form["time"] != strconv.FormatInt(to.Unix(), 10) || form["limit"] != strconv.Itoa(DefaultMaxSeries+1) {
					t.Errorf("%s: time %s, limit %s", name, form["time"], form["limit"])
				}
			}
		})
	}
}

func TestFetchMeshSamplesDecodes(t *testing.T) {
	_, c := newRecording(t, "unified")
	set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", Regime: naming.RegimeUnified, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	frontend := sample.Proxy{Mesh: "default", Zone: "zone-1", Source: "frontend"}
	gateway := sample.Proxy{Mesh: "default", Zone: "zone-1", Source: "edge-gateway", Gateway: true}
	want := []sample.Sample{
		{Kind: sample.Requests, Proxy: frontend, Cluster: "kri_msvc_default_zone-1__backend_http", Class: "2xx", Value: 60},
		{Kind: sample.Requests, Proxy: gateway, Cluster: "kri_msvc_default_zone-1__frontend_http", Class: "4xx", Value: 6},
		{Kind: sample.GRPCFailures, Proxy: frontend, Cluster: "kri_msvc_default_zone-1__catalog_grpc", Value: 3},
		{Kind: sample.LatencyBucket, Proxy: frontend, Cluster: "kri_msvc_default_zone-1__backend_http", LE: 25, Value: 80},
		{Kind: sample.LatencyBucket, Proxy: frontend, Cluster: "kri_msvc_default_zone-1__backend_http", LE: math.Inf(1), Value: 120},
		{Kind: sample.TxBytes, Proxy: sample.Proxy{Mesh: "default", Zone: "zone-1", Source: "backend"}, Cluster: "kri_msvc_default_zone-1__redis_tcp", Value: 1200},
		{Kind: sample.InboundRequests, Proxy: frontend, Cluster: "self_inbound_dp_http", Class: "4xx", Value: 6},
	}
	for _, w := range want {
		found := false
		for _, s := range set.Samples {
			found = found || s == w
		}
		if !found {
			t.Errorf("missing %+v", w)
		}
	}
}

func TestFetchMeshSamplesPartialFailure(t *testing.T) {
	p, c := newRecording(t, "legacy")
	p.Fail = map[string]bool{"latency": true}
	p.Warn = map[string]bool{"tcp": true}
	set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Samples) != 16 {
		t.Errorf("%d samples, want the 16 that are not latency", len(set.Samples))
	}
	var texts []string
	for _, n := range set.Notices {
		texts = append(texts, string(n.Severity)+": "+n.Text)
	}
	got := strings.Join(texts, "\n")
	for _, want := range []string{
		`error: prometheus query "latency": execution: query timed out in expression evaluation; the map is drawn without it`,
		`warning: Prometheus (tcp): partial response: store gateway down`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("notices %q lack %q", got, want)
		}
	}
}

func TestFetchMeshSamplesAllFail(t *testing.T) {
	p, c := newRecording(t, "legacy")
	p.Fail = map[string]bool{"requests": true, "latency": true, "tcp": true, "inbound": true}
	if _, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to}); err == nil {
		t.Error("no error when every sub-query failed")
	}
}

func TestFetchMeshSamplesCapsSeries(t *testing.T) {
	p, c := newRecording(t, "legacy", WithMaxSeries(5))
	set, err := c.FetchMeshSamples(context.Background(), MeshQuery{Mesh: "default", From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	// requests 9→5, latency 20→5, tcp 3, inbound 4→ all kept.
	if len(set.Samples) != 5+5+3+4 || len(set.Notices) != 2 || p.Form("tcp")["limit"] != "6" {
		t.Errorf("%d samples, notices %v, limit %s", len(set.Samples), set.Notices, p.Form("tcp")["limit"])
	}
	for _, s := range set.Samples {
		if s.Kind == sample.Requests && s.Value < 20 {
			t.Errorf("kept a small series over larger ones: %+v", s)
		}
	}
}

func TestFetchMeshSamplesRefusesBadQueries(t *testing.T) {
	_, c := newRecording(t, "legacy")
	for _, q := range []MeshQuery{
		{From: from, To: to},
		{Mesh: "default", Regime: "kri", From: from, To: to},
		{Mesh: "default"},
		{Mesh: "default", To: to},
	} {
		if _, err := c.FetchMeshSamples(context.Background(), q); err == nil {
			t.Errorf("accepted %+v", q)
		}
	}
	if _, err := New("", http.DefaultClient); err == nil {
		t.Error("New accepted an empty URL")
	}
}
