package models

import (
	"fmt"
	"regexp"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/prometheus/common/model"
)

// macros are the values of Grafana's time macros for one query. Grafana's front end
// replaces $__interval and $__range for every data source, but computes $__rate_interval
// only inside its Prometheus and Loki data sources; and nothing is replaced for alert
// rules, which reach the backend as stored. So the backend resolves all three itself.
type macros map[string]time.Duration

func newMacros(dq backend.DataQuery, scrape time.Duration) macros {
	// As Grafana's Prometheus data source with its scrape interval set as the minimum
	// interval: no step is finer than the data. Alert rules send 1s by default, and API
	// calls may send none.
	interval := max(dq.Interval, scrape)
	return macros{
		"__interval": interval,
		// As Grafana's Prometheus data source computes it: at least four scrapes, so that
		// rate() always sees two samples even when one scrape is missed.
		"__rate_interval": max(interval+scrape, 4*scrape),
		"__range":         dq.TimeRange.Duration(),
	}
}

// macroRef finds $__name and ${__name}; the name runs to the end of the word, so
// $__interval_ms and $__range_s, which are not durations, are not read as $__interval
// and $__range (they are no macros here, and stay for validation to refuse).
var macroRef = regexp.MustCompile(`\$(?:\{(__\w+)\}|(__[a-z_]+)\b)`)

// resolveMacros replaces the duration macros in a duration field with durations
// Prometheus reads (1m30s); other text is left for validation to refuse.
func resolveMacros(v string, m macros) string {
	return macroRef.ReplaceAllStringFunc(v, func(ref string) string {
		sub := macroRef.FindStringSubmatch(ref)
		name := sub[1] + sub[2]
		d, ok := m[name]
		if !ok || d <= 0 {
			return ref
		}
		return model.Duration(d).String()
	})
}

// variableRef finds what Grafana's template syntax would have replaced: $name, ${name},
// ${name:format} and [[name]].
var variableRef = regexp.MustCompile(`\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\]`)

// uninterpolated refuses a literal field that still holds a variable or macro: Grafana did
// not replace it (an alert rule, a variable the dashboard lacks, a macro it does not know),
// and sending it on would only find nothing.
func uninterpolated(field, v string) error {
	ref := variableRef.FindString(v)
	if ref == "" {
		return nil
	}
	return fmt.Errorf("%s %q holds %s, which Grafana did not interpolate: alert rules and API calls get no template "+
		"variables, and a dashboard must define the variable; use a literal value there", field, v, ref)
}
