package kuma

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// Sentinels for errors.Is. An *APIError matches the one that fits its status.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	// ErrUnknownMesh: the mesh named in the request does not exist.
	ErrUnknownMesh = errors.New("unknown mesh")
	// ErrNoSuchEndpoint: the CP answered its plain-text "404: Page Not Found", so this
	// CP version has no such API (for example meshgateways on Kuma 3.0).
	ErrNoSuchEndpoint = errors.New("the CP has no such endpoint")
)

// titleMeshMissing is the CP's error title when the mesh of a mesh-scoped list is unknown.
const titleMeshMissing = "Failed to retrieve Mesh"

// maxInvalidParameters bounds the invalid parameters an error keeps; the CP names one
// or two, a hostile one thousands.
const maxInvalidParameters = 5

// APIError is a non-2xx answer from the CP.
type APIError struct {
	Endpoint          string // method and path, e.g. "GET /meshes/default/dataplanes"
	StatusCode        int
	Title             string // from the CP's JSON error, or empty
	Detail            string // from the JSON error, or the start of a plain-text body
	Details           string
	InvalidParameters []InvalidParameter
	// plainText is set for the CP's text/plain router 404.
	plainText bool
	// meshMissing is set when the request asked for a mesh that does not exist.
	meshMissing bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kuma CP: %s: %d %s", e.Endpoint, e.StatusCode, http.StatusText(e.StatusCode))
	for _, s := range []string{e.Title, e.Detail} {
		if s != "" {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
	for _, p := range e.InvalidParameters {
		fmt.Fprintf(&b, "; %s: %s", p.Field, p.Reason)
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		b.WriteString(" (the CP rejected the token: check the data source's CP token)")
	case http.StatusForbidden:
		b.WriteString(" (the CP token is not allowed to read this: check the data source's CP token and its groups)")
	}
	if e.plainText && e.StatusCode == http.StatusNotFound {
		b.WriteString(" (this CP version has no such endpoint)")
	}
	return b.String()
}

// Is lets callers use errors.Is(err, kuma.ErrNotFound) and friends.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrUnknownMesh:
		return e.meshMissing
	case ErrNoSuchEndpoint:
		return e.plainText && e.StatusCode == http.StatusNotFound
	}
	return false
}

// newAPIError builds the error from the CP's body: the JSON error document when there is
// one, else (the router's "404: Page Not Found", a proxy's HTML page) a short excerpt.
func newAPIError(endpoint string, status int, body []byte) *APIError {
	e := &APIError{Endpoint: endpoint, StatusCode: status}
	var doc ErrorBody
	if json.Unmarshal(body, &doc) == nil && (doc.Title != "" || doc.Detail != "" || doc.Status != 0) {
		// The texts go into messages shown in panels and logged by Grafana: like a
		// plain-text body, they are cut short and kept on one line.
		e.Title, e.Detail, e.Details = peer.Cut(doc.Title), peer.Cut(doc.Detail), peer.Cut(doc.Details)
		for i, p := range doc.InvalidParameters {
			if i == maxInvalidParameters {
				e.InvalidParameters = append(e.InvalidParameters, InvalidParameter{Field: "…", Reason: fmt.Sprintf("%d more", len(doc.InvalidParameters)-i)})
				break
			}
			e.InvalidParameters = append(e.InvalidParameters, InvalidParameter{Field: peer.Cut(p.Field), Reason: peer.Cut(p.Reason)})
		}
		e.meshMissing = status == http.StatusNotFound && doc.Title == titleMeshMissing
		return e
	}
	e.plainText = true
	e.Detail = peer.Cut(string(body))
	return e
}
