// Package dashboards builds the Kuma dashboards shipped in the plugin. Every
// dashboard is generated here, from shared panel and PromQL helpers, so that a fix
// to how one regime is queried lands in every panel at once; cmd/gendashboards
// writes the result to dashboards/*.json. Dashboards, rows, panels, Prometheus
// targets, variables, links, thresholds and overrides are Grafana's foundation SDK
// types (github.com/grafana/grafana-foundation-sdk/go); this package only adds what
// the SDK cannot express (docs/dashboards.md).
package dashboards

import (
	"reflect"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// Target is one query of a panel before the panel names it: Prometheus' query model
// (the SDK's) or this data source's (Query, ours).
type Target interface {
	cog.Builder[variants.Dataquery]
	// named sets the query's refId.
	named(refID string) Target
	// dataSource is the data source the query goes to.
	dataSource() common.DataSourceRef
}

// PromQuery is the SDK's Prometheus query with, for the tests, its expression without
// the fallback that turns omitted counters into zeros (core, not serialized): they
// evaluate it to prove the panel reads real series, not only the fallback.
type PromQuery struct {
	prometheus.Dataquery
	core string
}

// Core is the expression without its zero fallback (Expr when there is none).
func (q PromQuery) Core() string {
	if q.core != "" {
		return q.core
	}
	return q.Expr
}

// Build hands the query to the SDK's panel builders as it is, core included.
func (q PromQuery) Build() (variants.Dataquery, error) { return q, nil }

// Equals compares the Prometheus query and the core.
func (q PromQuery) Equals(other variants.Dataquery) bool {
	o, ok := other.(PromQuery)
	return ok && q.core == o.core && q.Dataquery.Equals(o.Dataquery)
}

func (q PromQuery) named(refID string) Target {
	q.RefId = &refID
	return q
}

func (q PromQuery) dataSource() common.DataSourceRef { return promDS }

// Query is this data source's query model (docs/architecture.md): for panel targets
// and, as a JSON object, for query variables. The SDK models Grafana's own data
// sources' queries only; a plugin's is a cog/variants.Dataquery of its own.
type Query struct {
	RefID      string                `json:"refId"`
	Datasource *common.DataSourceRef `json:"datasource,omitempty"`
	QueryType  string                `json:"queryType"`
	Mesh       string                `json:"mesh,omitempty"`
	Zone       string                `json:"zone,omitempty"`
	Service    string                `json:"service,omitempty"`
	// RateInterval and ZoneSide: the service map's and service-stats' join.
	RateInterval string `json:"rateInterval,omitempty"`
	ZoneSide     string `json:"zoneSide,omitempty"`
	// service-stats: one row per service or edge, which stats, and the frame format
	// ("instant" | "timeseries").
	Scope  string   `json:"scope,omitempty"`
	Stats  []string `json:"stats,omitempty"`
	Format string   `json:"format,omitempty"`
}

// ImplementsDataqueryVariant makes Query a target of the SDK's panels.
func (Query) ImplementsDataqueryVariant() {}

// DataqueryType is this data source's plugin id.
func (Query) DataqueryType() string { return PluginID }

// Validate accepts every Query: the backend is the one judge of a query model
// (pkg/models), and the dashboards' tests send every query to it.
func (Query) Validate() error { return nil }

// Equals compares two of this data source's queries.
func (q Query) Equals(other variants.Dataquery) bool {
	o, ok := other.(Query)
	return ok && reflect.DeepEqual(q, o)
}

// Build hands the query to the SDK's panel builders.
func (q Query) Build() (variants.Dataquery, error) { return q, nil }

func (q Query) named(refID string) Target {
	q.RefID = refID
	return q
}

func (q Query) dataSource() common.DataSourceRef { return kumaDS }
