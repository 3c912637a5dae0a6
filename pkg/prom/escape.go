package prom

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Every label value that reaches PromQL goes through these helpers: values
// come from users, dashboard variables and the CP, and a quote or brace in
// any of them must not change the query.

// quote renders s as a PromQL string literal. PromQL strings use Go's
// escape rules, so strconv.Quote's output is always a valid literal that
// unquotes to s.
func quote(s string) string { return strconv.Quote(s) }

// Equal renders label="value".
func Equal(label, value string) string {
	return label + "=" + quote(value)
}

// Match renders label=~"re" after checking that re is a valid RE2
// expression the way Prometheus uses it (fully anchored).
func Match(label, re string) (string, error) {
	if _, err := regexp.Compile("^(?:" + re + ")$"); err != nil {
		return "", fmt.Errorf("label %s: invalid regular expression: %w", label, err)
	}
	return label + "=~" + quote(re), nil
}

// MatchAny renders a matcher for any of the literal values; with
// allowAbsent it also matches series without the label.
func MatchAny(label string, values []string, allowAbsent bool) string {
	alts := make([]string, 0, len(values)+1)
	for _, v := range values {
		alts = append(alts, regexp.QuoteMeta(v))
	}
	if allowAbsent {
		alts = append(alts, "")
	}
	// Literal alternatives are always a valid expression.
	m, _ := Match(label, strings.Join(alts, "|"))
	return m
}
