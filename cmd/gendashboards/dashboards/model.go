// Package dashboards builds the Kuma dashboards shipped in the plugin. Every
// dashboard is generated here, from shared panel and PromQL helpers, so that a fix
// to how one regime is queried lands in every panel at once; cmd/gendashboards
// writes the result to dashboards/*.json.
package dashboards

// The JSON model below is the subset of Grafana's dashboard schema the dashboards use.
// Plain structs keep the generated files stable and reviewable.

// Dashboard is one Grafana dashboard.
type Dashboard struct {
	UID           string      `json:"uid"`
	Title         string      `json:"title"`
	Description   string      `json:"description"`
	Tags          []string    `json:"tags"`
	Editable      bool        `json:"editable"`
	GraphTooltip  int         `json:"graphTooltip"`
	SchemaVersion int         `json:"schemaVersion"`
	Version       int         `json:"version"`
	Refresh       string      `json:"refresh"`
	Time          TimeRange   `json:"time"`
	Timezone      string      `json:"timezone"`
	Links         []Link      `json:"links"`
	Templating    Templating  `json:"templating"`
	Annotations   Annotations `json:"annotations"`
	Panels        []*Panel    `json:"panels"`
}

// TimeRange is the default time range.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Annotations is kept empty; Grafana adds its built-in one on load.
type Annotations struct {
	List []any `json:"list"`
}

// Templating holds the variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Link is a dashboard link (top right of the dashboard).
type Link struct {
	Type        string   `json:"type"`
	Title       string   `json:"title"`
	URL         string   `json:"url"`
	Icon        string   `json:"icon"`
	Tooltip     string   `json:"tooltip"`
	KeepTime    bool     `json:"keepTime"`
	IncludeVars bool     `json:"includeVars"`
	Tags        []string `json:"tags"`
}

// DataSourceRef points at a data source; UID is always a variable here.
type DataSourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a template variable.
type Variable struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	Description string         `json:"description,omitempty"`
	Datasource  *DataSourceRef `json:"datasource,omitempty"`
	// Query is a plugin id for datasource variables and this data source's query
	// model (a JSON object) for query variables.
	Query      any    `json:"query"`
	Definition string `json:"definition,omitempty"`
	Refresh    int    `json:"refresh"`
	Regex      string `json:"regex"`
	Sort       int    `json:"sort"`
	Multi      bool   `json:"multi"`
	IncludeAll bool   `json:"includeAll"`
	// AllValue replaces "All" with one value, sent unescaped (Grafana formats no
	// custom all value), instead of the list of every value.
	AllValue string `json:"allValue,omitempty"`
	Hide     int    `json:"hide"`
	Current  any    `json:"current"`
	Options  []any  `json:"options"`
}

// Panel is a panel or a row.
type Panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	GridPos     GridPos        `json:"gridPos"`
	Datasource  *DataSourceRef `json:"datasource,omitempty"`
	Targets     []Target       `json:"targets,omitempty"`
	FieldConfig *FieldConfig   `json:"fieldConfig,omitempty"`
	Options     map[string]any `json:"options,omitempty"`
	// Transformations reshape query results (only tables use them here).
	Transformations []any `json:"transformations,omitempty"`
	Collapsed       *bool `json:"collapsed,omitempty"`
	// RowPanels is a row's own panel list: empty for an expanded row, whose panels
	// follow it on the grid; a collapsed row holds its panels here.
	RowPanels *[]*Panel `json:"panels,omitempty"`
}

// GridPos places a panel on the 24-column grid.
type GridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// FieldConfig carries the unit and display defaults of a panel.
type FieldConfig struct {
	Defaults  FieldDefaults `json:"defaults"`
	Overrides []any         `json:"overrides"`
}

// FieldDefaults are the field defaults the dashboards set.
type FieldDefaults struct {
	Unit       string         `json:"unit"`
	Custom     map[string]any `json:"custom,omitempty"`
	Thresholds *Thresholds    `json:"thresholds,omitempty"`
}

// Thresholds colour stats and gauges.
type Thresholds struct {
	Mode  string      `json:"mode"`
	Steps []Threshold `json:"steps"`
}

// Threshold is one step; Value nil is the base.
type Threshold struct {
	Color string   `json:"color"`
	Value *float64 `json:"value"`
}

// Target is one query of a panel: PromQL for Prometheus panels, a query model for
// panels on this data source.
type Target struct {
	RefID        string         `json:"refId"`
	Datasource   *DataSourceRef `json:"datasource"`
	Expr         string         `json:"expr,omitempty"`
	LegendFormat string         `json:"legendFormat,omitempty"`
	Instant      bool           `json:"instant,omitempty"`
	Range        *bool          `json:"range,omitempty"`
	// Format is Prometheus' result format ("table") or service-stats' format
	// ("instant" | "timeseries"): both query models name it format.
	Format string `json:"format,omitempty"`
	// Kuma query model fields (docs/architecture.md).
	QueryType    string `json:"queryType,omitempty"`
	Mesh         string `json:"mesh,omitempty"`
	Zone         string `json:"zone,omitempty"`
	Service      string `json:"service,omitempty"`
	RateInterval string `json:"rateInterval,omitempty"`
	ZoneSide     string `json:"zoneSide,omitempty"`
	// service-stats: one row per service or edge, and which stats.
	Scope string   `json:"scope,omitempty"`
	Stats []string `json:"stats,omitempty"`

	// core is Expr without the fallback that turns omitted counters into zeros; tests
	// evaluate it to prove the panel reads real series, not only the fallback.
	core string
}

// Core is the expression without its zero fallback (Expr when there is none).
func (t Target) Core() string {
	if t.core != "" {
		return t.core
	}
	return t.Expr
}
