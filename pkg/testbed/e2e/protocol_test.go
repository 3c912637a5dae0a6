package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestProtocol starts the real binary as Grafana does and drives all three services.
func TestProtocol(t *testing.T) {
	var logs bytes.Buffer
	p := e2e.Start(t, &logs)
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	inst := e2e.Instance{URL: cp.URL, Secure: map[string]string{"cpToken": "e2e-s3cret"}}

	t.Run("health", func(t *testing.T) {
		res, err := p.CheckHealth(ctx(t), inst)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != backend.HealthStatusOk || !strings.Contains(res.Message, "2.14.3") || !strings.Contains(res.Message, "global mode") {
			t.Fatalf("health = %v %q", res.Status, res.Message)
		}
	})

	t.Run("every query type in one request", func(t *testing.T) {
		resp, err := p.QueryData(ctx(t), inst,
			e2e.Query{RefID: "meshes", JSON: `{"queryType":"meshes"}`},
			e2e.Query{RefID: "zones", JSON: `{"queryType":"zones"}`},
			e2e.Query{RefID: "services", JSON: `{"queryType":"services","mesh":"default"}`},
			e2e.Query{RefID: "dataplanes", JSON: `{"queryType":"dataplanes","mesh":"default","service":"backend"}`},
			e2e.Query{RefID: "gateways", JSON: `{"queryType":"gateways","mesh":"default"}`},
			e2e.Query{RefID: "insights", JSON: `{"queryType":"mesh-insights","mesh":"default"}`},
			e2e.Query{RefID: "unknownMesh", JSON: `{"queryType":"services","mesh":"nope"}`},
		)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			rows  int
			first string
		}{
			"meshes": {2, "default"}, "zones": {2, "zone-1"}, "services": {10, "backend"},
			"dataplanes": {2, "backend-v1-1"}, "gateways": {2, "edge-gateway"}, "insights": {1, "default"},
		}
		for ref, w := range want {
			r := resp.Responses[ref]
			if r.Error != nil {
				t.Errorf("%s: %v", ref, r.Error)
				continue
			}
			if len(r.Frames) != 1 || r.Frames[0].Rows() != w.rows {
				t.Errorf("%s: %d frames, want 1 with %d rows", ref, len(r.Frames), w.rows)
				continue
			}
			if got := r.Frames[0].Fields[0].At(0); got != w.first {
				t.Errorf("%s: first value %v, want %s", ref, got, w.first)
			}
		}
		if r := resp.Responses["unknownMesh"]; r.Error == nil || !strings.Contains(r.Error.Error(), `unknown mesh "nope"`) || r.Status != backend.StatusNotFound {
			t.Errorf("unknown mesh: %d %v", r.Status, r.Error)
		}
		services := resp.Responses["services"].Frames[0]
		if f, _ := services.FieldByName("online"); f == nil || f.Config == nil || f.Config.DisplayName != "Dataplanes online" {
			t.Errorf("services frame lacks a typed, named online field: %+v", f)
		}
	})

	t.Run("resources", func(t *testing.T) {
		tests := []struct {
			method, path string
			status       int
			contains     string
		}{
			{"GET", "meshes", 200, `"name":"default"`},
			{"GET", "zones", 200, `"name":"zone-2"`},
			{"GET", "services?mesh=default", 200, `"name":"kong-gateway"`},
			{"GET", "services", 400, "mesh"},
			{"GET", "services?mesh=nope", 404, "unknown mesh"},
			{"GET", "topology", 404, "no resource"},
			{"POST", "meshes", 405, "not allowed"},
		}
		for _, tt := range tests {
			res, err := p.CallResource(ctx(t), inst, tt.method, tt.path)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.path, err)
			}
			if res.Status != tt.status || !strings.Contains(string(res.Body), tt.contains) || !json.Valid(res.Body) {
				t.Errorf("%s %s: %d %s; want %d with %q (JSON)", tt.method, tt.path, res.Status, res.Body, tt.status, tt.contains)
			}
		}
	})

	if strings.Contains(logs.String(), "e2e-s3cret") {
		t.Error("plugin logs contain the CP token")
	}
}

// TestHealthNamesTheFailingSide checks the health messages an operator sees for each
// broken peer.
func TestHealthNamesTheFailingSide(t *testing.T) {
	p := e2e.Start(t, nil)
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithCP("zone"))
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/status/buildinfo" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"status":"success","data":{"version":"2.53.3","revision":"x","branch":"","buildUser":"","buildDate":"","goVersion":"go1.24"}}`))
	}))
	t.Cleanup(prom.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	// slow answers nothing until the plugin gives up.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(slow.Close)
	// untrusted serves TLS with httptest's own certificate, which the plugin does not trust.
	untrusted := httptest.NewTLSServer(prom.Config.Handler)
	t.Cleanup(untrusted.Close)

	tests := []struct {
		name   string
		inst   e2e.Instance
		status backend.HealthStatus
		texts  []string
	}{
		{"zone CP and Prometheus", e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + prom.URL + `"}`}, backend.HealthStatusOk, []string{"zone mode", "Prometheus 2.53.3"}},
		{"CP down", e2e.Instance{URL: closed.URL}, backend.HealthStatusError, []string{"Control plane", "connection refused"}},
		{"CP host unknown", e2e.Instance{URL: "http://kuma-cp.invalid:5681"}, backend.HealthStatusError, []string{"Control plane", "DNS"}},
		{"Prometheus path wrong", e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + prom.URL + `/nope"}`}, backend.HealthStatusError, []string{"Prometheus (", "404", "zone mode"}},
		{"Prometheus down", e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + closed.URL + `"}`}, backend.HealthStatusError, []string{"Prometheus (", "connection refused", "zone mode"}},
		{"Prometheus slower than prometheusTimeout", e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + slow.URL + `","prometheusTimeout":1}`}, backend.HealthStatusError, []string{"Prometheus (", "timed out", "zone mode"}},
		{"Prometheus TLS with an unknown CA", e2e.Instance{URL: cp.URL, JSONData: `{"prometheusUrl":"` + untrusted.URL + `"}`}, backend.HealthStatusError, []string{"Prometheus (https://", "TLS: the server certificate is signed by an unknown authority", "zone mode"}},
		{"legacy Prometheus id", e2e.Instance{URL: cp.URL, JSONData: `{"prometheusDataSourceId":"1"}`}, backend.HealthStatusError, []string{"prometheusUrl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.CheckHealth(ctx(t), tt.inst)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status {
				t.Errorf("status %v, want %v (%s)", res.Status, tt.status, res.Message)
			}
			for _, text := range tt.texts {
				if !strings.Contains(res.Message, text) {
					t.Errorf("message %q lacks %q", res.Message, text)
				}
			}
			if res.Status != backend.HealthStatusError {
				return
			}
			// One sentence per side, the failing side first; the raw error chain only in the details.
			if !strings.HasPrefix(res.Message, "Control plane (") && !strings.HasPrefix(res.Message, "Prometheus (") && !strings.HasPrefix(res.Message, "Configuration: ") {
				t.Errorf("message %q does not start with the failing side", res.Message)
			}
			if strings.Contains(res.Message, "dial tcp") || strings.Contains(res.Message, "x509:") {
				t.Errorf("message %q shows the raw error chain", res.Message)
			}
		})
	}
}
