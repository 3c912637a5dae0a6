package dashboards

import (
	"fmt"
	"math"
	"strings"
)

// PluginID is this data source's plugin id (plugin.json).
const PluginID = "kumahq-kuma-datasource"

// Every data source reference goes through a variable, so the dashboards work with
// whatever data sources an installation has.
var (
	promDS = &DataSourceRef{Type: "prometheus", UID: "${datasource}"}
	kumaDS = &DataSourceRef{Type: PluginID, UID: "${kuma}"}
)

// gridWidth is Grafana's grid width.
const gridWidth = 24

// board lays panels out left to right, top to bottom, so that positions never overlap
// and ids are unique by construction.
type board struct {
	d          *Dashboard
	x, y, rowH int
	ids        int
	// open is the collapsed row that panels go into, nil under an expanded one.
	open *Panel
}

func newBoard(uid, title, description string, vars ...Variable) *board {
	return &board{d: &Dashboard{
		UID: uid, Title: title, Description: description, Tags: []string{"kuma"},
		Editable: true, GraphTooltip: 1, SchemaVersion: 39, Version: 1, Refresh: "30s",
		Time: TimeRange{From: "now-1h", To: "now"}, Timezone: "browser",
		Templating: Templating{List: append(dataSourceVariables(), vars...)},
		Links:      linksFrom(uid), Annotations: Annotations{List: []any{}},
	}}
}

// row starts a new titled row below everything placed so far.
func (b *board) row(title string) { b.startRow(title, false) }

// collapsedRow starts a row Grafana shows closed: its panels query nothing until it is
// opened, so detail rows cost nothing when the dashboard loads.
func (b *board) collapsedRow(title string) { b.startRow(title, true) }

// startRow places a row. Its panels are laid out as if it were open; Grafana closes
// the vertical gap a collapsed row leaves.
func (b *board) startRow(title string, collapsed bool) {
	b.newLine()
	b.open = nil
	row := &Panel{Type: "row", Title: title, Collapsed: &collapsed, RowPanels: &[]*Panel{}, GridPos: GridPos{W: gridWidth, H: 1}}
	b.push(row)
	if collapsed {
		b.open = row
	}
	b.y++
}

// add places panels of the same size, wrapping to a new line when the row is full.
func (b *board) add(w, h int, panels ...*Panel) {
	for _, p := range panels {
		if b.x+w > gridWidth {
			b.newLine()
		}
		p.GridPos = GridPos{X: b.x, Y: b.y, W: w, H: h}
		b.push(p)
		b.x += w
		b.rowH = max(b.rowH, h)
	}
}

func (b *board) newLine() {
	b.y += b.rowH
	b.x, b.rowH = 0, 0
}

func (b *board) push(p *Panel) {
	b.ids++
	p.ID = b.ids
	if p.Type == "row" {
		p.GridPos.Y = b.y
	}
	if b.open != nil {
		*b.open.RowPanels = append(*b.open.RowPanels, p)
		return
	}
	b.d.Panels = append(b.d.Panels, p)
}

// failuresAndResilience ends a traffic dashboard: what went wrong, then the health
// checks, circuit breakers and outlier detection that react to it, both collapsed.
func (b *board) failuresAndResilience(c scope, errorsTitle, where string) {
	b.collapsedRow(errorsTitle)
	b.add(12, 8, c.errors(where)...)
	b.collapsedRow("Health checks, circuit breakers, outlier detection")
	b.add(12, 8, c.resilience()...)
}

// dashboard returns the finished dashboard.
func (b *board) dashboard() *Dashboard { return b.d }

// prom is a Prometheus range query.
func prom(expr, legend string) Target {
	return Target{Datasource: promDS, Expr: expr, LegendFormat: legend}
}

// promZero is prom with the zero fallback (zeroFallback) for a single total.
func promZero(expr, legend string) Target {
	t := prom(expr+zeroFallback, legend)
	t.core = expr
	return t
}

// promTable is an instant query shown as a table.
func promTable(expr string) Target {
	t := prom(expr, "")
	noRange := false
	t.Instant, t.Range, t.Format = true, &noRange, "table"
	return t
}

// kumaQuery is a query on this data source.
func kumaQuery(queryType string, mesh string) Target {
	return Target{Datasource: kumaDS, QueryType: queryType, Mesh: mesh}
}

