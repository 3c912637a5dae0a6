// Package kuma is a read-only client for the Kuma control-plane (CP) REST API and the
// API's types. Authentication, TLS and extra headers belong to the *http.Client the
// caller passes in.
package kuma

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// Limits and defaults.
const (
	// MaxPageSize is the largest page the CP accepts; it answers 400 above it.
	MaxPageSize         = 1000
	DefaultPageSize     = MaxPageSize
	DefaultMaxBodyBytes = 32 << 20
	// DefaultMaxPages bounds a list at DefaultMaxPages*PageSize items, so a CP that
	// keeps answering with a next link cannot keep the plugin busy forever.
	DefaultMaxPages = 100
)

// Options configure a Client. Zero values take the defaults.
type Options struct {
	// BaseURL is the CP API URL, e.g. https://kuma-cp:5682. It may carry a path prefix.
	BaseURL string
	// HTTPClient carries auth, TLS and headers; nil means a plain http.Client.
	HTTPClient *http.Client
	// RequestTimeout bounds each call: one object, or a whole list with all its pages;
	// 0 = no own bound.
	RequestTimeout time.Duration
	// MaxBodyBytes caps every response body.
	MaxBodyBytes int64
	// PageSize is the size sent on list requests (1..MaxPageSize).
	PageSize int
	// MaxPages stops a list that never ends.
	MaxPages int
}

// Client reads the CP API. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	http     *http.Client
	timeout  time.Duration
	maxBody  int64
	pageSize int
	maxPages int
}

// NewClient checks the options and builds a Client.
func NewClient(o Options) (*Client, error) {
	// Errors name the URL without its password, if it has one.
	base, err := peer.BaseURL(o.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("kuma CP URL: %w", err)
	}
	if o.PageSize < 0 || o.PageSize > MaxPageSize {
		return nil, fmt.Errorf("kuma CP page size %d: must be between 1 and %d", o.PageSize, MaxPageSize)
	}
	if o.MaxBodyBytes < 0 || o.MaxPages < 0 || o.RequestTimeout < 0 {
		return nil, errors.New("kuma CP client: MaxBodyBytes, MaxPages and RequestTimeout must not be negative")
	}
	c := &Client{
		base:     base,
		http:     peer.SameOriginRedirects(o.HTTPClient),
		timeout:  o.RequestTimeout,
		maxBody:  orDefault(o.MaxBodyBytes, DefaultMaxBodyBytes),
		pageSize: orDefault(o.PageSize, DefaultPageSize),
		maxPages: orDefault(o.MaxPages, DefaultMaxPages),
	}
	return c, nil
}

func orDefault[N int | int64](v, def N) N {
	if v == 0 {
		return def
	}
	return v
}

// url builds base + escaped path segments + query. Every segment goes through
// url.PathEscape, so a mesh or resource name cannot add path elements or a query.
func (c *Client) url(q url.Values, segments ...string) *url.URL {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	u := *c.base
	u.RawPath = strings.TrimSuffix(c.base.EscapedPath(), "/") + "/" + strings.Join(escaped, "/")
	// RawPath is a valid encoding by construction, so unescaping cannot fail.
	u.Path, _ = url.PathUnescape(u.RawPath)
	u.RawQuery = q.Encode()
	return &u
}

// endpoint names a request in errors: method, path and query, never the host or
// credentials. Paths after the first page come from the CP's next links, so it is cut.
func endpoint(u *url.URL) string {
	return http.MethodGet + " " + peer.Cut(u.RequestURI())
}

// errTimeout is the cause of a call that ran out of the request timeout; it is still a
// deadline for errors.Is.
var errTimeout = fmt.Errorf("request timeout: %w", context.DeadlineExceeded)

// bound gives one call (a single object, or a list with all its pages) the request
// timeout: a timeout per page would let a CP that answers each page just in time keep a
// list going for MaxPages times as long.
func (c *Client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, c.timeout, errTimeout)
}

// get fetches u and decodes the JSON answer into out. Non-2xx answers become *APIError.
// ctx carries the call's deadline (bound).
func (c *Client) get(ctx context.Context, u *url.URL, out any) error {
	name := endpoint(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("kuma CP: %s: %w", name, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, name, err)
	}
	defer resp.Body.Close()
	body, err := c.readBody(peer.Body(ctx, resp.Body))
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return fmt.Errorf("kuma CP: %s: %w", name, err)
		}
		return c.transportError(ctx, name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(name, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("kuma CP: %s: the answer is not the expected JSON%s: %w",
			name, contentTypeHint(resp.Header.Get("Content-Type")), err)
	}
	return nil
}

// contentTypeHint points at a wrong URL when the answer is not JSON at all, e.g. the
// data source URL points at a web page instead of the CP API.
func contentTypeHint(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return ""
	}
	return fmt.Sprintf(" (Content-Type %q: is the URL the CP API?)", peer.Cut(ct))
}

var errBodyTooLarge = errors.New("response body exceeds the limit")

// readBody reads at most maxBody bytes; one byte more proves the body is too large.
func (c *Client) readBody(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, c.maxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > c.maxBody {
		return nil, fmt.Errorf("%w of %d bytes", errBodyTooLarge, c.maxBody)
	}
	return body, nil
}

// transportError says whether our request timeout fired or the caller gave up; the
// cause stays wrapped for errors.Is. net/http names the whole URL, which after the first
// page is the CP's next link: it is cut like any text from the CP.
func (c *Client) transportError(ctx context.Context, name string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		ue.URL = peer.Cut(ue.URL)
	}
	if errors.Is(context.Cause(ctx), errTimeout) {
		return fmt.Errorf("kuma CP: %s: no answer within the %s request timeout: %w", name, c.timeout, err)
	}
	return fmt.Errorf("kuma CP: %s: %w", name, err)
}
