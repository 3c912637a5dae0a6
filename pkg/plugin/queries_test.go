package plugin_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
)

var updateGolden = flag.Bool("update", false, "rewrite golden frame files")

// newDatasource starts an instance configured for the fake CP at url.
func newDatasource(t *testing.T, url string, jsonData string) *plugin.Datasource {
	t.Helper()
	if jsonData == "" {
		jsonData = "{}"
	}
	inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "kuma", URL: url, JSONData: []byte(jsonData),
		DecryptedSecureJSONData: map[string]string{"cpToken": "s3cr3t-token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*plugin.Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

func query(t *testing.T, ds *plugin.Datasource, queries map[string]string) *backend.QueryDataResponse {
	t.Helper()
	req := &backend.QueryDataRequest{}
	for ref, js := range queries {
		var m struct {
			QueryType string `json:"queryType"`
		}
		_ = json.Unmarshal([]byte(js), &m)
		req.Queries = append(req.Queries, backend.DataQuery{RefID: ref, QueryType: m.QueryType, JSON: []byte(js)})
	}
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestQueryTypesGolden(t *testing.T) {
	tests := []struct {
		golden string
		set    string
		opts   []kumatest.Option
		query  string
	}{
		{"meshes", kumatest.V2_14, nil, `{"queryType":"meshes"}`},
		{"zones", kumatest.V2_14, nil, `{"queryType":"zones"}`},
		{"zones-zone-2-stopped", kumatest.V2_14, []kumatest.Option{kumatest.WithOverlay("zone-2-stopped")}, `{"queryType":"zones"}`},
		{"zones-zone-cp", kumatest.V2_14, []kumatest.Option{kumatest.WithCP("zone")}, `{"queryType":"zones"}`},
		// A CP running alone (derived fixture, testdata/kuma-cp/README.md) is its own zone, online.
		{"zones-non-federated", kumatest.V2_14, []kumatest.Option{kumatest.WithCP("zone"), kumatest.WithOverlay("non-federated")}, `{"queryType":"zones"}`},
		{"services-default", kumatest.V2_14, nil, `{"queryType":"services","mesh":"default"}`},
		{"services-payments-exclusive", kumatest.V2_14, nil, `{"queryType":"services","mesh":"payments"}`},
		{"services-zone-cp", kumatest.V2_14, []kumatest.Option{kumatest.WithCP("zone")}, `{"queryType":"services","mesh":"default"}`},
		{"services-kuma-3", kumatest.Head3, nil, `{"queryType":"services","mesh":"default"}`},
		{"dataplanes-default", kumatest.V2_14, nil, `{"queryType":"dataplanes","mesh":"default"}`},
		{"dataplanes-backend", kumatest.V2_14, nil, `{"queryType":"dataplanes","mesh":"default","service":"backend"}`},
		{"dataplanes-backend-kuma-3", kumatest.Head3, nil, `{"queryType":"dataplanes","mesh":"default","service":"backend"}`},
		{"dataplanes-backend-kuma-3-k8s", kumatest.Head3, []kumatest.Option{kumatest.WithOverlay("k8s-workloads")}, `{"queryType":"dataplanes","mesh":"default","service":"backend"}`},
		{"workloads-backend-kuma-3-k8s", kumatest.Head3, []kumatest.Option{kumatest.WithOverlay("k8s-workloads")}, `{"queryType":"workloads","mesh":"default","service":"backend"}`},
		{"workloads-legacy-service", kumatest.V2_14, nil, `{"queryType":"workloads","mesh":"default","service":"backend"}`},
		{"gateways-default", kumatest.V2_14, nil, `{"queryType":"gateways","mesh":"default"}`},
		{"mesh-insights-default", kumatest.V2_14, nil, `{"queryType":"mesh-insights","mesh":"default"}`},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(tt.set), tt.opts...)
			ds := newDatasource(t, cp.URL, "")
			resp := query(t, ds, map[string]string{"A": tt.query})
			r := resp.Responses["A"]
			if r.Error != nil {
				t.Fatalf("query failed: %v", r.Error)
			}
			if len(r.Frames) != 1 || r.Frames[0].Rows() == 0 {
				t.Fatalf("want one non-empty frame, got %d frames", len(r.Frames))
			}
			experimental.CheckGoldenJSONResponse(t, "testdata", tt.golden, &r, *updateGolden)
		})
	}
}