// newPanel names the targets A, B, … and picks the panel's data source from them.
func newPanel(typ, title, unit, description string, targets []Target) *Panel {
	for i := range targets {
		targets[i].RefID = string(rune('A' + i))
	}
	return &Panel{
		Type: typ, Title: title, Description: description, Datasource: targets[0].Datasource,
		Targets: targets, FieldConfig: &FieldConfig{Defaults: FieldDefaults{Unit: unit}, Overrides: []any{}},
		Options: map[string]any{},
	}
}

// timeseries is a graph over time; the legend is a table with mean and max, sorted
// by max, so that among many series the busiest come first.
func timeseries(title, unit, description string, targets ...Target) *Panel {
	p := newPanel("timeseries", title, unit, description, targets)
	p.FieldConfig.Defaults.Custom = map[string]any{"fillOpacity": 10, "showPoints": "never", "spanNulls": true}
	p.Options = map[string]any{
		"legend": map[string]any{"displayMode": "table", "placement": "bottom", "showLegend": true, "calcs": []string{"mean", "max"},
			"sortBy": "Max", "sortDesc": true},
		"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
	}
	return p
}

// stacked is a timeseries whose series add up to a whole (status classes, ops by kind).
func stacked(title, unit, description string, targets ...Target) *Panel {
	p := timeseries(title, unit, description, targets...)
	p.FieldConfig.Defaults.Custom["stacking"] = map[string]any{"mode": "normal", "group": "A"}
	return p
}

// stat is one big number, the last value.
func stat(title, unit, description string, targets ...Target) *Panel {
	p := newPanel("stat", title, unit, description, targets)
	p.Options = map[string]any{
		"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
		"colorMode":     "value", "graphMode": "area", "textMode": "auto",
	}
	return p
}

// withThresholds colours a stat: below the value is red, from it green (for "is it up").
func withThresholds(p *Panel, green float64) *Panel {
	p.FieldConfig.Defaults.Thresholds = &Thresholds{Mode: "absolute", Steps: []Threshold{{Color: "red"}, {Color: "green", Value: &green}}}
	return p
}

// failingFrom colours a stat of a failure state: green below the value, red from it
// (offline dataplanes, a 5xx share, certificates backing off).
func failingFrom(p *Panel, red float64) *Panel {
	p.FieldConfig.Defaults.Thresholds = &Thresholds{Mode: "absolute", Steps: []Threshold{{Color: "green"}, {Color: "red", Value: &red}}}
	return p
}

// kumaStat is a stat of one numeric column (by display name) of this data source's table.
func kumaStat(title, description, column string, q Target) *Panel {
	p := stat(title, "short", description, q)
	p.Options["reduceOptions"] = map[string]any{"calcs": []string{"lastNotNull"}, "fields": "/^" + column + "$/", "values": false}
	return p
}

// table shows rows: this data source's inventory frames or instant Prometheus queries.
func table(title, description string, targets ...Target) *Panel {
	p := newPanel("table", title, "none", description, targets)
	p.Options = map[string]any{"showHeader": true, "cellHeight": "sm", "footer": map[string]any{"show": false}}
	return p
}

// linkColumn makes a table column's cells link to another dashboard, passing the
// cell's value as var-<variable> along with the time range, the mesh and the
// variables in keep.
func linkColumn(p *Panel, column, uid, variable string, keep ...string) *Panel {
	url := "/d/" + uid + "?var-" + variable + "=${__value.text:percentencode}"
	for _, k := range append([]string{"mesh"}, keep...) {
		url += "&${" + k + ":queryparam}"
	}
	url += "&${__url_time_range}"
	p.FieldConfig.Overrides = append(p.FieldConfig.Overrides, map[string]any{
		"matcher":    map[string]any{"id": "byName", "options": column},
		"properties": []any{map[string]any{"id": "links", "value": []any{map[string]any{"title": "Open " + titleOf(uid), "url": url}}}},
	})
	return p
}

// organize hides and renames table columns (by display name).
func organize(hide []string, rename map[string]string) map[string]any {
	exclude := map[string]bool{}
	for _, h := range hide {
		exclude[h] = true
	}
	return map[string]any{"id": "organize", "options": map[string]any{"excludeByName": exclude, "renameByName": rename}}
}

// percentName is p50, p95, p99….
func percentName(q float64) string { return fmt.Sprintf("p%d", int(math.Round(q*100))) }

// legendOf renders group labels as a legend suffix.
func legendOf(by []string) string {
	if len(by) == 0 {
		return ""
	}
	parts := make([]string, len(by))
	for i, l := range by {
		parts[i] = "{{" + l + "}}"
	}
	return " " + strings.Join(parts, " ")
}
