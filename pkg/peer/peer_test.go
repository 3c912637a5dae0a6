package peer_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

func TestCut(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"short", "bad request", "bad request"},
		{"lines joined", "a\nb\r\n\tc", "a b c"},
		{"invalid UTF-8", "a\xffb", "a?b"},
		{"long", strings.Repeat("x", 10<<20), strings.Repeat("x", peer.MaxText) + "…"},
		{"many lines", strings.Repeat("p: bad\n", 2000), strings.Repeat("p: bad ", 28) + "p: b…"},
		{"rune kept whole", strings.Repeat("x", peer.MaxText-1) + "é", strings.Repeat("x", peer.MaxText-1) + "…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := peer.Cut(c.in)
			if got != c.want {
				t.Errorf("Cut = %q, want %q", got, c.want)
			}
			if len(got) > peer.MaxText+len("…") || strings.ContainsAny(got, "\r\n") {
				t.Errorf("Cut = %d bytes or several lines", len(got))
			}
		})
	}
}

// TestSameOriginRedirects: a redirect within the origin is followed, one to another port,
// host or scheme is refused before any request reaches it.
func TestSameOriginRedirects(t *testing.T) {
	var reached []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = append(reached, r.Header.Get("X-Secret"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/ok":
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	hc := peer.SameOriginRedirects(nil)
	get := func(path string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("X-Secret", "s3cret")
		return hc.Do(req)
	}
	if resp, err := get("/here"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("same-origin redirect: %v", err)
	}
	if _, err := get("/away"); err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect") {
		t.Errorf("cross-origin redirect: got %v", err)
	}
	if len(reached) > 0 {
		t.Errorf("the other origin got %q", reached)
	}
}

func TestRedactor(t *testing.T) {
	key := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
	r := peer.NewRedactor([]string{"tok-123/+x", "hdr value\"q", key, "ab", ""}, [2]string{"user", "pa:ss"})
	for _, c := range []struct{ name, in, want string }{
		{"as sent", "Authorization: Bearer tok-123/+x", "Authorization: Bearer [redacted]"},
		{"URL-escaped", "GET /?t=tok-123%2F%2Bx", "GET /?t=[redacted]"},
		{"JSON-escaped", `{"h":"hdr value\"q"}`, `{"h":"[redacted]"}`},
		{"basic auth header", "Authorization: Basic dXNlcjpwYTpzcw==", "Authorization: Basic [redacted]"},
		{"basic auth password", "pw pa:ss", "pw [redacted]"},
		{"a line of a PEM key", "got MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "got [redacted]"},
		{"too short to redact", "ab cd", "ab cd"},
		{"nothing", "plain", "plain"},
	} {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	if got := (peer.Redactor{}).Redact("tok-123/+x"); got != "tok-123/+x" {
		t.Errorf("zero Redactor changed the text: %q", got)
	}
}

// TestBudget: reads share one budget per context; the read past it fails.
func TestBudget(t *testing.T) {
	ctx := peer.WithBudget(context.Background(), 100)
	read := func(n int) error {
		_, err := io.Copy(io.Discard, peer.Body(ctx, io.NopCloser(strings.NewReader(strings.Repeat("x", n)))))
		return err
	}
	if err := read(60); err != nil {
		t.Fatal(err)
	}
	if err := read(60); !errors.Is(err, peer.ErrOverBudget) {
		t.Errorf("second read: got %v, want ErrOverBudget", err)
	}
	if _, err := io.ReadAll(peer.Body(context.Background(), io.NopCloser(strings.NewReader(strings.Repeat("x", 1000))))); err != nil {
		t.Errorf("no budget: %v", err)
	}
}
