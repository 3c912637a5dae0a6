package kuma_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

func itoa(n int) string { return strconv.Itoa(n) }

// TestHostileNext: a next link to another origin is never followed, since the
// client's credentials would go with it.
func TestHostileNext(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte(`{"total":0,"items":[],"next":null}`))
	}))
	defer other.Close()
	otherPort := other.Listener.Addr().(*net.TCPAddr).Port
	for _, c := range []struct {
		name string
		next func(r *http.Request) string
	}{
		{"other host", func(r *http.Request) string {
			return "http://attacker.example:" + port(r) + "/meshes?offset=2&size=1000"
		}},
		{"other scheme", func(r *http.Request) string { return "https://" + r.Host + "/meshes?offset=2&size=1000" }},
		{"other port", func(r *http.Request) string {
			return "http://127.0.0.1:" + itoa(otherPort) + "/meshes?offset=2&size=1000"
		}},
		{"userinfo trick", func(r *http.Request) string { return "http://" + r.Host + "@127.0.0.1:" + itoa(otherPort) + "/meshes" }},
		{"scheme-relative", func(r *http.Request) string { return "//127.0.0.1:" + itoa(otherPort) + "/meshes" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithNext("/meshes", c.next))
			_, err := newClient(t, srv.URL, nil).Meshes(t.Context())
			if err == nil || !strings.Contains(err.Error(), "refusing to follow") || !strings.Contains(err.Error(), "GET /meshes?size=1000") {
				t.Errorf("got %v", err)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the other server got %d requests", n)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests to the CP, want 1", n)
			}
		})
	}
}

func port(r *http.Request) string {
	u := url.URL{Host: r.Host}
	return u.Port()
}

// TestSameOriginNext: a relative next link and one spelled with another host case
// stay on the CP and are followed.
func TestSameOriginNext(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithNext("/meshes", func(r *http.Request) string {
		if r.URL.Query().Get("offset") == "" {
			return "/meshes?offset=2&size=1000"
		}
		return "HTTP://" + strings.ToUpper(r.Host) + "/meshes?offset=4&size=1000"
	}))
	_, err := newClient(t, srv.URL, func(o *kuma.Options) { o.MaxPages = 3 }).Meshes(t.Context())
	want := []string{"/meshes?size=1000", "/meshes?offset=2&size=1000", "/meshes?offset=4&size=1000"}
	if got := srv.Requests(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requests %q, want %q", got, want)
	}
	if err == nil || !strings.Contains(err.Error(), "more than 3 pages") {
		t.Errorf("got %v, want the MaxPages error", err)
	}
}

func TestPaginationLoop(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithNext("/meshes", func(r *http.Request) string {
		// page 2 points back at page 1
		if r.URL.Query().Get("offset") == "" {
			return "http://" + r.Host + "/meshes?offset=1&size=1000"
		}
		return "http://" + r.Host + "/meshes?size=1000"
	}))
	_, err := newClient(t, srv.URL, nil).Meshes(t.Context())
	if err == nil || !strings.Contains(err.Error(), "pagination loop") {
		t.Errorf("got %v", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestMaxPages(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithNext("/meshes", func(r *http.Request) string {
		n, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		return "http://" + r.Host + "/meshes?offset=" + itoa(n+1) + "&size=1000"
	}))
	_, err := newClient(t, srv.URL, func(o *kuma.Options) { o.MaxPages = 5 }).Meshes(t.Context())
	if err == nil || !strings.Contains(err.Error(), "more than 5 pages") {
		t.Errorf("got %v", err)
	}
	if n := len(srv.Requests()); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
	var apiErr *kuma.APIError
	if errors.As(err, &apiErr) {
		t.Errorf("a client-side stop is not an APIError: %v", apiErr)
	}
}

// TestRedirects: a redirect may move within the CP but not to another origin.
func TestRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte(`{"hostname":"other"}`))
	}))
	defer other.Close()
	cp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, "/moved/", http.StatusFound)
		case "/moved/":
			_, _ = w.Write([]byte(`{"hostname":"cp"}`))
		case "/config":
			http.Redirect(w, r, other.URL+"/config", http.StatusFound)
		}
	}))
	defer cp.Close()
	client := newClient(t, cp.URL, nil)
	if idx, err := client.Index(t.Context()); err != nil || idx.Hostname != "cp" {
		t.Errorf("same-origin redirect: %+v %v", idx, err)
	}
	if _, err := client.Config(t.Context()); err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect") {
		t.Errorf("cross-origin redirect: %v", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
}
