package kumatest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

type answer struct {
	status      int
	contentType string
	body        []byte
}

func get(t *testing.T, srv *kumatest.Server, method, uri string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), body}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func recorded(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kumatest.TestdataDir(), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// page is the parts of a list answer the paging tests look at.
type page struct {
	Total int
	Items []kuma.Meta
	Next  *string
}

func names(p page) []string {
	out := make([]string, len(p.Items))
	for i, m := range p.Items {
		out[i] = m.DisplayName()
	}
	return out
}

func TestRecordedAnswers(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	for _, c := range []struct {
		uri, file   string
		status      int
		contentType string
	}{
		{"/", "v2.14.3/global/GET_index.json", 200, "application/json"},
		{"/meshes/default/service-insights/backend", "v2.14.3/global/GET_meshes_default_service-insights_backend.json", 200, "application/json"},
		{"/meshes/default/dataplanes+insights?tag=kuma.io/service:backend", "v2.14.3/global/GET_meshes_default_dataplanes+insights_tag-service-backend.json", 200, "application/json"},
		{"/meshes/default/dataplanes+insights?filter%5Blabels.kuma.io%2Fzone%5D=zone-1", "v2.14.3/global/GET_meshes_default_dataplanes+insights_filter-zone-1.json", 200, "application/json"},
		{"/meshes/unknown", "v2.14.3/global/GET_meshes_unknown_404.json", 404, "application/json"},
		{"/versions", "v2.14.3/global/GET_versions_404.txt", 404, "text/plain; charset=utf-8"},
	} {
		got := get(t, srv, http.MethodGet, c.uri)
		if got.status != c.status || got.contentType != c.contentType || string(got.body) != string(recorded(t, c.file)) {
			t.Errorf("%s: %d %q %.80s; want %d %q and the bytes of %s", c.uri, got.status, got.contentType, got.body, c.status, c.contentType, c.file)
		}
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.Head3))
	for _, c := range []struct {
		method, uri string
		status      int
		body        string
	}{
		{http.MethodGet, "/no/such/path", 404, "404: Page Not Found"},
		{http.MethodGet, "/meshes/default/meshgateways?size=1000", 404, "404: Page Not Found"}, // removed in 3.0
		{http.MethodGet, "/meshes/nope/no-such-route?size=5", 404, "404: Page Not Found"},
		{http.MethodPut, "/meshes", 405, "405: Method Not Allowed"},
	} {
		got := get(t, srv, c.method, c.uri)
		if got.status != c.status || !strings.HasPrefix(got.contentType, "text/plain") || string(got.body) != c.body {
			t.Errorf("%s %s: %d %q %q", c.method, c.uri, got.status, got.contentType, got.body)
		}
	}
}

// TestUnknownMeshAnswer: a list under an unknown mesh gets the CP's JSON 404, the same
// document the CP sent for /meshes/unknown/dataplanes.
func TestUnknownMeshAnswer(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	got := get(t, srv, http.MethodGet, "/meshes/nope/meshservices?size=1000")
	want := recorded(t, "v2.14.3/global/GET_meshes_unknown_dataplanes_404.json")
	if got.status != 404 || got.contentType != "application/json" || !reflect.DeepEqual(decode(t, got.body), decode(t, want)) {
		t.Errorf("%d %q %s", got.status, got.contentType, got.body)
	}
}

// TestRecordedPagesPointAtTheFake: the recorded next links named 127.0.0.1:5681; the
// fake answers with its own host, like the CP building next from the Host header.
// Query order does not matter for matching.
func TestRecordedPagesPointAtTheFake(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	var p page
	if err := json.Unmarshal(get(t, srv, http.MethodGet, "/meshes/default/service-insights?size=2&offset=2").body, &p); err != nil {
		t.Fatal(err)
	}
	want := srv.URL + "/meshes/default/service-insights?offset=4&size=2"
	if p.Next == nil || *p.Next != want || p.Total != 9 || strings.Join(names(p), ",") != "edge-gateway,frontend" {
		t.Errorf("got total %d items %q next %v, want next %s", p.Total, names(p), p.Next, want)
	}
}

// TestPagingAnySize: the fake slices a recorded full list for any size and offset,
// keeping the other query parameters in next.
func TestPagingAnySize(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	for _, c := range []struct {
		uri   string
		total int
		names string
		next  string // "" = null
	}{
		{"/meshes/default/service-insights?size=4", 9, "backend,catalog,edge-gateway,frontend", "/meshes/default/service-insights?offset=4&size=4"},
		{"/meshes/default/service-insights?offset=8&size=4", 9, "stripe-api", ""},
		{"/meshes/default/service-insights?offset=20&size=4", 9, "", ""},
		{"/meshes/default/service-insights?offset=3", 9, "frontend,kong-gateway,redis,search,search-indexer,stripe-api", ""},
		{"/meshes/default/dataplanes+insights?size=4&gateway=false", 6, "backend-v1-1,backend-v2-1,catalog-1,frontend-1",
			"/meshes/default/dataplanes+insights?gateway=false&offset=4&size=4"},
		{"/zones+insights?size=1000", 2, "zone-1,zone-2", ""},
	} {
		var p page
		if err := json.Unmarshal(get(t, srv, http.MethodGet, c.uri).body, &p); err != nil {
			t.Fatalf("%s: %v", c.uri, err)
		}
		next := ""
		if p.Next != nil {
			next = strings.TrimPrefix(*p.Next, srv.URL)
		}
		if p.Total != c.total || strings.Join(names(p), ",") != c.names || next != c.next {
			t.Errorf("%s: total %d items %q next %q; want %d %q %q", c.uri, p.Total, names(p), next, c.total, c.names, c.next)
		}
	}
}

// TestPageParamErrors: the CP's 400 documents, compared with what the CP sent for
// /meshes?size=… (requested here on another list, so the fake has to build them).
func TestPageParamErrors(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	for _, c := range []struct{ query, file string }{
		{"size=0", "GET_meshes_size0_400.json"},
		{"size=abc", "GET_meshes_size-abc_400.json"},
		{"size=5000", "GET_meshes_size5000_400.json"},
		{"offset=bogus", "GET_meshes_default_dataplanes_offset-bogus_400.json"},
	} {
		got := get(t, srv, http.MethodGet, "/zones+insights?"+c.query)
		want := recorded(t, "v2.14.3/global/"+c.file)
		if got.status != 400 || !reflect.DeepEqual(decode(t, got.body), decode(t, want)) {
			t.Errorf("%s: %d %s\nwant %s", c.query, got.status, got.body, want)
		}
	}
}

func TestCPAndOverlay(t *testing.T) {
	dir := kumatest.FixtureDir(kumatest.V2_14)
	zone := kumatest.NewServer(t, dir, kumatest.WithCP("zone"))
	var idx kuma.Index
	if err := json.Unmarshal(get(t, zone, http.MethodGet, "/").body, &idx); err != nil || idx.Hostname != "kuma-zone-1-cp" {
		t.Errorf("zone index: %+v %v", idx, err)
	}
	stopped := kumatest.NewServer(t, dir, kumatest.WithOverlay("zone-2-stopped"))
	got := get(t, stopped, http.MethodGet, "/zones+insights")
	if string(got.body) != string(recorded(t, "v2.14.3/global/zone-2-stopped/GET_zones+insights.json")) {
		t.Errorf("overlay not served: %.100s", got.body)
	}
	// answers the overlay does not have still come from the main set
	if got := get(t, stopped, http.MethodGet, "/"); got.status != 200 {
		t.Errorf("index under overlay: %d", got.status)
	}
}
