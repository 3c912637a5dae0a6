package plugin

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestStepTimes(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name      string
		from, to  string
		interval  time.Duration
		wantStep  time.Duration
		wantN     int
		wantFirst string
		wantLast  string
	}{
		{"the panel's interval, aligned to it; none at the range's start (its window is before the range)", "2026-01-01T10:00:00Z", "2026-01-01T11:07:30Z", 15 * time.Minute, 15 * time.Minute, 4, "2026-01-01T10:15:00Z", "2026-01-01T11:00:00Z"},
		{"never below a minute: increase() needs two scrapes", "2026-01-01T10:00:00Z", "2026-01-01T10:10:00Z", 15 * time.Second, time.Minute, 10, "2026-01-01T10:01:00Z", "2026-01-01T10:10:00Z"},
		{"no interval (an API call): a minute", "2026-01-01T10:00:00Z", "2026-01-01T10:05:00Z", 0, time.Minute, 5, "2026-01-01T10:01:00Z", "2026-01-01T10:05:00Z"},
		{"a week at 1m widens to at most 100 points", "2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z", time.Minute, 7 * 24 * time.Hour / 100, 100, "", "2026-01-08T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			times, step := stepTimes(backend.TimeRange{From: at(tt.from), To: at(tt.to)}, tt.interval)
			if step != tt.wantStep.Truncate(time.Second) || len(times) != tt.wantN {
				t.Fatalf("step %v, %d points; want %v, %d", step, len(times), tt.wantStep, tt.wantN)
			}
			if tt.wantFirst != "" && !times[0].Equal(at(tt.wantFirst)) {
				t.Errorf("first point %v, want %s", times[0], tt.wantFirst)
			}
			if last := times[len(times)-1]; !last.Equal(at(tt.wantLast).Truncate(step)) {
				t.Errorf("last point %v, want %s", last, tt.wantLast)
			}
			for i := 1; i < len(times); i++ {
				if times[i].Sub(times[i-1]) != step {
					t.Fatalf("points %v and %v are not a step apart", times[i-1], times[i])
				}
			}
		})
	}
}
