package models

import "testing"

// TestRedactURL: a password in a URL never reaches a message, whether or not the URL
// parses; URLs without one are unchanged.
func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://cp:5681":                    "http://cp:5681",
		"https://admin:s3cret@cp:5682/kuma": "https://admin:xxxxx@cp:5682/kuma",
		"ftp://admin:s3cret@cp":             "ftp://admin:xxxxx@cp",
		"http://admin:s3cret@cp host:5681":  "http://xxxxx@cp host:5681", // does not parse
		// A password with #, ? or / ends the host part early for url.Parse.
		"http://u:PW#x@host/":        "http://xxxxx@host/",
		"http://u:P?W@host:9090/api": "http://xxxxx@host:9090/api",
		"http://u:1234/x@host/":      "http://xxxxx@host/", // parses, with 1234 as the port
		"https://u:a/b?c#d@host":     "https://xxxxx@host",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
