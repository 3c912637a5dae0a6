// Package apiserver holds how the Kuma API server answers, as the recordings in
// testdata/kuma-cp show it: page parameters and their 400 documents, absolute next links
// built from the request's Host, the router's plain-text 404. The fake CPs (kumatest and
// the mesh simulator) share it so that both answer alike.
package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// DefaultPageSize is the page size of a list request without size=.
const DefaultPageSize = 100

// Titles of offset errors: store-backed lists and computed service insights differ.
const (
	TitleRetrieve = "Could not retrieve resources"
	TitlePaginate = "Could not paginate resources"
)

// Page is a list request's size and offset.
type Page struct{ Size, Offset int }

// ParsePage validates size and offset as the API server does, or returns its 400 document.
func ParsePage(q url.Values, offsetTitle string) (Page, *kuma.ErrorBody) {
	p := Page{Size: DefaultPageSize}
	invalidSize := func(reason string) (Page, *kuma.ErrorBody) {
		e := Error(http.StatusBadRequest, TitleRetrieve, "Invalid page size", "size", reason)
		return p, &e
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return invalidSize("invalid format")
		case n <= 0:
			return invalidSize("must be greater than 0")
		case n > kuma.MaxPageSize:
			return invalidSize(fmt.Sprintf("invalid page size of %d. Maximum page size is %d", n, kuma.MaxPageSize))
		}
		p.Size = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			reason := "negative offset " + v
			if err != nil {
				reason = err.Error()
			}
			e := Error(http.StatusBadRequest, offsetTitle, "invalid: invalid offset: "+reason, "", "")
			return p, &e
		}
		p.Offset = n
	}
	return p, nil
}

// Error is a /std-errors document; field, when set, adds the parameter lists.
func Error(status int, title, detail, field, reason string) kuma.ErrorBody {
	e := kuma.ErrorBody{Type: "/std-errors", Status: status, Title: title, Detail: detail, Details: detail}
	if field != "" {
		e.InvalidParameters = []kuma.InvalidParameter{{Field: field, Reason: reason}}
		e.Causes = []kuma.Cause{{Field: field, Message: reason}}
	}
	return e
}

// NextLink is the absolute URL of the next page: the request's own scheme and Host, the
// query re-encoded in sorted order.
func NextLink(r *http.Request, q url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// WriteJSON answers like the CP: one-space indented JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// NotFound is the router's answer to a path it does not route: plain text, not JSON.
func NotFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("404: Page Not Found"))
}
