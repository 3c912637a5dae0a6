package bench

import (
	"testing"
	"time"
)

// Thinned keeps every scrape while young and one per tier step after, and nothing past
// the last tier.
func TestThinned(t *testing.T) {
	end := time.Unix(1764010800, 0) // on the hour
	keep := Thinned(end, []Tier{{Age: 5 * time.Minute, Step: 30 * time.Second}, {Age: time.Hour, Step: 10 * time.Minute}})
	for _, c := range []struct {
		age  time.Duration
		want bool
	}{
		{0, true}, {30 * time.Second, true}, {5 * time.Minute, true},
		{5*time.Minute + 30*time.Second, false}, {10 * time.Minute, true}, {time.Hour, true}, {time.Hour + 10*time.Minute, false},
	} {
		if got := keep(end.Add(-c.age)); got != c.want {
			t.Errorf("age %s: keep %v, want %v", c.age, got, c.want)
		}
	}
	// (end-5m, end] at 30 s: 10 scrapes; (end-1h, end]: those and 5 more at 10 minutes.
	if n := Kept(keep, end, 5*time.Minute, 30*time.Second); n != 10 {
		t.Errorf("5m: %d scrapes, want 10", n)
	}
	if n := Kept(keep, end, time.Hour, 30*time.Second); n != 16 {
		t.Errorf("1h: %d scrapes, want 16", n)
	}
}
