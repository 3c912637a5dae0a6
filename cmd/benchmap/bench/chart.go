package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Chart is a row of line panels sharing one legend, written as a self-contained SVG
// (no scripts, no fonts to fetch) so that docs/performance.md can show it as an image.
type Chart struct {
	Title  string
	Panels []Panel
}

// Panel plots series over categorical x ticks (mesh sizes, ranges) on a logarithmic y
// axis: times from a tenth of a second to tens of seconds stay readable side by side.
type Panel struct {
	Title, XLabel, YLabel string
	XTicks                []string
	Series                []Series
}

// Series is one line; NaN values are gaps (a point not measured, or a failed one).
type Series struct {
	Name   string
	Values []float64
	// Dashed draws the baseline's lines, so that ours and the baseline differ in print too.
	Dashed bool
	Color  string
}

// Chart geometry, in SVG user units.
const (
	panelW, panelH            = 460, 300
	marginL, marginR, marginT = 70, 20, 60
	marginB                   = 50
	legendH                   = 22
)

// WriteSVG writes the chart. Series whose values are all gaps are left out of the panel,
// and a panel without any value says so instead of drawing empty axes.
func (c Chart) WriteSVG(w io.Writer) error {
	legend := c.legend()
	width := len(c.Panels) * (marginL + panelW + marginR)
	height := marginT + panelH + marginB + legendH*((len(legend)+2)/3) + 10
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`, width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="white"/>`)
	p(`<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`, marginL, esc(c.Title))
	for i, pn := range c.Panels {
		pn.write(p, i*(marginL+panelW+marginR)+marginL, marginT)
	}
	y := marginT + panelH + marginB
	for i, s := range legend {
		x := marginL + (i%3)*260
		ly := y + (i/3)*legendH
		p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2.5"%s/>`, x, ly, x+30, ly, s.Color, dash(s.Dashed))
		p(`<text x="%d" y="%d">%s</text>`, x+36, ly+4, esc(s.Name))
	}
	p(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// legend lists each series name once, in order of first appearance.
func (c Chart) legend() []Series {
	var out []Series
	seen := map[string]bool{}
	for _, pn := range c.Panels {
		for _, s := range pn.Series {
			if !seen[s.Name] && hasValue(s.Values) {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func (pn Panel) write(p func(string, ...any), x0, y0 int) {
	p(`<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`, x0, y0-12, esc(pn.Title))
	p(`<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`, x0, y0, panelW, panelH)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range pn.Series {
		for _, v := range s.Values {
			if v > 0 && !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		p(`<text x="%d" y="%d" text-anchor="middle" fill="#888">not measured</text>`, x0+panelW/2, y0+panelH/2)
		return
	}
	// Whole decades around the data, so that the grid lines are round numbers.
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi == dlo {
		dhi++
	}
	ypos := func(v float64) float64 {
		return float64(y0+panelH) - (math.Log10(v)-dlo)/(dhi-dlo)*float64(panelH)
	}
	for d := dlo; d <= dhi; d++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, d)
			if d == dhi && m > 1 {
				break
			}
			yy := ypos(v)
			p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, x0, yy, x0+panelW, yy)
			p(`<text x="%d" y="%.1f" text-anchor="end">%s</text>`, x0-6, yy+4, tick(v))
		}
	}
	n := len(pn.XTicks)
	xpos := func(i int) float64 { return float64(x0) + (float64(i)+0.5)*float64(panelW)/float64(max(n, 1)) }
	for i, t := range pn.XTicks {
		p(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, xpos(i), y0+panelH+18, esc(t))
	}
	p(`<text x="%d" y="%d" text-anchor="middle">%s</text>`, x0+panelW/2, y0+panelH+38, esc(pn.XLabel))
	p(`<text x="%d" y="%d" text-anchor="middle" transform="rotate(-90 %d %d)">%s</text>`, x0-52, y0+panelH/2, x0-52, y0+panelH/2, esc(pn.YLabel))
	for _, s := range pn.Series {
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				p(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`, strings.Join(pts, " "), s.Color, dash(s.Dashed))
			}
			pts = nil
		}
		for i, v := range s.Values {
			if i >= n || v <= 0 || math.IsNaN(v) {
				flush()
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xpos(i), ypos(v)))
			p(`<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s</title></circle>`, xpos(i), ypos(v), s.Color, esc(s.Name), tick(v))
		}
		flush()
	}
}

func hasValue(vs []float64) bool {
	for _, v := range vs {
		if v > 0 && !math.IsNaN(v) {
			return true
		}
	}
	return false
}

func dash(d bool) string {
	if d {
		return ` stroke-dasharray="7 5"`
	}
	return ""
}

// tick writes an axis value in milliseconds as ms or s.
func tick(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}

func esc(s string) string { return html.EscapeString(s) }
