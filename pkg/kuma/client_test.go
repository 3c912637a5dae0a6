package kuma_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

// newClient builds a client for baseURL; edit adjusts the options first.
func newClient(t *testing.T, baseURL string, edit func(*kuma.Options)) *kuma.Client {
	t.Helper()
	o := kuma.Options{BaseURL: baseURL, RequestTimeout: 5 * time.Second}
	if edit != nil {
		edit(&o)
	}
	c, err := kuma.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pageSize(n int) func(*kuma.Options) { return func(o *kuma.Options) { o.PageSize = n } }

func displayNames[T interface{ DisplayName() string }](items []T) []string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.DisplayName()
	}
	return names
}

// count adapts a list method to "how many items, or error".
func count[T any](items []T, err error) (int, error) { return len(items), err }

// TestClientReadsRecordings runs every method against the fake CP of each recorded CP,
// with the default page size and with pages of 2 (served by slicing the recordings).
func TestClientReadsRecordings(t *testing.T) {
	type call func(context.Context, *kuma.Client) (int, error)
	list := func(f func(*kuma.Client, context.Context, string) (int, error), mesh string) call {
		return func(ctx context.Context, c *kuma.Client) (int, error) { return f(c, ctx, mesh) }
	}
	calls := map[string]call{
		"Meshes":       func(ctx context.Context, c *kuma.Client) (int, error) { return count(c.Meshes(ctx)) },
		"MeshInsights": func(ctx context.Context, c *kuma.Client) (int, error) { return count(c.MeshInsights(ctx)) },
		"Zones":        func(ctx context.Context, c *kuma.Client) (int, error) { return count(c.Zones(ctx)) },
		"Dataplanes": func(ctx context.Context, c *kuma.Client) (int, error) {
			return count(c.Dataplanes(ctx, "default", kuma.DataplaneFilter{}))
		},
		"ServiceInsights": list(func(c *kuma.Client, ctx context.Context, m string) (int, error) {
			return count(c.ServiceInsights(ctx, m))
		}, "default"),
		"MeshServices": list(func(c *kuma.Client, ctx context.Context, m string) (int, error) { return count(c.MeshServices(ctx, m)) }, "default"),
		"MeshMultiZoneServices": list(func(c *kuma.Client, ctx context.Context, m string) (int, error) {
			return count(c.MeshMultiZoneServices(ctx, m))
		}, "default"),
		"MeshExternalServices": list(func(c *kuma.Client, ctx context.Context, m string) (int, error) {
			return count(c.MeshExternalServices(ctx, m))
		}, "default"),
		"ExternalServices": list(func(c *kuma.Client, ctx context.Context, m string) (int, error) {
			return count(c.ExternalServices(ctx, m))
		}, "payments"),
	}
	// want: item counts from the recordings; -1 = the CP has no such endpoint.
	for _, c := range []struct {
		set, cp string
		want    map[string]int
	}{
		{kumatest.V2_14, "global", map[string]int{"Meshes": 2, "MeshInsights": 2, "Zones": 2, "Dataplanes": 8,
			"ServiceInsights": 9, "MeshServices": 7, "MeshMultiZoneServices": 1, "MeshExternalServices": 1,
			"ExternalServices": 1}},
		{kumatest.V2_14, "zone", map[string]int{"Meshes": 2, "MeshInsights": 0, "Zones": 1, "Dataplanes": 7,
			"ServiceInsights": 9, "MeshServices": 7, "MeshMultiZoneServices": 1, "MeshExternalServices": 1,
			"ExternalServices": 1}},
		{kumatest.Head3, "global", map[string]int{"Meshes": 2, "MeshInsights": 2, "Zones": 2, "Dataplanes": 12,
			"ServiceInsights": 0, "MeshServices": 7, "MeshMultiZoneServices": 1, "MeshExternalServices": 1,
			"ExternalServices": -1}},
	} {
		srv := kumatest.NewServer(t, kumatest.FixtureDir(c.set), kumatest.WithCP(c.cp))
		for _, size := range []int{0, 2} {
			client := newClient(t, srv.URL, pageSize(size))
			for name, want := range c.want {
				t.Run(c.set+"/"+c.cp+"/"+name+"/size"+strconv.Itoa(size), func(t *testing.T) {
					got, err := calls[name](t.Context(), client)
					switch {
					case want < 0:
						if !errors.Is(err, kuma.ErrNoSuchEndpoint) {
							t.Fatalf("want ErrNoSuchEndpoint, got %v", err)
						}
					case err != nil:
						t.Fatal(err)
					case got != want:
						t.Errorf("%d items, want %d", got, want)
					}
				})
			}
		}
	}
}

