package peer

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Redacted replaces a secret in peer text.
const Redacted = "[redacted]"

// minSecret is the shortest secret redacted: shorter ones would blank out ordinary words
// of every message, and guess in a few tries anyway.
const minSecret = 4

// Redactor removes known secret values from text that came from a peer. A CP or
// Prometheus (or a proxy in front of them) may echo the request's headers in an error
// body, and that body reaches health messages, panel errors, resource answers and logs.
// The zero Redactor removes nothing.
type Redactor struct {
	forms []string // longest first, so a secret containing another is replaced whole
}

// NewRedactor redacts each secret as sent, as a peer may echo it (URL- and
// JSON-escaped), each line of a multi-line one (PEM keys), and user:password pairs as
// they travel in a basic-auth header.
func NewRedactor(secrets []string, basicAuth ...[2]string) Redactor {
	var forms []string
	add := func(s string) {
		if len(s) >= minSecret {
			forms = append(forms, s)
		}
	}
	for _, pair := range basicAuth {
		if pair[1] != "" {
			secrets = append(secrets, pair[1])
			add(base64.StdEncoding.EncodeToString([]byte(pair[0] + ":" + pair[1])))
		}
	}
	for _, s := range secrets {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if q, err := json.Marshal(s); err == nil {
			add(string(q[1 : len(q)-1]))
		}
		for line := range strings.Lines(s) {
			if line = strings.TrimSpace(line); len(line) >= 16 {
				add(line)
			}
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return Redactor{forms: slices.Compact(forms)}
}

// Redact is s with every known secret replaced by Redacted.
func (r Redactor) Redact(s string) string {
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Redacted)
		}
	}
	return s
}
