// Package peer holds the plugin's decisions about its peers, the Kuma control plane and
// Prometheus: where credentials may follow a redirect, how much of a peer's text enters a
// message, which secrets are taken out of that text, and how many bytes one call may read.
// The CP client, the Prometheus client and the SDK surface all use these, so each rule is
// decided once.
package peer

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxText bounds how much of one peer-provided string (an error title, a warning, a next
// link, a Content-Type) goes into a message.
const MaxText = 200

// Cut is s on one line, valid UTF-8, at most MaxText bytes (then ending in "…"). Peer text
// goes into panel errors, notices and Grafana's log: a megabyte or a thousand lines from a
// hostile peer must not.
func Cut(s string) string {
	if len(s) > 4*MaxText {
		// Fields below would copy all of it; only the start can survive anyway.
		s = s[:4*MaxText]
	}
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if len(s) <= MaxText {
		return s
	}
	cut := MaxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Origin is scheme://host:port with the scheme's default port made explicit, so
// http://cp and http://cp:80 are the same origin.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// maxRedirects is net/http's own limit, kept when we replace its redirect policy.
const maxRedirects = 10

// SameOriginRedirects returns a copy of hc (which may be nil) that refuses redirects to
// another origin. net/http drops Authorization on such a redirect but forwards every
// other header (custom headers may hold tenants and keys) and basic auth set by a
// transport, so credentials must not leave the configured origin at all. The caller's
// own redirect policy still applies after this check.
func SameOriginRedirects(hc *http.Client) *http.Client {
	var own http.Client
	if hc != nil {
		own = *hc
	}
	callerPolicy := own.CheckRedirect
	own.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if Origin(req.URL) != Origin(via[0].URL) {
			return fmt.Errorf("refusing to follow a redirect from %s to %s", Origin(via[0].URL), Origin(req.URL))
		}
		if callerPolicy != nil {
			return callerPolicy(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return &own
}

// CutError is err with its message cut (Cut), for errors that carry a peer's text;
// errors.Is and errors.As still see err.
func CutError(err error) error {
	if err == nil {
		return nil
	}
	return cutError{err}
}

type cutError struct{ err error }

func (e cutError) Error() string { return Cut(e.err.Error()) }
func (e cutError) Unwrap() error { return e.err }
