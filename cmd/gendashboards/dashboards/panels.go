package dashboards

import (
	"fmt"
	"math"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/nodegraph"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	statpanel "github.com/grafana/grafana-foundation-sdk/go/stat"
	tablepanel "github.com/grafana/grafana-foundation-sdk/go/table"
	tspanel "github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// PluginID is this data source's plugin id (plugin.json).
const PluginID = "kumahq-kuma-datasource"

// Every data source reference goes through a variable, so the dashboards work with
// whatever data sources an installation has.
var (
	promDS = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}
	kumaDS = common.DataSourceRef{Type: cog.ToPtr(PluginID), Uid: cog.ToPtr("${kuma}")}
)

// panel is a panel of any type, built by the SDK's panel builders.
type panel = cog.Builder[dashboard.Panel]

// board numbers panels and rows in order and gives panels their size; the SDK's
// dashboard builder lays them out left to right, top to bottom, each row below what
// precedes it.
type board struct {
	d   *dashboard.DashboardBuilder
	ids uint32
	// open is the collapsed row that panels go into, nil under an expanded one.
	open *dashboard.RowBuilder
}

func newBoard(uid, title, description string, vars ...variable) *board {
	d := dashboard.NewDashboardBuilder(title).Uid(uid).Description(description).Tags([]string{"kuma"}).
		Editable().Tooltip(dashboard.DashboardCursorSyncCrosshair).Version(1).Refresh("30s").
		Time("now-1h", "now").Timezone("browser").
		Variables(append(dataSourceVariables(), vars...)).Links(linksFrom(uid))
	return &board{d: d}
}

// row starts a new titled row below everything placed so far.
func (b *board) row(title string) { b.startRow(title, false) }

// collapsedRow starts a row Grafana shows closed: its panels query nothing until it is
// opened, so detail rows cost nothing when the dashboard loads.
func (b *board) collapsedRow(title string) { b.startRow(title, true) }

// startRow places a row. A collapsed row holds its panels, laid out as if it were
// open (Grafana closes the gap it leaves); an expanded row's panels follow it on the
// dashboard, for Grafana shows only a collapsed row's own panels.
func (b *board) startRow(title string, collapsed bool) {
	b.closeRow()
	b.ids++
	row := dashboard.NewRowBuilder(title).Id(b.ids).Collapsed(collapsed)
	if collapsed {
		b.open = row
		return
	}
	b.d.WithRow(row)
}

// closeRow adds the open collapsed row, with its panels, to the dashboard.
func (b *board) closeRow() {
	if b.open != nil {
		b.d.WithRow(b.open)
		b.open = nil
	}
}

// add places panels of the same size; the dashboard builder starts a new line when
// one is full (sizes are chosen to fill lines: a panel wider than what is left of a
// line would stick out of the grid, which the structure tests catch).
func (b *board) add(w, h uint32, panels ...panel) {
	for _, p := range panels {
		b.ids++
		s := sized{panel: p, id: b.ids, w: w, h: h}
		if b.open != nil {
			b.open.WithPanel(s)
		} else {
			b.d.WithPanel(s)
		}
	}
}

// sized gives a built panel its id and size; the dashboard builder gives it its place.
type sized struct {
	panel
	id, w, h uint32
}

func (s sized) Build() (dashboard.Panel, error) {
	p, err := s.panel.Build()
	p.Id, p.GridPos = &s.id, &dashboard.GridPos{W: s.w, H: s.h}
	return p, err
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
func (b *board) dashboard() (dashboard.Dashboard, error) {
	b.closeRow()
	return b.d.Build()
}

// prom is a Prometheus range query.
func prom(expr, legend string) PromQuery {
	return PromQuery{Dataquery: prometheus.Dataquery{Datasource: &promDS, Expr: expr, LegendFormat: &legend}}
}

// promZero is prom with the zero fallback (zeroFallback) for a single total.
func promZero(expr, legend string) PromQuery {
	q := prom(expr+zeroFallback, legend)
	q.core = expr
	return q
}

// promTable is an instant query shown as a table.
func promTable(expr string) PromQuery {
	return PromQuery{Dataquery: prometheus.Dataquery{Datasource: &promDS, Expr: expr,
		Instant: cog.ToPtr(true), Range: cog.ToPtr(false), Format: cog.ToPtr(prometheus.PromQueryFormatTable)}}
}

// kumaQuery is a query on this data source.
func kumaQuery(queryType string, mesh string) Query {
	return Query{Datasource: &kumaDS, QueryType: queryType, Mesh: mesh}
}

// panelBuilder is what every panel builder of the SDK offers and newPanel sets.
type panelBuilder[P any] interface {
	panel
	Title(string) P
	Description(string) P
	Unit(string) P
	Datasource(common.DataSourceRef) P
	WithTarget(cog.Builder[variants.Dataquery]) P
}

// newPanel names the targets A, B, … and picks the panel's data source from them.
func newPanel[P panelBuilder[P]](p P, title, unit, description string, targets []Target) P {
	p.Title(title).Unit(unit).Datasource(targets[0].dataSource())
	if description != "" {
		p.Description(description)
	}
	for i, t := range targets {
		p.WithTarget(t.named(string(rune('A' + i))))
	}
	return p
}

// timeseries is a graph over time; the legend is a table with mean and max, sorted
// by max, so that among many series the busiest come first.
func timeseries(title, unit, description string, targets ...Target) *tspanel.PanelBuilder {
	return newPanel(tspanel.NewPanelBuilder(), title, unit, description, targets).
		FillOpacity(10).ShowPoints(common.VisibilityModeNever).SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(true)}).
		Legend(common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeTable).Placement(common.LegendPlacementBottom).
			ShowLegend(true).Calcs([]string{"mean", "max"}).SortBy("Max").SortDesc(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
}

