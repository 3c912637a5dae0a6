package meshsim

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
)

// Label is one metric label; order is kept as written so output is stable.
type Label struct{ Name, Value string }

// Sample is one series value; Name is the full series name (with _bucket, _sum...).
type Sample struct {
	Name   string
	Labels []Label
	Value  float64
}

// Family groups the samples of one metric, as the text formats require.
type Family struct {
	Name    string
	Type    string // counter, gauge or histogram
	Help    string
	Samples []Sample
}

// Families collects samples into families in first-seen order, each sample getting the
// common labels appended (the labels a scrape or kuma-dp would attach).
type Families struct {
	common []Label
	byName map[string]*Family
	order  []*Family
}

// NewFamilies starts an empty set whose samples all carry common.
func NewFamilies(common ...Label) *Families {
	return &Families{common: common, byName: map[string]*Family{}}
}

// List returns the families in the order they were first added.
func (f *Families) List() []*Family { return f.order }

func (f *Families) family(name, typ string) *Family {
	fam, ok := f.byName[name]
	if !ok {
		fam = &Family{Name: name, Type: typ, Help: helpFor(name)}
		f.byName[name] = fam
		f.order = append(f.order, fam)
	}
	return fam
}

func (f *Families) sample(fam *Family, name string, v float64, labels []Label) {
	all := make([]Label, 0, len(labels)+len(f.common))
	all = append(append(all, labels...), f.common...)
	fam.Samples = append(fam.Samples, Sample{Name: name, Labels: all, Value: v})
}

// Counter adds a counter sample.
func (f *Families) Counter(name string, v float64, labels ...Label) {
	f.sample(f.family(name, "counter"), name, v, labels)
}

// Gauge adds a gauge sample.
func (f *Families) Gauge(name string, v float64, labels ...Label) {
	f.sample(f.family(name, "gauge"), name, v, labels)
}

// Histogram adds one histogram series: cumulative counts per bound in bounds, then
// +Inf = count. Bounds are written as Envoy writes them (exposedBound).
func (f *Families) Histogram(name string, bounds, cumulative []float64, count, sum float64, labels ...Label) {
	fam := f.family(name, "histogram")
	for i, b := range bounds {
		f.sample(fam, name+"_bucket", cumulative[i], append(labels[:len(labels):len(labels)], Label{"le", exposedBound(b)}))
	}
	f.sample(fam, name+"_bucket", count, append(labels[:len(labels):len(labels)], Label{"le", "+Inf"}))
	f.sample(fam, name+"_sum", sum, labels)
	f.sample(fam, name+"_count", count, labels)
}

// helpFor gives every family a HELP line; Envoy's own text is no more informative.
func helpFor(name string) string { return strings.ReplaceAll(name, "_", " ") }

// WriteText writes families in the Prometheus text format 0.0.4, which is what Envoy
// and kuma-cp serve.
func WriteText(w io.Writer, fams []*Family) error {
	bw := bufio.NewWriter(w)
	for _, fam := range fams {
		bw.WriteString("# HELP " + fam.Name + " " + fam.Help + "\n# TYPE " + fam.Name + " " + fam.Type + "\n")
		for _, s := range fam.Samples {
			writeSample(bw, s, "")
		}
	}
	return bw.Flush()
}

// writeSample writes one line; ts, when not empty, is appended as the timestamp.
func writeSample(w *bufio.Writer, s Sample, ts string) {
	w.WriteString(s.Name)
	if len(s.Labels) > 0 {
		w.WriteByte('{')
		for i, l := range s.Labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l.Name)
			w.WriteString(`="`)
			w.WriteString(escapeLabel(l.Value))
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(s.Value))
	if ts != "" {
		w.WriteByte(' ')
		w.WriteString(ts)
	}
	w.WriteByte('\n')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
