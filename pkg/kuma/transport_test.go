package kuma_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

func TestSlowCP(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithDelay(10*time.Second))
	t.Run("request timeout", func(t *testing.T) {
		client := newClient(t, srv.URL, func(o *kuma.Options) { o.RequestTimeout = 100 * time.Millisecond })
		start := time.Now()
		_, err := client.Meshes(t.Context())
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %s; the 100ms request timeout did not stop the request", took)
		}
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within the 100ms request timeout") ||
			!strings.Contains(err.Error(), "GET /meshes?size=1000") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		client := newClient(t, srv.URL, nil) // 5s request timeout, never reached
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := client.Zones(ctx)
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("took %s after cancel", took)
		}
		if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "request timeout") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("already canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		before := len(srv.Requests())
		if _, err := newClient(t, srv.URL, nil).Index(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v", err)
		}
		if n := len(srv.Requests()) - before; n != 0 {
			t.Errorf("%d requests sent with a canceled context", n)
		}
	})
}

// TestBadBodies: every failure must name the endpoint.
func TestBadBodies(t *testing.T) {
	const path = "/meshes/default/dataplanes+insights"
	const endpoint = "GET " + path + "?size=1000"
	valid := `{"total":1,"items":[{"type":"DataplaneOverview","name":"a","dataplane":{"networking":{}}}],"next":null}`
	for _, c := range []struct {
		name, contentType, body string
		maxBody                 int64
		want                    string // in the message; "" = success
	}{
		{"valid", "application/json", valid, 0, ""},
		{"exactly at the cap", "application/json", valid, int64(len(valid)), ""},
		{"one byte over the cap", "application/json", valid, int64(len(valid)) - 1, "exceeds the limit of " + itoa(len(valid)-1) + " bytes"},
		{"truncated", "application/json", valid[:len(valid)/2], 0, "not the expected JSON"},
		{"empty", "application/json", "", 0, "not the expected JSON"},
		{"items not a list", "application/json", `{"total":1,"items":{},"next":null}`, 0, "not the expected JSON"},
		// Valid JSON of another shape must not read as an empty list.
		{"items missing", "application/json", `{"total":3,"next":null}`, 0, `no "items" list`},
		{"items null", "application/json", `{"total":0,"items":null}`, 0, `no "items" list`},
		{"JSON null", "application/json", `null`, 0, `no "items" list`},
		{"another API's JSON", "application/json", `{"status":"success","data":{"resultType":"vector","result":[]}}`, 0, `no "items" list`},
		{"wrong type in a field", "application/json", `{"items":[{"name":7}]}`, 0, "not the expected JSON"},
		{"port is text", "application/json", `{"items":[{"dataplane":{"networking":{"inbound":[{"port":"x"}]}}}]}`, 0, "not the expected JSON"},
		{"counter not a number", "application/json",
			`{"items":[{"dataplaneInsight":{"subscriptions":[{"status":{"total":{"responsesSent":"lots"}}}]}}]}`, 0, "uint64 counter"},
		{"HTML page", "text/html; charset=utf-8", "<html>grafana</html>", 0, "is the URL the CP API?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14), kumatest.WithResponse(path, 200, c.contentType, c.body))
			client := newClient(t, srv.URL, func(o *kuma.Options) { o.MaxBodyBytes = c.maxBody })
			items, err := client.Dataplanes(t.Context(), "default", kuma.DataplaneFilter{})
			if c.want == "" {
				if err != nil || len(items) != 1 {
					t.Fatalf("got %d items, %v", len(items), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), endpoint) {
				t.Errorf("got %v, want an error naming %q and containing %q", err, endpoint, c.want)
			}
		})
	}
}

// TestBodyCapOnRecording: the cap holds for a real, large answer too.
func TestBodyCapOnRecording(t *testing.T) {
	srv := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	client := newClient(t, srv.URL, func(o *kuma.Options) { o.MaxBodyBytes = 4096 })
	if _, err := client.Zones(t.Context()); err == nil || !strings.Contains(err.Error(), "exceeds the limit of 4096 bytes") {
		t.Errorf("got %v", err)
	}
}

func TestNewClientOptions(t *testing.T) {
	for _, c := range []struct {
		name string
		o    kuma.Options
		ok   bool
	}{
		{"defaults", kuma.Options{BaseURL: "http://127.0.0.1:5681"}, true},
		{"https with prefix", kuma.Options{BaseURL: "https://cp.example.com/kuma/"}, true},
		{"max page size", kuma.Options{BaseURL: "http://cp:5681", PageSize: kuma.MaxPageSize}, true},
		{"empty", kuma.Options{}, false},
		{"relative", kuma.Options{BaseURL: "cp:5681"}, false},
		{"ftp", kuma.Options{BaseURL: "ftp://cp"}, false},
		{"query", kuma.Options{BaseURL: "http://cp:5681/?x=1"}, false},
		{"page too large", kuma.Options{BaseURL: "http://cp:5681", PageSize: kuma.MaxPageSize + 1}, false},
		{"negative page", kuma.Options{BaseURL: "http://cp:5681", PageSize: -1}, false},
		{"negative cap", kuma.Options{BaseURL: "http://cp:5681", MaxBodyBytes: -1}, false},
	} {
		if _, err := kuma.NewClient(c.o); (err == nil) != c.ok {
			t.Errorf("%s: NewClient error = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
