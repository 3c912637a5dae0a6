package kuma_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// TestListDeadline: the request timeout bounds a whole list, not each page. Pages answered
// in 300ms each, with a 1s timeout, would otherwise run for 100 pages.
func TestListDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		offset := len(r.URL.Query().Get("o")) + 1
		fmt.Fprintf(w, `{"total":1000,"items":[{"name":"m%d"}],"next":"http://%s/meshes?o=%s"}`, offset, r.Host, strings.Repeat("x", offset))
	}))
	defer srv.Close()
	client := newClient(t, srv.URL, func(o *kuma.Options) { o.RequestTimeout = time.Second })
	start := time.Now()
	_, err := client.Meshes(t.Context())
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the list took %s with a 1s timeout", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within the 1s request timeout") {
		t.Errorf("got %v", err)
	}
}

// TestPageItemCap: a page with more items than asked for is refused before the items are
// decoded: a million empty items are 3 MB of JSON and over a gigabyte of overviews.
func TestPageItemCap(t *testing.T) {
	const n = 1_000_000
	body := `{"total":1,"items":[` + strings.Repeat(`{},`, n-1) + `{}],"next":null}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := newClient(t, srv.URL, nil).Dataplanes(t.Context(), "default", kuma.DataplaneFilter{})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "1000000 items on a page of at most 1000") {
		t.Errorf("got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("refusing the page allocated %d MiB", alloc>>20)
	}
}

// TestPeerTextIsCut: every string the CP provides that enters an error is cut to one short
// line: invalid parameters, next links, Content-Type, details.
func TestPeerTextIsCut(t *testing.T) {
	huge := strings.Repeat("line\n", 400_000) // 2 MB, 400,000 lines
	params := make([]string, 2000)
	for i := range params {
		params[i] = fmt.Sprintf(`{"field":"f%d","reason":%q}`, i, huge[:1000])
	}
	for _, c := range []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		want  string
	}{
		{"invalid parameters", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"title":"bad","details":%q,"invalid_parameters":[%s]}`, huge, strings.Join(params, ","))
		}, "; …: 1995 more"},
		{"unparsable next link", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"total":2,"items":[],"next":"http://%s/%%zz%s"}`, r.Host, strings.Repeat("a", 2<<20))
		}, "is not a URL"},
		{"long next link", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"total":2,"items":[],"next":"http://%s/meshes?o=%s"}`, r.Host, strings.Repeat("a", 4<<20))
		}, "GET /meshes?o=aaaa"}, // the httptest server refuses the 4 MB line with a 431
		{"next link in a transport error", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("o") != "" {
				conn, _, _ := w.(http.Hijacker).Hijack()
				_ = conn.Close() // net/http's error names the whole URL
				return
			}
			fmt.Fprintf(w, `{"total":2,"items":[],"next":"http://%s/meshes?o=%s"}`, r.Host, strings.Repeat("a", 500<<10))
		}, "EOF"},
		{"next link to another origin", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"total":2,"items":[],"next":"http://%s.example/meshes"}`, strings.Repeat("a", 2<<20))
		}, "refusing to follow it"},
		{"Content-Type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; x="+strings.Repeat("a", 1<<20))
			_, _ = w.Write([]byte("<html>"))
		}, "is the URL the CP API?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(c.serve))
			defer srv.Close()
			_, err := newClient(t, srv.URL, nil).Meshes(t.Context())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %.500v, want it to say %q", err, c.want)
			}
			// Two endpoints, a few cut texts and five parameters at most.
			if msg := err.Error(); len(msg) > 20*peer.MaxText || strings.Count(msg, "\n") > 0 {
				t.Errorf("error of %d bytes, %d lines: %.300s", len(msg), strings.Count(msg, "\n")+1, msg)
			}
		})
	}
}

// TestListBudget: the pages of a list are charged to the caller's budget, whatever each
// page's own cap allows.
func TestListBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		offset := len(r.URL.Query().Get("o")) + 1
		fmt.Fprintf(w, `{"total":100,"items":[{"name":"m%d","x":"%s"}],"next":"http://%s/meshes?o=%s"}`,
			offset, strings.Repeat("x", 512<<10), r.Host, strings.Repeat("x", offset))
	}))
	defer srv.Close()
	ctx := peer.WithBudget(t.Context(), 2<<20)
	if _, err := newClient(t, srv.URL, nil).Meshes(ctx); !errors.Is(err, peer.ErrOverBudget) {
		t.Errorf("got %v, want the budget exceeded", err)
	}
}
