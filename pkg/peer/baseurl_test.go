package peer

import (
	"errors"
	"testing"
)

func TestBaseURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://kuma-cp:5681":           true,
		"https://mimir:9009/prometheus": true,
		"http://u:p@host/":              true,
		"kuma-cp:5681":                  false,
		"ftp://host":                    false,
		"http://host/?a=b":              false,
		"http://host/#x":                false,
		"/relative":                     false,
		"":                              false,
	} {
		if _, err := BaseURL(raw); (err == nil) != ok || (err != nil && !errors.Is(err, ErrBaseURL)) {
			t.Errorf("BaseURL(%q) = %v, want ok %v", raw, err, ok)
		}
	}
}
