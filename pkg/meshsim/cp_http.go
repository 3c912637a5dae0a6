package meshsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// Paging limits of the Kuma API server.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// writeJSON answers like the CP: one-space indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// notFoundPage is the CP's answer to a path it does not route.
func notFoundPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte("404: Page Not Found"))
}

// apiError is a /std-errors document; field, when set, adds the parameter lists.
func apiError(status int, title, detail, field, reason string) kuma.ErrorBody {
	e := kuma.ErrorBody{Type: "/std-errors", Status: status, Title: title, Detail: detail, Details: detail}
	if field != "" {
		e.InvalidParameters = []kuma.InvalidParameter{{Field: field, Reason: reason}}
		e.Causes = []kuma.Cause{{Field: field, Message: reason}}
	}
	return e
}

func writeError(w http.ResponseWriter, e kuma.ErrorBody) { writeJSON(w, e.Status, e) }

var (
	errNotFound     = apiError(http.StatusNotFound, "Could not retrieve a resource", "Not found", "", "")
	errMeshNotFound = apiError(http.StatusNotFound, "Failed to retrieve Mesh", "Not found", "", "")
)

// page holds the parsed size and offset of a list request.
type page struct{ size, offset int }

// parsePage validates size and offset as the API server does; offsetTitle differs
// between store-backed lists and service insights.
func parsePage(q url.Values, offsetTitle string) (page, *kuma.ErrorBody) {
	p := page{size: defaultPageSize}
	invalidSize := func(reason string) (page, *kuma.ErrorBody) {
		e := apiError(http.StatusBadRequest, "Could not retrieve resources", "Invalid page size", "size", reason)
		return p, &e
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return invalidSize("invalid format")
		case n <= 0:
			return invalidSize("must be greater than 0")
		case n > maxPageSize:
			return invalidSize(fmt.Sprintf("invalid page size of %d. Maximum page size is %d", n, maxPageSize))
		}
		p.size = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			e := apiError(http.StatusBadRequest, offsetTitle, "invalid: invalid offset: "+errText(err, v), "", "")
			return p, &e
		}
		p.offset = n
	}
	return p, nil
}

func errText(err error, v string) string {
	if err != nil {
		return err.Error()
	}
	return "negative offset " + v
}

// writePage answers a list request with one page of items and an absolute next URL
// built from the request's own Host, query re-encoded in sorted order.
func writePage[T any](w http.ResponseWriter, r *http.Request, items []T, offsetTitle string) {
	p, perr := parsePage(r.URL.Query(), offsetTitle)
	if perr != nil {
		writeError(w, *perr)
		return
	}
	list := kuma.List[T]{Total: len(items)}
	if p.offset < len(items) {
		list.Items = items[p.offset:min(len(items), p.offset+p.size)]
	}
	if p.offset+p.size < len(items) {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(p.offset+p.size))
		q.Set("size", strconv.Itoa(p.size))
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		next := scheme + "://" + r.Host + r.URL.EscapedPath() + "?" + q.Encode()
		list.Next = &next
	}
	writeJSON(w, http.StatusOK, list)
}
