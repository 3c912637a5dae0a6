package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
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

// TestAPanicFailsOnlyItsQuery: a datasource without a CP client panics on every CP call
// (a nil pointer), as a bug would; the panicking query gets a 500 naming its type, the
// others their answers, and the test process (the plugin, in Grafana) lives on.
func TestAPanicFailsOnlyItsQuery(t *testing.T) {
	ds := &Datasource{}
	ds.handlers = ds.queryHandlers()
	ds.handlers[models.QueryTypeZones] = func(_ context.Context, _ models.Query, dq backend.DataQuery) backend.DataResponse {
		return backend.DataResponse{Frames: data.Frames{data.NewFrame("zones").SetRefID(dq.RefID)}}
	}
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		{RefID: "untyped", JSON: []byte(`{"refId":"untyped","mesh":"default"}`)},
		{RefID: "map", QueryType: models.QueryTypeMeshGraph, JSON: []byte(`{"mesh":"default"}`)},
		{RefID: "ok", QueryType: models.QueryTypeZones, JSON: []byte(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The map's panic happens on one of its own goroutines, which names its part.
	for ref, want := range map[string]string{"untyped": `query type "meshes": internal error`, "map": `control-plane topology: internal error`} {
		r := resp.Responses[ref]
		if r.Status != backend.StatusInternal || r.Error == nil || !strings.Contains(r.Error.Error(), want) {
			t.Errorf("%s: status %d, error %v; want 500 and %q", ref, r.Status, r.Error, want)
		}
	}
	if r := resp.Responses["ok"]; r.Error != nil || len(r.Frames) != 1 {
		t.Errorf("the healthy query: %+v", r)
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
