package meshsim

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// RecordedOptions choose the recorded series to write.
type RecordedOptions struct {
	// End is the last rule evaluation; Duration how far back the evaluations go, one
	// every prom.RuleInterval.
	End      time.Time
	Duration time.Duration
}

// WriteRecordedOpenMetrics writes what the shipped recording rules (prom.RecordingRules,
// prometheus/kuma-datasource-rules.yaml) record for the mesh, evaluated every
// prom.RuleInterval in (End-Duration, End], as OpenMetrics for `promtool tsdb
// create-blocks-from openmetrics`, without the raw series: each sample is the increase
// of the simulated counters over the interval before it, summed over the labels the
// rule keeps. Every simulated counter grows linearly, so this is what Prometheus
// computes from the scraped series (increase extrapolates exactly on a line); a day of
// a big mesh is 288 samples per edge series instead of 5,760 per instance series at a
// 15 s scrape. Evaluations before the simulation's Start are skipped.
func (s *Sim) WriteRecordedOpenMetrics(ctx context.Context, w io.Writer, o RecordedOptions) error {
	if o.Duration <= 0 || o.End.IsZero() {
		return errors.New("recorded series: End and Duration are required")
	}
	rec := newRecorder(s)
	// On lines every full interval has the same increase: compute it at both ends of the
	// range and, when they agree, once for all (a day is then four evaluations of the
	// mesh instead of 289); anything else is computed per evaluation.
	first := s.opts.Start.Add(prom.RuleInterval)
	last := o.End
	if last.Before(first) {
		last = first
	}
	steady := rec.increase(first)
	if !sameIncreases(steady, rec.increase(last)) {
		steady = nil
	}
	bw := bufio.NewWriter(w)
	for ts := o.End.Add(-o.Duration).Add(prom.RuleInterval); !ts.After(o.End); ts = ts.Add(prom.RuleInterval) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ts.Before(s.opts.Start) {
			continue
		}
		inc := steady
		if inc == nil || ts.Before(first) {
			inc = rec.increase(ts)
		}
		stamp := strconv.FormatFloat(float64(ts.UnixMilli())/1000, 'f', 3, 64)
		for _, key := range slices.Sorted(maps.Keys(inc)) {
			writeSample(bw, inc[key], stamp)
		}
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

// sameIncreases reports whether two evaluations recorded the same series and values.
func sameIncreases(a, b map[string]Sample) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || math.Abs(x.Value-y.Value) > 1e-9*math.Max(math.Abs(x.Value), math.Abs(y.Value)) {
			return false
		}
	}
	return true
}

// recorder evaluates the rules on the simulated counters.
type recorder struct {
	sim   *Sim
	rules []prom.RecordingRule
	names []*regexp.Regexp
}

func newRecorder(s *Sim) *recorder {
	r := &recorder{sim: s, rules: prom.RecordingRules()}
	for _, rule := range r.rules {
		r.names = append(r.names, regexp.MustCompile("^(?:"+rule.Metric+")$"))
	}
	return r
}

// increase is what the rules record at ts: each series' increase over the interval
// before it (counters are 0 before the simulation starts).
func (r *recorder) increase(ts time.Time) map[string]Sample {
	inc := r.totals(ts)
	for k, before := range r.totals(ts.Add(-prom.RuleInterval)) {
		if s, ok := inc[k]; ok {
			s.Value -= before.Value
			inc[k] = s
		}
	}
	return inc
}

// totals sums, at one time, the counters each rule reads over the labels it keeps, with
// the rule's filters: a mesh label, and no proxy-internal cluster upstream.
func (r *recorder) totals(at time.Time) map[string]Sample {
	out := map[string]Sample{}
	for _, target := range r.sim.Targets() {
		for _, fam := range target.Families(at, target.Labels...).List() {
			for _, smp := range fam.Samples {
				for i, rule := range r.rules {
					if !r.names[i].MatchString(smp.Name) {
						continue
					}
					get := func(name string) string {
						if j := slices.IndexFunc(smp.Labels, func(l Label) bool { return l.Name == name }); j >= 0 {
							return smp.Labels[j].Value
						}
						return ""
					}
					if get(naming.LabelMesh) == "" || (rule.Upstream && naming.IsInternalCluster(get(naming.LabelCluster))) {
						continue
					}
					var labels []Label
					var key strings.Builder
					key.WriteString(rule.Record)
					for _, name := range rule.By {
						if v := get(name); v != "" {
							labels = append(labels, Label{name, v})
							key.WriteString("\x00" + name + "\x00" + v)
						}
					}
					k := key.String()
					out[k] = Sample{Name: rule.Record, Labels: labels, Value: out[k].Value + smp.Value}
				}
			}
		}
	}
	return out
}