func TestQueryErrorsAreIsolated(t *testing.T) {
	cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	ds := newDatasource(t, cp.URL, "")
	resp := query(t, ds, map[string]string{
		"ok":          `{"queryType":"meshes"}`,
		"unknownMesh": `{"queryType":"services","mesh":"unknown"}`,
		"noMesh":      `{"queryType":"dataplanes"}`,
		"badType":     `{"queryType":"topology","mesh":"default"}`,
		"badJSON":     `{"queryType":"services","mesh":`,
	})
	if r := resp.Responses["ok"]; r.Error != nil || len(r.Frames) != 1 {
		t.Fatalf("the valid query must still answer: %+v", r)
	}
	want := map[string]struct {
		status backend.Status
		text   string
	}{
		"unknownMesh": {backend.StatusNotFound, `unknown mesh "unknown"`},
		"noMesh":      {backend.StatusBadRequest, `"dataplanes" needs a mesh`},
		"badType":     {backend.StatusBadRequest, `unknown query type "topology"`},
		"badJSON":     {backend.StatusBadRequest, "malformed query JSON"},
	}
	for ref, w := range want {
		r := resp.Responses[ref]
		if r.Error == nil || !strings.Contains(r.Error.Error(), w.text) || r.Status != w.status {
			t.Errorf("%s: status %d error %v; want %d with %q", ref, r.Status, r.Error, w.status, w.text)
		}
		if r.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s: error source %q", ref, r.ErrorSource)
		}
	}
}

func TestQueryWhenCPFails(t *testing.T) {
	tests := []struct {
		name   string
		opts   []kumatest.Option
		status backend.Status
		text   string
	}{
		{"500 with CP error body", []kumatest.Option{kumatest.WithResponse("/meshes", http.StatusInternalServerError, "application/json", `{"type":"/std-errors","status":500,"title":"Internal Server Error","detail":"store unavailable"}`)}, backend.StatusBadGateway, "store unavailable"},
		{"401 names the token", []kumatest.Option{kumatest.WithResponse("/meshes", http.StatusUnauthorized, "application/json", `{"type":"/std-errors","status":401,"title":"Invalid authentication data","detail":"Unauthorized"}`)}, backend.StatusUnauthorized, "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), tt.opts...)
			ds := newDatasource(t, cp.URL, "")
			r := query(t, ds, map[string]string{"A": `{"queryType":"meshes"}`}).Responses["A"]
			if r.Error == nil || r.Status != tt.status || !strings.Contains(r.Error.Error(), tt.text) {
				t.Fatalf("status %d error %v; want %d mentioning %q", r.Status, r.Error, tt.status, tt.text)
			}
			if strings.Contains(r.Error.Error(), "s3cr3t-token") {
				t.Fatal("error leaks the CP token")
			}
		})
	}
}

func TestLegacyPrometheusIDIsExplained(t *testing.T) {
	ds := newDatasource(t, "http://127.0.0.1:1", `{"prometheusDataSourceId":"2"}`)
	r := query(t, ds, map[string]string{"A": `{"queryType":"meshes"}`}).Responses["A"]
	if r.Error == nil || !strings.Contains(r.Error.Error(), "prometheusUrl") {
		t.Fatalf("error = %v", r.Error)
	}
	health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil || health.Status != backend.HealthStatusError || !strings.Contains(health.Message, "prometheusUrl") {
		t.Fatalf("health = %+v, %v", health, err)
	}
}
