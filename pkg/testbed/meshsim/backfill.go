package meshsim

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"time"
)

// Job labels of the simulated scrape jobs; backfilled series carry the same ones as
// live scrapes with ScrapeConfig.
const (
	JobDataplanes = "kuma-dataplanes"
	JobCP         = "kuma-cp"
)

// BackfillOptions choose the history to write.
type BackfillOptions struct {
	// End is the last sample's time; Duration how far back the history goes and Step
	// the sample interval (a scrape interval).
	End      time.Time
	Duration time.Duration
	Step     time.Duration
	// Family, when set, keeps only the metric families it accepts: a big mesh's full
	// history runs to gigabytes, and a test rarely needs more than a few families.
	Family func(name string) bool
	// Down, when set, tells at which times a target failed its scrape: Prometheus then
	// records up 0 and none of its samples.
	Down func(t Target, at time.Time) bool
	// Keep, when set, writes only the scrapes at the times it accepts: a long history
	// thinned out with age stays small enough to backfill, and Prometheus' increase
	// handles the uneven spacing.
	Keep func(at time.Time) bool
	// Bounds is the form of histogram bounds (le) the receiving server's own scrapes
	// store (BoundsFor its version); the zero value keeps the exporter's text.
	Bounds BoundForm
}

// WriteOpenMetrics writes the metrics of every online proxy and every CP, and the up
// series of their scrapes, as they would have been scraped each Step in (End-Duration, End], for
// `promtool tsdb create-blocks-from openmetrics`. Times before the simulation's Start
// are skipped. No TYPE lines are written: OpenMetrics demands _total suffixes on
// counters that Envoy does not use, and the TSDB keeps no metadata anyway.
func (s *Sim) WriteOpenMetrics(ctx context.Context, w io.Writer, o BackfillOptions) error {
	if o.Step <= 0 || o.Duration <= 0 || o.End.IsZero() {
		return errors.New("backfill: End, Duration and Step are required")
	}
	bw := bufio.NewWriter(w)
	first := o.End.Add(-o.Duration).Truncate(o.Step)
	for ts := first; !ts.After(o.End); ts = ts.Add(o.Step) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ts.Before(s.opts.Start) || (o.Keep != nil && !o.Keep(ts)) {
			continue
		}
		stamp := strconv.FormatFloat(float64(ts.UnixMilli())/1000, 'f', 3, 64)
		for _, f := range s.Targets() {
			scrape := append(slices.Clip(f.Labels), Label{"job", f.Job})
			// Every scrape writes up (1 answered, 0 failed) with the target's labels.
			down := o.Down != nil && o.Down(f, ts)
			if o.Family == nil || o.Family("up") {
				writeSample(bw, Sample{Name: "up", Labels: scrape, Value: map[bool]float64{false: 1, true: 0}[down]}, stamp)
			}
			if down {
				continue
			}
			for _, fam := range f.Families(ts, scrape...).List() {
				if o.Family != nil && !o.Family(fam.Name) {
					continue
				}
				for _, smp := range fam.Samples {
					if o.Bounds != BoundsAsExposed && fam.Type == "histogram" {
						smp = o.Bounds.sample(smp)
					}
					writeSample(bw, smp, stamp)
				}
			}
		}
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}
