package kumatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// The CP's page size rules (pkg/api-server): default 100, at most 1000.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

func write(w http.ResponseWriter, status int, contentType string, body []byte) {
	// index.json notes bodiless answers as "(none; empty body)": send no Content-Type.
	if contentType != "" && contentType[0] != '(' {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeText(w http.ResponseWriter, status int, text string) {
	write(w, status, "text/plain; charset=utf-8", []byte(text))
}

// writeNotFound is the CP router's answer for an unknown path: plain text, not JSON.
func writeNotFound(w http.ResponseWriter) {
	writeText(w, http.StatusNotFound, "404: Page Not Found")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "kumatest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	write(w, status, "application/json", body)
}

// pageParams reads size and offset, or returns the CP's 400 error document.
func pageParams(q url.Values) (size, offset int, bad *kuma.ErrorBody) {
	size = defaultPageSize
	if q.Has("size") {
		n, err := strconv.Atoi(q.Get("size"))
		switch {
		case err != nil:
			return 0, 0, invalidSize("invalid format")
		case n <= 0:
			return 0, 0, invalidSize("must be greater than 0")
		case n > maxPageSize:
			return 0, 0, invalidSize(fmt.Sprintf("invalid page size of %d. Maximum page size is %d", n, maxPageSize))
		}
		size = n
	}
	if q.Has("offset") {
		n, err := strconv.Atoi(q.Get("offset"))
		if err != nil || n < 0 {
			detail := fmt.Sprintf("invalid: invalid offset: %q", q.Get("offset"))
			if err != nil {
				detail = "invalid: invalid offset: " + err.Error()
			}
			return 0, 0, &kuma.ErrorBody{Type: "/std-errors", Status: http.StatusBadRequest,
				Title: "Could not retrieve resources", Detail: detail, Details: detail}
		}
		offset = n
	}
	return size, offset, nil
}

func invalidSize(reason string) *kuma.ErrorBody {
	return &kuma.ErrorBody{
		Type: "/std-errors", Status: http.StatusBadRequest,
		Title: "Could not retrieve resources", Detail: "Invalid page size", Details: "Invalid page size",
		InvalidParameters: []kuma.InvalidParameter{{Field: "size", Reason: reason}},
		Causes:            []kuma.Cause{{Field: "size", Message: reason}},
	}
}
