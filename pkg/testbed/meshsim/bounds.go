package meshsim

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// BoundForm is how a store writes the le label of a classic histogram it scrapes.
// Envoy writes its bounds in fixed point ("1", "1800000"); Prometheus 2 and
// VictoriaMetrics keep that text, Prometheus 3 rewrites it in the OpenMetrics form
// ("1.0", "1.8e+06"). A backfill must write the form the server's own scrapes store,
// or every finite bucket becomes two series where backfill meets scrape (+Inf is the
// same text in both forms, so it stays one).
type BoundForm int

const (
	// BoundsAsExposed keeps the exporter's text: Prometheus 2, VictoriaMetrics.
	BoundsAsExposed BoundForm = iota
	// BoundsOpenMetrics is Prometheus 3's scrape (its labels.FormatOpenMetricsFloat):
	// Go's shortest 'g' form, with ".0" appended when it has neither '.' nor 'e'.
	BoundsOpenMetrics
)

// BoundsFor is the form a Prometheus of version ("2.42.0", "3.16.0") stores.
func BoundsFor(version string) BoundForm {
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	if n, err := strconv.Atoi(major); err == nil && n >= 3 {
		return BoundsOpenMetrics
	}
	return BoundsAsExposed
}

// exposedBound is Envoy's text for a finite bound: fixed point, no exponent.
func exposedBound(le float64) string { return strconv.FormatFloat(le, 'f', -1, 64) }

// text is le (a bound as exposed, or "+Inf") in form f.
func (f BoundForm) text(le string) string {
	v, err := strconv.ParseFloat(le, 64)
	if f != BoundsOpenMetrics || err != nil || math.IsInf(v, 0) {
		return le
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// sample is a histogram's sample with its le label in form f.
func (f BoundForm) sample(s Sample) Sample {
	for i, l := range s.Labels {
		if l.Name == "le" {
			s.Labels = slices.Clone(s.Labels)
			s.Labels[i].Value = f.text(l.Value)
			break
		}
	}
	return s
}
