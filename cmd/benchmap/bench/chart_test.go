package bench

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// The chart must be well-formed SVG that a browser shows as an image in the markdown:
// one polyline per unbroken run of values, the baseline dashed, names escaped, and a
// panel without values saying so.
func TestChartWriteSVG(t *testing.T) {
	nan := math.NaN()
	c := Chart{Title: "map <vs> baseline", Panels: []Panel{
		{Title: "by size", XLabel: "services", YLabel: "ms", XTicks: []string{"100", "1,000", "5,000"}, Series: []Series{
			{Name: "ours & co", Values: []float64{120, 900, 4000}, Color: "#111"},
			{Name: "baseline", Values: []float64{300, nan, 9000}, Color: "#111", Dashed: true},
			{Name: "never measured", Values: []float64{nan, nan, nan}, Color: "#222"},
		}},
		{Title: "by range", XTicks: []string{"5m"}, Series: []Series{{Name: "ours & co", Values: []float64{nan}}}},
	}}
	var b strings.Builder
	if err := c.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	counts := map[string]int{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
			if se.Name.Local == "polyline" {
				for _, a := range se.Attr {
					if a.Name.Local == "stroke-dasharray" {
						counts["dashed"]++
					}
				}
			}
		}
	}
	// ours: one line of three points; the baseline's gap leaves single points, no line.
	if counts["polyline"] != 1 || counts["dashed"] != 0 {
		t.Errorf("%d polylines (%d dashed), want 1 (0)", counts["polyline"], counts["dashed"])
	}
	if counts["circle"] != 5 {
		t.Errorf("%d points, want 5", counts["circle"])
	}
	for _, want := range []string{"map &lt;vs&gt; baseline", "ours &amp; co", "not measured", `stroke-dasharray="7 5"`, ">1 s<", ">100 ms<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(svg, "never measured") {
		t.Error("a series without values is in the legend")
	}
}
