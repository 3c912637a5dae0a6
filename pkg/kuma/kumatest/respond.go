package kumatest

import (
	"net/http"
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
