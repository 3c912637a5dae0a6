package e2e

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file models what happens to a query of this data source between a dashboard and
// the backend (../shared/grafana-facts.md): Grafana's template service replaces dashboard
// variables and only the globals ($__interval, $__range, $__from…), never
// $__rate_interval; our front end decides which fields it asks it to replace
// (src/datasource.ts applyTemplateVariables, mirrored by ApplyTemplateVariables and kept in
// step with it by testdata/template-variables.json, which jest runs too).

// Variables are the values Grafana's template service holds: a string, or a []string for
// a multi-value variable ("All" is the list of every value), or an AllValue.
type Variables map[string]any

// AllValue is "All" of a variable with a custom all value: Grafana sends it as it is,
// whatever the format (templateSrv skips formatting custom all values but for the text
// and percentencode formats, which no query of this data source uses).
type AllValue string

// GlobalVariables are the globals Grafana's template service replaces for every data
// source, for a query over rangeMs with the given interval.
func GlobalVariables(fromMs, toMs, intervalMs int64) Variables {
	rangeMs := toMs - fromMs
	return Variables{
		"__interval":    durationText(intervalMs),
		"__interval_ms": itoa(intervalMs),
		"__range":       durationText(rangeMs),
		"__range_s":     itoa(rangeMs / 1000),
		"__range_ms":    itoa(rangeMs),
		"__from":        itoa(fromMs),
		"__to":          itoa(toMs),
	}
}

// durationText is how Grafana prints an interval: the largest whole unit (1h, 30s, 500ms).
func durationText(ms int64) string {
	for _, u := range []struct {
		unit string
		ms   int64
	}{{"d", 86_400_000}, {"h", 3_600_000}, {"m", 60_000}, {"s", 1000}} {
		if ms >= u.ms && ms%u.ms == 0 {
			return itoa(ms/u.ms) + u.unit
		}
	}
	return itoa(ms) + "ms"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// variableRef is Grafana's variable syntax: $name, ${name}, ${name:format}, [[name]].
var variableRef = regexp.MustCompile(`\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]`)

// format renders a variable's values (one for a single-value variable).
type format func(values []string) string

// globFormat is Grafana's default for a data source that names none: one value as is,
// several as {a,b}.
func globFormat(values []string) string {
	if len(values) > 1 {
		return "{" + strings.Join(values, ",") + "}"
	}
	return strings.Join(values, ",")
}

// regexFormat is Grafana's "regex" format: each value escaped, several as (a|b).
func regexFormat(values []string) string {
	escaped := make([]string, len(values))
	for i, v := range values {
		escaped[i] = regexEscape.ReplaceAllString(v, `\$0`)
	}
	if len(values) > 1 {
		return "(" + strings.Join(escaped, "|") + ")"
	}
	return strings.Join(escaped, "|")
}

var regexEscape = regexp.MustCompile(`[\\^$*+?.()|\[\]{}/]`)

// replace is the template service's replace: known variables are rendered with f,
// unknown ones ($__rate_interval among them) are left as they are.
func (v Variables) replace(text string, f format) string {
	return variableRef.ReplaceAllStringFunc(text, func(ref string) string {
		m := variableRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		switch val := v[name].(type) {
		case AllValue:
			return string(val)
		case string:
			return f([]string{val})
		case []string:
			return f(val)
		}
		return ref
	})
}

// multiValueSeparator mirrors MULTI_VALUE_SEPARATOR of src/datasource.ts.
const multiValueSeparator = "\x1f"

// ApplyTemplateVariables mirrors src/datasource.ts applyTemplateVariables: the fields the
// front end has replaced, and how.
func ApplyTemplateVariables(q map[string]any, vars Variables) map[string]any {
	out := maps.Clone(q)
	for key, f := range map[string]format{"mesh": globFormat, "service": globFormat, "rateInterval": globFormat, "zoneSide": globFormat,
		"focus": globFormat, "zone": regexFormat, "serviceRegex": regexFormat, "rollupRegEx": regexFormat} {
		if s, ok := q[key].(string); ok {
			out[key] = vars.replace(s, f)
		}
	}
	if zones, ok := q["zones"].([]any); ok {
		var resolved []any
		for _, z := range zones {
			s, _ := z.(string)
			joined := vars.replace(s, func(values []string) string { return strings.Join(values, multiValueSeparator) })
			for _, part := range strings.Split(joined, multiValueSeparator) {
				if part = strings.TrimSpace(part); part != "" && !slices.Contains(resolved, any(part)) {
					resolved = append(resolved, part)
				}
			}
		}
		out["zones"] = resolved
	}
	return out
}

// meshScoped mirrors MESH_SCOPED_TYPES of src/types.ts.
var meshScoped = []string{"services", "dataplanes", "workloads", "gateways", "mesh-insights", "mesh-graph", "service-stats", "callees"}

// ToKumaQuery mirrors src/query.ts toKumaQuery (VARIABLE_FIELDS): what a stored variable query becomes
// before it is sent (and then goes through ApplyTemplateVariables).
func ToKumaQuery(v map[string]any) map[string]any {
	refID, _ := v["refId"].(string)
	if refID == "" {
		refID = "variable"
	}
	qt, _ := v["queryType"].(string)
	if qt == "" {
		qt = "meshes"
	}
	out := map[string]any{"refId": refID, "queryType": qt}
	if mesh, ok := v["mesh"].(string); ok && mesh != "" && slices.Contains(meshScoped, qt) {
		out["mesh"] = mesh
	}
	if svc, ok := v["service"].(string); ok && svc != "" && (qt == "dataplanes" || qt == "workloads" || qt == "callees") {
		out["service"] = svc
	}
	if zones, ok := v["zones"].([]any); ok && len(zones) > 0 && (qt == "services" || qt == "dataplanes" || qt == "callees") {
		out["zones"] = zones
	}
	return out
}
