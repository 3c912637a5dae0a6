package kuma_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

func recording(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kumatest.TestdataDir(), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAPIErrors feeds recorded (and a few foreign) error answers to the client and
// checks the typed error, the sentinels and that the message names endpoint and status.
func TestAPIErrors(t *testing.T) {
	const jsonType = "application/json"
	all := []error{kuma.ErrNotFound, kuma.ErrUnauthorized, kuma.ErrForbidden, kuma.ErrUnknownMesh, kuma.ErrNoSuchEndpoint}
	for _, c := range []struct {
		name        string
		status      int
		contentType string
		body        string
		is          []error  // sentinels that must match; all others must not
		inMessage   []string // besides endpoint and status
		title       string
	}{
		{"401 invalid token", 401, jsonType, recording(t, "v2.14.3/global/auth/GET_meshes_invalid-bearer-xff_401.json"),
			[]error{kuma.ErrUnauthorized}, []string{"Invalid authentication data", "check the data source's CP token"}, "Invalid authentication data"},
		{"403 access denied", 403, jsonType, recording(t, "v2.14.3/global/auth/GET_global-secrets_user-token-xff_403.json"),
			[]error{kuma.ErrForbidden}, []string{"Access Denied", "CP token"}, "Access Denied"},
		{"404 unknown mesh", 404, jsonType, recording(t, "v2.14.3/global/GET_meshes_unknown_dataplanes_404.json"),
			[]error{kuma.ErrNotFound, kuma.ErrUnknownMesh}, []string{"Failed to retrieve Mesh"}, "Failed to retrieve Mesh"},
		{"404 unknown resource", 404, jsonType, recording(t, "v2.14.3/global/GET_meshes_default_dataplanes_unknown_404.json"),
			[]error{kuma.ErrNotFound}, []string{"Could not retrieve a resource"}, "Could not retrieve a resource"},
		{"404 plain-text router", 404, "text/plain; charset=utf-8", recording(t, "head-3.0-dev/global/GET_meshgateways_404.txt"),
			[]error{kuma.ErrNotFound, kuma.ErrNoSuchEndpoint}, []string{"404: Page Not Found", "no such endpoint"}, ""},
		{"400 invalid parameter", 400, jsonType, recording(t, "v2.14.3/global/GET_meshes_size5000_400.json"),
			nil, []string{"Invalid page size", "size: invalid page size of 5000"}, "Could not retrieve resources"},
		{"500 JSON", 500, jsonType, recording(t, "v2.14.3/zone/GET_meshes_default_dataplanes_frontend-1_stats_envoy-admin-unreachable_500.json"),
			nil, []string{"Could not execute admin operation"}, "Could not execute admin operation"},
		{"500 JSON with a huge detail", 500, jsonType, `{"title":"Boom\nline","detail":"` + strings.Repeat("y", 5000) + `"}`,
			nil, []string{"Boom line", "yyy…"}, "Boom line"},
		{"502 HTML from a proxy", 502, "text/html", "<html>\n<body><h1>502 Bad Gateway</h1>" + strings.Repeat("x", 500) + "</body></html>",
			nil, []string{"<h1>502 Bad Gateway</h1>", "…"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14),
				kumatest.WithResponse("/meshes/default/dataplanes+insights", c.status, c.contentType, c.body))
			_, err := newClient(t, srv.URL, nil).Dataplanes(t.Context(), "default", kuma.DataplaneFilter{})
			var apiErr *kuma.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *kuma.APIError, got %T %v", err, err)
			}
			if apiErr.StatusCode != c.status || apiErr.Title != c.title || apiErr.Endpoint != "GET /meshes/default/dataplanes+insights?size=1000" {
				t.Errorf("APIError = %+v", apiErr)
			}
			msg := err.Error()
			for _, s := range append([]string{apiErr.Endpoint, http.StatusText(c.status)}, c.inMessage...) {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
			if len(msg) > 600 {
				t.Errorf("message is %d bytes; a foreign body must be cut short", len(msg))
			}
			for _, target := range all {
				if want := slicesContains(c.is, target); errors.Is(err, target) != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", target, !want, want)
				}
			}
		})
	}
}

func slicesContains(list []error, e error) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// TestUnknownMesh: the CP answers differently for the mesh itself and for a mesh's
// list; both must be recognisable, and a zone CP's missing insight must not look like
// an unknown mesh.
func TestUnknownMesh(t *testing.T) {
	global := newClient(t, kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14)).URL, nil)
	zone := newClient(t, kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithCP("zone")).URL, nil)
	ctx := t.Context()
	for _, c := range []struct {
		name        string
		err         error
		unknownMesh bool
	}{
		{"Mesh", second(global.Mesh(ctx, "unknown")), true},
		{"Dataplanes", second(global.Dataplanes(ctx, "unknown", kuma.DataplaneFilter{})), true},
		{"ServiceInsights", second(global.ServiceInsights(ctx, "unknown")), true},
		{"MeshInsight on a zone CP", second(zone.MeshInsight(ctx, "default")), false},
	} {
		if !errors.Is(c.err, kuma.ErrNotFound) || errors.Is(c.err, kuma.ErrUnknownMesh) != c.unknownMesh {
			t.Errorf("%s: %v: ErrNotFound=%v ErrUnknownMesh=%v, want true/%v", c.name, c.err,
				errors.Is(c.err, kuma.ErrNotFound), errors.Is(c.err, kuma.ErrUnknownMesh), c.unknownMesh)
		}
	}
}

func second[T any](_ T, err error) error { return err }
