package bench

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// SameFrames decides whether the burst's answers equal the uncached one, so it must
// accept rounding noise and nothing more.
func TestSameFrames(t *testing.T) {
	frame := func(v float64, s string) data.Frames {
		return data.Frames{data.NewFrame("nodes", data.NewField("mainStat", nil, []float64{v}), data.NewField("id", nil, []string{s}))}
	}
	if err := SameFrames(frame(4.085115475622474, "a"), frame(4.085115475622475, "a"), 1e-9); err != nil {
		t.Errorf("last-bit difference refused: %v", err)
	}
	for name, b := range map[string]data.Frames{
		"value":  frame(4.0852, "a"),
		"string": frame(4.085115475622474, "b"),
		"frames": append(frame(1, "a"), frame(1, "a")...),
	} {
		if err := SameFrames(frame(4.085115475622474, "a"), b, 1e-9); err == nil {
			t.Errorf("%s: difference accepted", name)
		}
	}
}
