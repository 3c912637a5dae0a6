package peer

import (
	"errors"
	"net/url"
)

// ErrBaseURL says what a peer's base URL must be: the plugin appends API paths to it and
// sends credentials to its origin, so it must name an origin and carry nothing after.
var ErrBaseURL = errors.New("must be an absolute http:// or https:// URL without a query or fragment")

// BaseURL parses the base URL of a peer (the CP, Prometheus): the one rule both the
// settings and the clients apply.
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return nil, ErrBaseURL
	}
	return u, nil
}