// stacked is a timeseries whose series add up to a whole (status classes, ops by kind).
func stacked(title, unit, description string, targets ...Target) *tspanel.PanelBuilder {
	return timeseries(title, unit, description, targets...).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal).Group("A"))
}

// stat is one big number, the last value.
func stat(title, unit, description string, targets ...Target) *statpanel.PanelBuilder {
	return newPanel(statpanel.NewPanelBuilder(), title, unit, description, targets).
		ReduceOptions(lastValueOf("")).
		ColorMode(common.BigValueColorModeValue).GraphMode(common.BigValueGraphModeArea).TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto)
}

// lastValueOf reduces the fields matching fields ("" for every numeric one) to their
// last value.
func lastValueOf(fields string) *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Fields(fields).Values(false)
}

// steps are absolute thresholds: below the value the base colour, from it the other.
func steps(base string, from float64, above string) dashboard.ThresholdsConfig {
	return dashboard.ThresholdsConfig{Mode: dashboard.ThresholdsModeAbsolute,
		Steps: []dashboard.Threshold{{Color: base}, {Color: above, Value: &from}}}
}

// colouredBy sets a stat's thresholds.
func colouredBy(p *statpanel.PanelBuilder, t dashboard.ThresholdsConfig) *statpanel.PanelBuilder {
	return p.Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(t.Mode).Steps(t.Steps))
}

// withThresholds colours a stat: below the value is red, from it green (for "is it up").
func withThresholds(p *statpanel.PanelBuilder, green float64) *statpanel.PanelBuilder {
	return colouredBy(p, steps("red", green, "green"))
}

// failingFrom colours a stat of a failure state: green below the value, red from it
// (offline dataplanes, a 5xx share, certificates backing off).
func failingFrom(p *statpanel.PanelBuilder, red float64) *statpanel.PanelBuilder {
	return colouredBy(p, steps("green", red, "red"))
}

// kumaStat is a stat of one numeric column (by display name) of this data source's table.
func kumaStat(title, description, column string, q Query) *statpanel.PanelBuilder {
	return stat(title, "short", description, q).ReduceOptions(lastValueOf("/^" + column + "$/"))
}

// table shows rows: this data source's inventory frames or instant Prometheus queries.
func table(title, description string, targets ...Target) *tablepanel.PanelBuilder {
	return newPanel(tablepanel.NewPanelBuilder(), title, "none", description, targets).
		ShowHeader(true).CellHeight(common.TableCellHeightSm).Footer(common.NewTableFooterOptionsBuilder().Show(false))
}

// nodeGraph is Grafana's node graph, for the service map.
func nodeGraph(title, unit, description string, q Query) *nodegraph.PanelBuilder {
	return newPanel(nodegraph.NewPanelBuilder(), title, unit, description, []Target{q})
}

// dataLink is a field's data link. The SDK (v0.0.22) types field links as dashboard
// links, whose type, icon, tags and dropdown mean nothing on a table cell.
type dataLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// linkColumn makes a table column's cells link to another dashboard, passing the
// cell's value as var-<variable> along with the time range, the mesh and the
// variables in keep.
func linkColumn(p *tablepanel.PanelBuilder, column, uid, variable string, keep ...string) *tablepanel.PanelBuilder {
	url := "/d/" + uid + "?var-" + variable + "=${__value.text:percentencode}"
	for _, k := range append([]string{"mesh"}, keep...) {
		url += "&${" + k + ":queryparam}"
	}
	url += "&${__url_time_range}"
	return p.OverrideByName(column, []dashboard.DynamicConfigValue{{Id: "links", Value: []dataLink{{Title: "Open " + titleOf(uid), URL: url}}}})
}

// Transformation options: the SDK types a transformation's options as any, so the
// ones the dashboards use are ours.
type (
	// organizeOptions hide, rename and order table columns (by display name).
	organizeOptions struct {
		ExcludeByName map[string]bool   `json:"excludeByName"`
		RenameByName  map[string]string `json:"renameByName"`
		IndexByName   map[string]int    `json:"indexByName,omitempty"`
	}
	// groupingToMatrixOptions pivot a long frame: one row per rowField value, one
	// column per columnField value.
	groupingToMatrixOptions struct {
		RowField    string `json:"rowField"`
		ColumnField string `json:"columnField"`
		ValueField  string `json:"valueField"`
		EmptyValue  string `json:"emptyValue"`
	}
	// filterByValueOptions keep (type include) the rows any (match) filter matches.
	filterByValueOptions struct {
		Type    string        `json:"type"`
		Match   string        `json:"match"`
		Filters []valueFilter `json:"filters"`
	}
	valueFilter struct {
		FieldName string                  `json:"fieldName"`
		Config    dashboard.MatcherConfig `json:"config"`
	}
)

// organize hides and renames table columns (by display name).
func organize(hide []string, rename map[string]string) dashboard.DataTransformerConfig {
	exclude := map[string]bool{}
	for _, h := range hide {
		exclude[h] = true
	}
	return transformation("organize", organizeOptions{ExcludeByName: exclude, RenameByName: rename})
}

// transformation wraps a transformation's options for the SDK.
func transformation(id string, options any) dashboard.DataTransformerConfig {
	return dashboard.DataTransformerConfig{Id: id, Options: options}
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
