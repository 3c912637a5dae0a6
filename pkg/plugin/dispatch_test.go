package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

func TestEveryQueryTypeHasAHandler(t *testing.T) {
	handlers := (&Datasource{}).queryHandlers()
	for _, qt := range models.QueryTypes {
		if handlers[qt] == nil {
			t.Errorf("query type %q has no handler", qt)
		}
	}
	if len(handlers) != len(models.QueryTypes) {
		t.Errorf("%d handlers for %d query types", len(handlers), len(models.QueryTypes))
	}
}

// panicky is a transport with a bug: every request panics, on whichever goroutine of the
// plugin made it.
type panicky struct{}

func (panicky) RoundTrip(*http.Request) (*http.Response, error) { panic("token=s3cret") }

// TestAPanicFailsOnlyItsQuery: a panic in a handler, in the map's CP half (one of its
// fetch goroutines) or in one of its Prometheus sub-queries fails that query alone, with a
// 500 that names its type and never quotes the panic; the other queries of the request
// get their answers, and the test process (the plugin, in Grafana) lives on.
func TestAPanicFailsOnlyItsQuery(t *testing.T) {
	healthy := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	tests := []struct {
		name      string
		cpPanics  bool
		promPanic bool
		query     backend.DataQuery
		want      string
	}{
		{name: "untyped query, CP call panics in the handler", cpPanics: true,
			query: backend.DataQuery{JSON: []byte(`{"refId":"A","mesh":"default"}`)}, want: `query type "meshes": internal error`},
		{name: "map, a CP fetch goroutine panics", cpPanics: true,
			query: backend.DataQuery{QueryType: models.QueryTypeMeshGraph, JSON: []byte(`{"mesh":"default"}`)}, want: `query type "mesh-graph": internal error`},
		{name: "map, a Prometheus sub-query panics while the CP answers", promPanic: true,
			query: backend.DataQuery{QueryType: models.QueryTypeMeshGraph, JSON: []byte(`{"mesh":"default"}`)}, want: `query type "mesh-graph": internal error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{URL: healthy.URL, JSONData: []byte(`{"prometheusUrl":"http://127.0.0.1:1"}`)})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*Datasource)
			if tt.cpPanics {
				if ds.cp, err = kuma.NewClient(kuma.Options{BaseURL: healthy.URL, HTTPClient: &http.Client{Transport: panicky{}}}); err != nil {
					t.Fatal(err)
				}
				ds.topologies = inventory.NewTopologies(ds.cp)
			}
			if tt.promPanic {
				if ds.prom, err = prom.New("http://127.0.0.1:1", &http.Client{Transport: panicky{}}); err != nil {
					t.Fatal(err)
				}
			}
			tt.query.RefID = "bug"
			tt.query.TimeRange = backend.TimeRange{From: time.Now().Add(-time.Hour), To: time.Now()}
			resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
				tt.query,
				{RefID: "ok", QueryType: models.QueryTypeMeshes, JSON: []byte(`{}`)},
			}})
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Responses["bug"]
			if r.Status != backend.StatusInternal || r.Error == nil || !strings.Contains(r.Error.Error(), tt.want) || strings.Contains(r.Error.Error(), "s3cret") {
				t.Errorf("status %d, error %v; want 500 with %q", r.Status, r.Error, tt.want)
			}
			if len(r.Frames) != 0 {
				t.Error("a bug must not draw a partial answer")
			}
			if ok := resp.Responses["ok"]; !tt.cpPanics && (ok.Error != nil || len(ok.Frames) != 1) {
				t.Errorf("the healthy query: %+v", ok)
			}
		})
	}
}

func TestAPanicInAResourceIsA500(t *testing.T) {
	ds := &Datasource{}
	ds.resources = httpResources(ds)
	var got *backend.CallResourceResponse
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Path: "meshes", Method: http.MethodGet, URL: "meshes"},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error { got = r; return nil }))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if got == nil || got.Status != http.StatusInternalServerError || json.Unmarshal(got.Body, &body) != nil || !strings.Contains(body["error"], "resource meshes: internal error") {
		t.Fatalf("answer %+v", got)
	}
}