// TestPaginationFollowsRecordedPages walks the CP's own size=2 pages: every request
// after the first is exactly the recorded next link.
func TestPaginationFollowsRecordedPages(t *testing.T) {
	for _, c := range []struct {
		set   string
		fetch func(context.Context, *kuma.Client) ([]string, error)
		want  []string // request URIs
	}{
		{kumatest.V2_14, func(ctx context.Context, c *kuma.Client) ([]string, error) {
			items, err := c.ServiceInsights(ctx, "default")
			return displayNames(items), err
		}, []string{
			"/meshes/default/service-insights?size=2",
			"/meshes/default/service-insights?offset=2&size=2",
			"/meshes/default/service-insights?offset=4&size=2",
			"/meshes/default/service-insights?offset=6&size=2",
			"/meshes/default/service-insights?offset=8&size=2",
		}},
		{kumatest.Head3, func(ctx context.Context, c *kuma.Client) ([]string, error) {
			items, err := c.Dataplanes(ctx, "default", kuma.DataplaneFilter{})
			return displayNames(items), err
		}, []string{
			"/meshes/default/dataplanes+insights?size=2",
			"/meshes/default/dataplanes+insights?offset=2&size=2",
			"/meshes/default/dataplanes+insights?offset=4&size=2",
			"/meshes/default/dataplanes+insights?offset=6&size=2",
			"/meshes/default/dataplanes+insights?offset=8&size=2",
			"/meshes/default/dataplanes+insights?offset=10&size=2",
		}},
	} {
		t.Run(c.set, func(t *testing.T) {
			srv := kumatest.NewServer(t, kumatest.FixtureDir(c.set))
			paged, err := c.fetch(t.Context(), newClient(t, srv.URL, pageSize(2)))
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.Requests(); !slices.Equal(got, c.want) {
				t.Errorf("requests:\n got %q\nwant %q", got, c.want)
			}
			whole, err := c.fetch(t.Context(), newClient(t, srv.URL, nil))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(paged, whole) || len(whole) < 2*len(c.want)-1 {
				t.Errorf("paged items %q differ from one page %q", paged, whole)
			}
		})
	}
}

// TestDataplaneFilters checks the query the client sends against the recorded
// requests: the fake only has an answer for the CP's exact parameters.
func TestDataplaneFilters(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	client := newClient(t, srv.URL, nil)
	for _, c := range []struct {
		name   string
		filter kuma.DataplaneFilter
		want   []string
	}{
		{"builtin", kuma.DataplaneFilter{Gateway: kuma.GatewayFilterBuiltin}, []string{"edge-gateway-1"}},
		{"delegated", kuma.DataplaneFilter{Gateway: kuma.GatewayFilterDelegated}, []string{"kong-gateway-1"}},
		{"gateways", kuma.DataplaneFilter{Gateway: kuma.GatewayFilterOnly}, []string{"edge-gateway-1", "kong-gateway-1"}},
		{"sidecars", kuma.DataplaneFilter{Gateway: kuma.GatewayFilterNone}, []string{"backend-v1-1", "backend-v2-1", "catalog-1", "frontend-1", "redis-1", "search-1"}},
		{"tag", kuma.DataplaneFilter{Tags: map[string]string{kuma.TagService: "backend"}}, []string{"backend-v1-1", "backend-v2-1"}},
		{"name", kuma.DataplaneFilter{Name: "backend"}, []string{"backend-v1-1", "backend-v2-1"}},
		{"zone label", kuma.DataplaneFilter{Labels: map[string]string{kuma.LabelZone: "zone-1"}},
			[]string{"backend-v1-1", "catalog-1", "edge-gateway-1", "frontend-1", "kong-gateway-1", "redis-1", "search-1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			items, err := client.Dataplanes(t.Context(), "default", c.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := displayNames(items); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	if _, err := client.Dataplanes(t.Context(), "default", kuma.DataplaneFilter{Gateway: "yes"}); err == nil || !strings.Contains(err.Error(), `"yes"`) {
		t.Errorf("a bad gateway filter must be refused before any request, got %v", err)
	}
}

// TestRequestEncoding checks escaping and repeated tag parameters on the wire.
func TestRequestEncoding(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		_, _ = w.Write([]byte(`{"total":0,"items":[],"next":null}`))
	}))
	defer srv.Close()
	client := newClient(t, srv.URL+"/kuma/", nil)
	_, err := client.Dataplanes(t.Context(), "a/b c?x", kuma.DataplaneFilter{
		Tags:   map[string]string{"version": "v1", kuma.TagService: "backend"},
		Labels: map[string]string{kuma.LabelZone: "zone 1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "/kuma/meshes/a%2Fb%20c%3Fx/dataplanes+insights?" +
		"filter%5Blabels.kuma.io%2Fzone%5D=zone+1&size=1000&tag=kuma.io%2Fservice%3Abackend&tag=version%3Av1"
	if len(got) != 1 || got[0] != want {
		t.Errorf("request %q\nwant      %q", got, want)
	}
	if _, err := client.MeshServices(t.Context(), ""); err == nil || len(got) != 1 {
		t.Errorf("an empty mesh must be refused before any request, got %v after %d requests", err, len(got))
	}
}

func TestSingleObjects(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	client := newClient(t, srv.URL, nil)
	ctx := t.Context()
	idx, err := client.Index(ctx)
	if err != nil || idx.Hostname != "kuma-global-cp" || idx.Version != "2.14.3" || idx.Product != "Kuma" {
		t.Errorf("Index() = %+v, %v", idx, err)
	}
	cfg, err := client.Config(ctx)
	if err != nil || cfg.Mode != kuma.ModeGlobal || cfg.Environment != "universal" {
		t.Errorf("Config() = %+v, %v", cfg, err)
	}
	mesh, err := client.Mesh(ctx, "default")
	if err != nil || mesh.MTLS == nil || mesh.MTLS.EnabledBackend != "ca-1" || mesh.MeshServices.Mode != "Everywhere" {
		t.Errorf("Mesh(default) = %+v, %v", mesh, err)
	}
	mi, err := client.MeshInsight(ctx, "default")
	if err != nil || mi.Dataplanes == nil || mi.Dataplanes.Total != 8 || mi.Dataplanes.PartiallyDegraded != 1 {
		t.Errorf("MeshInsight(default) = %+v, %v", mi, err)
	}
}
