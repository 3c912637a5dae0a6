package meshsim_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCPErrors checks that errors come back byte-for-byte as recorded (modulo JSON
// formatting) with the recorded status and content type.
func TestCPErrors(t *testing.T) {
	for _, tc := range []struct {
		version int
		request string
		file    string // under testdata/kuma-cp/<version dir>/global
		status  int
	}{
		{2, "/meshes/unknown", "GET_meshes_unknown_404.json", 404},
		{2, "/meshes?size=5000", "GET_meshes_size5000_400.json", 400},
		{2, "/meshes/default/service-insights?size=0", "GET_meshes_size0_400.json", 400},
		{2, "/meshes/default/dataplanes+insights?size=abc", "GET_meshes_size-abc_400.json", 400},
		{2, "/meshes/default/service-insights?offset=abc", "GET_meshes_default_service-insights_offset-abc_400.json", 400},
		{2, "/meshes/default/service-insights?type=bogus", "GET_meshes_default_service-insights_type-bogus_400.json", 400},
		{2, "/meshes/unknown/service-insights", "GET_meshes_unknown_service-insights_404.json", 404},
		{2, "/meshes/unknown/dataplanes+insights", "GET_meshes_unknown_dataplanes_404.json", 404},
		{2, "/no-such-path", "GET_no-such-path_404.txt", 404},
		{3, "/meshes/default/service-insights?type=gateway_builtin", "GET_meshes_default_service-insights_type-gateway_builtin_400.json", 400},
		{3, "/meshes/default/dataplanes+insights?gateway=builtin", "GET_meshes_default_dataplanes+insights_gateway-builtin_400.json", 400},
		{3, "/meshes/default/service-insights/backend", "GET_meshes_default_service-insights_backend_404.json", 404},
		{3, "/meshes/default/meshgateways", "GET_meshes_default_meshgateways_404.txt", 404},
		{3, "/meshes/default/external-services", "GET_meshes_default_external-services_404.txt", 404},
		{3, "/meshes/unknown/workloads", "GET_meshes_unknown_workloads_404.json", 404},
	} {
		t.Run(tc.request, func(t *testing.T) {
			dir := map[int]string{2: "v2.14.3", 3: "head-3.0-dev"}[tc.version]
			want, err := os.ReadFile(filepath.Join("../../../testdata/kuma-cp", dir, "global", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			rec := get(t, shopSim(t, tc.version).Handler(), tc.request)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if strings.HasSuffix(tc.file, ".txt") {
				if rec.Body.String() != string(want) || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
					t.Errorf("got %q (%s), want %q as text/plain", rec.Body, rec.Header().Get("Content-Type"), want)
				}
				return
			}
			var got, exp any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if err := json.Unmarshal(want, &exp); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("got  %s\nwant %s", rec.Body, want)
			}
		})
	}
}

// listPage is the list envelope, items kept raw.
type listPage struct {
	Total int               `json:"total"`
	Items []json.RawMessage `json:"items"`
	Next  *string           `json:"next"`
}

func decodePage(t *testing.T, body []byte) listPage {
	t.Helper()
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return p
}

// TestCPPagination follows next links with size=2 and checks that the pages add up to
// the unpaged list, that next is absolute on the request's Host and null at the end.
func TestCPPagination(t *testing.T) {
	h := shopSim(t, 2).Handler()
	for _, path := range []string{"/meshes/default/service-insights", "/meshes/default/dataplanes+insights",
		"/meshes/default/meshservices"} {
		t.Run(path, func(t *testing.T) {
			rec := get(t, h, path)
			all := decodePage(t, rec.Body.Bytes())
			if all.Next != nil || all.Total != len(all.Items) || all.Total < 2 {
				t.Fatalf("unpaged: total %d, %d items, next %v", all.Total, len(all.Items), all.Next)
			}
			var items []json.RawMessage
			next := path + "?size=2"
			for pages := 0; ; pages++ {
				rec := get(t, h, next)
				p := decodePage(t, rec.Body.Bytes())
				if p.Total != all.Total || len(p.Items) > 2 {
					t.Fatalf("page %d: total %d, %d items", pages, p.Total, len(p.Items))
				}
				items = append(items, p.Items...)
				if p.Next == nil {
					break
				}
				if pages == 0 && *p.Next != "http://"+recordedHost+path+"?offset=2&size=2" {
					t.Errorf("first next = %s", *p.Next)
				}
				next = strings.TrimPrefix(*p.Next, "http://"+recordedHost)
			}
			if !reflect.DeepEqual(items, all.Items) {
				t.Errorf("pages hold %d items, the unpaged list %d (or a different order)", len(items), len(all.Items))
			}
		})
	}
	for _, size := range []string{"1000", "1001", "-1"} {
		rec := get(t, h, "/meshes/default/service-insights?size="+size)
		if want := map[string]int{"1000": 200, "1001": 400, "-1": 400}[size]; rec.Code != want {
			t.Errorf("size=%s: status %d, want %d", size, rec.Code, want)
		}
	}
}

// TestCPDataplaneFilters checks the query filters against the shop topology.
func TestCPDataplaneFilters(t *testing.T) {
	h := shopSim(t, 2).Handler()
	for query, want := range map[string]int{
		"":                                       11,
		"?gateway=true":                          2,
		"?gateway=false":                         9,
		"?gateway=builtin":                       1,
		"?gateway=delegated":                     1,
		"?tag=kuma.io/service:backend":           3,
		"?filter[labels.kuma.io/zone]=zone-2":    4,
		"?name=front":                            3,
		"?gateway=false&tag=kuma.io/zone:zone-2": 3,
	} {
		rec := get(t, h, "/meshes/default/dataplanes+insights"+query)
		if p := decodePage(t, rec.Body.Bytes()); p.Total != want {
			t.Errorf("%q: %d dataplanes, want %d", query, p.Total, want)
		}
	}
}

// TestCPKuma3 checks what 3.0 changed: no service insights, workloads present.
func TestCPKuma3(t *testing.T) {
	h := shopSim(t, 3).Handler()
	if rec := get(t, h, "/meshes/default/service-insights"); strings.Join(strings.Fields(rec.Body.String()), "") != `{"total":0,"items":[],"next":null}` {
		t.Errorf("service insights: %s", rec.Body)
	}
	rec := get(t, h, "/meshes/default/workloads")
	if p := decodePage(t, rec.Body.Bytes()); p.Total != 7 { // one per service and zone
		t.Errorf("%d workloads, want 7", p.Total)
	}
}
