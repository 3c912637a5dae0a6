package bench

import "time"

// Tier keeps one scrape every Step for data up to Age old.
type Tier struct{ Age, Step time.Duration }

// Thinned is a meshsim.BackfillOptions.Keep that thins a history out with age: a scrape
// at ts is kept when ts falls on the step of the first tier whose Age covers end-ts;
// older than the last tier, nothing is kept. A day of 30 s scrapes of a 1,000-service
// mesh is over a billion samples; the same day at coarser steps with age is a few
// percent of that, and Prometheus' increase handles the uneven spacing. Steps must be
// multiples of the backfill step, so that the kept times are among those written.
func Thinned(end time.Time, tiers []Tier) func(time.Time) bool {
	return func(ts time.Time) bool {
		age := end.Sub(ts)
		for _, t := range tiers {
			if age <= t.Age {
				return ts.UnixMilli()%t.Step.Milliseconds() == 0
			}
		}
		return false
	}
}

// Kept counts the scrapes a Keep function accepts every step in (end-d, end].
func Kept(keep func(time.Time) bool, end time.Time, d, step time.Duration) int {
	n := 0
	for ts := end.Add(-d).Truncate(step); !ts.After(end); ts = ts.Add(step) {
		if ts.After(end.Add(-d)) && keep(ts) {
			n++
		}
	}
	return n
}
