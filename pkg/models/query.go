package models

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// Query types. The names of the community plugin (kumahq/kuma-grafana-datasource v0.1.1) are kept.
const (
	QueryTypeMeshes     = "meshes"
	QueryTypeZones      = "zones"
	QueryTypeServices   = "services"
	QueryTypeDataplanes = "dataplanes"
	// QueryTypeWorkloads lists the kuma.io/workload values behind a service (Kuma 3.0):
	// what its proxies' metrics are labelled with.
	QueryTypeWorkloads    = "workloads"
	QueryTypeGateways     = "gateways"
	QueryTypeMeshInsights = "mesh-insights"
	QueryTypeMeshGraph    = "mesh-graph"
	// QueryTypeServiceStats is the map's numbers as data-plane frames Grafana alerting
	// accepts (node-graph frames it refuses).
	QueryTypeServiceStats = "service-stats"
	// QueryTypeCallees lists the services a service calls on the map: a destination
	// variable narrowed to what its source sends to.
	QueryTypeCallees = "callees"
)

// QueryTypes lists every query type the backend answers, in the order editors show them.
var QueryTypes = []string{
	QueryTypeMeshGraph, QueryTypeServiceStats, QueryTypeMeshes, QueryTypeZones, QueryTypeServices,
	QueryTypeDataplanes, QueryTypeWorkloads, QueryTypeCallees, QueryTypeGateways, QueryTypeMeshInsights,
}

// DefaultRollupRegEx folds Kubernetes `<svc>_<ns>_svc_<port>` names onto one service, as the
// community plugin did.
const DefaultRollupRegEx = `(.*)(_svc(_[0-9]+)?)`

// Zone sides: which end of a request the service map's zone filter selects.
const (
	ZoneSideSource      = "source"
	ZoneSideDestination = "destination"
	ZoneSideAny         = "any"
)

// ZoneSides lists them, the default first.
var ZoneSides = []string{ZoneSideSource, ZoneSideDestination, ZoneSideAny}

// Scopes of a service-stats query: one row per service (map node) or per edge.
const (
	ScopeService = "service"
	ScopeEdge    = "edge"
)

// Scopes lists them, the default first.
var Scopes = []string{ScopeService, ScopeEdge}

// The stats a service-stats query may ask for: the map's numbers under the names alert
// rules and their labels carry.
const (
	StatRPS              = "rps"
	StatErrorRatio       = "error_ratio"
	StatP50              = "p50"
	StatP95              = "p95"
	StatP99              = "p99"
	StatDataplanesOnline = "dataplanes_online"
	StatDataplanesTotal  = "dataplanes_total"
)

// trafficStats come from Prometheus and exist per service, per edge and over time; the
// dataplane counts are the CP's, per service, now only.
var (
	trafficStats   = []string{StatRPS, StatErrorRatio, StatP50, StatP95, StatP99}
	dataplaneStats = []string{StatDataplanesOnline, StatDataplanesTotal}
)

// Stats lists every stat, in the order answers list them.
var Stats = append(slices.Clone(trafficStats), dataplaneStats...)

// Formats of a service-stats query: instant (numbers now, what alert rules evaluate) or
// a time series per entity and stat.
const (
	FormatInstant    = "instant"
	FormatTimeSeries = "timeseries"
)

// Focus directions: what a focused service calls, its callers, or both.
const (
	DirectionOut  = "out"
	DirectionIn   = "in"
	DirectionBoth = "both"
)

// Directions lists them, the default first.
var Directions = []string{DirectionBoth, DirectionOut, DirectionIn}

// MaxDepth bounds a focus' hops: beyond a few the focus is the whole mesh.
const MaxDepth = 10

// DefaultMaxNodes is the number of nodes Grafana's node graph shows before it cuts.
const DefaultMaxNodes = 200

// maxFieldLength bounds user-supplied strings; longer values are typos or abuse, never names.
const maxFieldLength = 1024

// maxZones bounds the zones of one query: every zone becomes a PromQL alternative.
const maxZones = 256

// Query is the JSON model of one query.
type Query struct {
	QueryType string `json:"queryType"`
	Mesh      string `json:"mesh"`
	// Zone is the community plugin's field: a regular expression over zone names, anchored
	// like PromQL's =~. A literal name joins Zones when loaded; a pattern is in ZonePattern,
	// to be resolved against the CP's zones.
	Zone         string   `json:"zone"`
	Zones        []string `json:"zones"`
	Service      string   `json:"service"`
	ServiceRegex string   `json:"serviceRegex"`
	HideIdle     bool     `json:"hideIdle"`
	RollupRegEx  string   `json:"rollupRegEx"`
	MaxNodes     int      `json:"maxNodes"`
	GroupByZone  bool     `json:"groupByZone"`
	// ZoneSide says whether the zones select the requests' sources (the proxies that
	// report them), their destinations or either; empty means source.
	ZoneSide string `json:"zoneSide"`
	// ShowZoneProxies draws cross-zone and external traffic through the zone ingresses
	// and egresses that carry it (the map only).
	ShowZoneProxies bool   `json:"showZoneProxies"`
	RateInterval    string `json:"rateInterval"`
	// Focus narrows the join to one service (its map name) and what lies within Depth
	// hops of it in Direction.
	Focus     string `json:"focus"`
	Depth     int    `json:"depth"`
	Direction string `json:"direction"`

	// service-stats: Scope (service | edge), Stats (a subset of Stats, empty: every stat
	// the scope and format have) and Format (instant | timeseries).
	Scope       string   `json:"scope"`
	StatsWanted []string `json:"stats"`
	Format      string   `json:"format"`

	// The health fields replace the data source's thresholds for this query (the map's
	// colours); Health applies them.
	healthOverrides

	// Compiled once when loaded: ZonePattern (the community zone field when it is a
	// pattern), ServicePattern (serviceRegex, nil when empty) and Rollup (rollupRegEx).
	ZonePattern    *regexp.Regexp    `json:"-"`
	ServicePattern *regexp.Regexp    `json:"-"`
	Rollup         naming.Normaliser `json:"-"`
}

// NeedsMesh reports whether the query type is scoped to one mesh.
func NeedsMesh(queryType string) bool {
	switch queryType {
	case QueryTypeMeshes, QueryTypeZones:
		return false
	}
	return true
}

// FiltersZones reports whether the query type narrows its answer to the query's zones.
func FiltersZones(queryType string) bool {
	switch queryType {
	case QueryTypeServices, QueryTypeDataplanes, QueryTypeMeshGraph, QueryTypeServiceStats, QueryTypeCallees:
		return true
	}
	return false
}

// LoadQuery decodes and validates one query as Grafana delivers it; scrapeInterval is the
// data source's, from which $__rate_interval is derived. This is the one place that
// decides a query's type: the SDK's field (Grafana copies the JSON's `queryType` there),
// else the JSON body, else meshes — Grafana sends the field empty for a query whose JSON
// has none (written by hand, provisioned, or kept when a panel changes data source).
func LoadQuery(dq backend.DataQuery, scrapeInterval time.Duration) (Query, error) {
	var q Query
	if err := json.Unmarshal(dq.JSON, &q); err != nil {
		return Query{}, fmt.Errorf("malformed query JSON: %w", err)
	}
	if dq.QueryType != "" {
		q.QueryType = dq.QueryType
	}
	if q.QueryType == "" {
		q.QueryType = QueryTypeMeshes
	}
	q.RateInterval = resolveMacros(q.RateInterval, newMacros(dq, scrapeInterval))
	if !knownQueryType(q.QueryType) {
		return Query{}, fmt.Errorf("unknown query type %q: use one of %s", q.QueryType, strings.Join(QueryTypes, ", "))
	}
	q.Mesh = strings.TrimSpace(q.Mesh)
	if NeedsMesh(q.QueryType) && q.Mesh == "" {
		return Query{}, fmt.Errorf("query type %q needs a mesh", q.QueryType)
	}
	if q.QueryType == QueryTypeCallees && strings.TrimSpace(q.Service) == "" {
		return Query{}, fmt.Errorf("query type %q needs a service (its name on the map)", q.QueryType)
	}
	q.Zones = dropEmpty(q.Zones)
	if q.MaxNodes <= 0 {
		q.MaxNodes = DefaultMaxNodes
	}
	if IsJoin(q.QueryType) && q.RollupRegEx == "" {
		q.RollupRegEx = DefaultRollupRegEx
	}
	if q.ZoneSide = strings.TrimSpace(q.ZoneSide); IsJoin(q.QueryType) && q.ZoneSide == "" {
		q.ZoneSide = ZoneSideSource
	}
	q.Focus, q.Direction = strings.TrimSpace(q.Focus), strings.TrimSpace(q.Direction)
	if IsJoin(q.QueryType) && q.Focus != "" {
		q.Depth = cmp.Or(q.Depth, 1)
		q.Direction = cmp.Or(q.Direction, DirectionBoth)
	}
	if q.QueryType == QueryTypeServiceStats {
		if err := q.loadServiceStats(); err != nil {
			return Query{}, err
		}
	}
	if err := q.validate(); err != nil {
		return Query{}, err
	}
	if err := q.compile(); err != nil {
		return Query{}, err
	}
	return q, nil
}

// Health is the data source's health thresholds with the query's overrides; the error
// (a bad value, or degraded above failing) is the user's.
func (q Query) Health(base Health) (Health, error) { return q.healthOverrides.Over(base) }

// IsJoin reports the query types answered by the service map's join, with its defaults.
func IsJoin(queryType string) bool {
	return queryType == QueryTypeMeshGraph || queryType == QueryTypeServiceStats || queryType == QueryTypeCallees
}

// loadServiceStats defaults and validates scope, stats and format. Dataplane counts are
// per service and have no history in the CP: asking for them per edge or over time is
// an error, not an empty answer.
func (q *Query) loadServiceStats() error {
	q.Scope, q.Format = strings.TrimSpace(q.Scope), strings.TrimSpace(q.Format)
	if q.Scope == "" {
		q.Scope = ScopeService
	}
	if q.Format == "" {
		q.Format = FormatInstant
	}
	if !slices.Contains(Scopes, q.Scope) {
		return fmt.Errorf("unknown scope %q: use one of %s", q.Scope, strings.Join(Scopes, ", "))
	}
	if q.Format != FormatInstant && q.Format != FormatTimeSeries {
		return fmt.Errorf("unknown format %q: use %s or %s", q.Format, FormatInstant, FormatTimeSeries)
	}
	countsAllowed := q.Scope == ScopeService && q.Format == FormatInstant
	wanted := dropEmpty(q.StatsWanted)
	if len(wanted) == 0 {
		wanted = trafficStats
		if countsAllowed {
			wanted = Stats
		}
	}
	q.StatsWanted = nil
	for _, s := range Stats { // in the one order answers use
		if slices.Contains(wanted, s) {
			q.StatsWanted = append(q.StatsWanted, s)
		}
	}
	for _, s := range wanted {
		switch {
		case !slices.Contains(Stats, s):
			return fmt.Errorf("unknown stat %q: use some of %s", s, strings.Join(Stats, ", "))
		case slices.Contains(dataplaneStats, s) && q.Scope == ScopeEdge:
			return fmt.Errorf("stat %q is a service's, not an edge's", s)
		case slices.Contains(dataplaneStats, s) && q.Format == FormatTimeSeries:
			return fmt.Errorf("stat %q has no history in the control plane: use format %q", s, FormatInstant)
		}
	}
	return nil
}

// loadZone reads the community `zone` field: a plain name joins Zones at once, a pattern
// waits for the CP's zone names (ResolveZones).
func (q *Query) loadZone() error {
	zone := strings.TrimSpace(q.Zone)
	switch {
	case zone == "":
		return nil
	case regexp.QuoteMeta(zone) == zone:
		if !slices.Contains(q.Zones, zone) {
			q.Zones = append(q.Zones, zone)
		}
		return nil
	}
	re, err := regexp.Compile("^(?:" + zone + ")$")
	if err != nil {
		return fmt.Errorf("zone %q is not a valid regular expression: %w", zone, err)
	}
	q.ZonePattern = re
	return nil
}

// ResolveZones turns the zone pattern into the names of the CP's zones it matches, added
// to Zones, so that only literal names ever reach PromQL or a filter. As with PromQL's
// =~, a pattern that matches the empty string (.*) also matches what has no zone: no
// zone filter at all. A pattern matching no zone is an error: an empty zone list would
// mean every zone.
func (q *Query) ResolveZones(known []string) error {
	if q.ZonePattern == nil {
		return nil
	}
	defer func() { q.ZonePattern = nil }()
	if q.ZonePattern.MatchString("") {
		q.Zones = nil
		return nil
	}
	matched := false
	for _, z := range known {
		if q.ZonePattern.MatchString(z) {
			matched = true
			if !slices.Contains(q.Zones, z) {
				q.Zones = append(q.Zones, z)
			}
		}
	}
	if !matched {
		return fmt.Errorf("zone %q matches none of the control plane's zones (%s)", q.Zone, listSome(known, 10))
	}
	if len(q.Zones) > maxZones {
		return fmt.Errorf("zone %q matches %d zones, at most %d", q.Zone, len(q.Zones), maxZones)
	}
	return nil
}

func listSome(names []string, n int) string {
	if len(names) == 0 {
		return "it has none"
	}
	if len(names) > n {
		return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
	}
	return strings.Join(names, ", ")
}

func (q Query) validate() error {
	for name, v := range map[string]string{"mesh": q.Mesh, "zone": q.Zone, "service": q.Service, "serviceRegex": q.ServiceRegex, "rollupRegEx": q.RollupRegEx, "rateInterval": q.RateInterval, "focus": q.Focus} {
		if len(v) > maxFieldLength {
			return fmt.Errorf("%s is longer than %d characters", name, maxFieldLength)
		}
	}
	literals := [][2]string{{"mesh", q.Mesh}, {"service", q.Service}, {"rateInterval", q.RateInterval}, {"zoneSide", q.ZoneSide}, {"scope", q.Scope}, {"format", q.Format}, {"focus", q.Focus}, {"direction", q.Direction}}
	for _, z := range q.Zones {
		literals = append(literals, [2]string{"zones", z})
	}
	for _, f := range literals {
		if err := uninterpolated(f[0], f[1]); err != nil {
			return err
		}
	}
	if q.Direction != "" && !slices.Contains(Directions, q.Direction) {
		return fmt.Errorf("unknown direction %q: use one of %s", q.Direction, strings.Join(Directions, ", "))
	}
	if q.Depth < 0 || q.Depth > MaxDepth {
		return fmt.Errorf("depth %d: use 1 to %d hops", q.Depth, MaxDepth)
	}
	if q.ShowZoneProxies && q.QueryType != QueryTypeMeshGraph {
		return fmt.Errorf("showZoneProxies is an option of the %q query, not of %q", QueryTypeMeshGraph, q.QueryType)
	}
	if q.ZoneSide != "" && !slices.Contains(ZoneSides, q.ZoneSide) {
		return fmt.Errorf("unknown zoneSide %q: use one of %s", q.ZoneSide, strings.Join(ZoneSides, ", "))
	}
	if len(q.Zones) > maxZones {
		return fmt.Errorf("%d zones given, at most %d", len(q.Zones), maxZones)
	}
	for _, z := range q.Zones {
		if len(z) > maxFieldLength {
			return fmt.Errorf("zone is longer than %d characters", maxFieldLength)
		}
	}
	if _, err := q.StatsWindow(); err != nil {
		return err
	}
	// Ranges are checked now; the order of degraded and failing once merged with the
	// data source's (Health).
	return q.healthOverrides.validate()
}

// compile compiles the user's regular expressions once, so that nothing later can fail
// on them.
func (q *Query) compile() error {
	if q.ServiceRegex != "" {
		re, err := regexp.Compile(q.ServiceRegex)
		if err != nil {
			return fmt.Errorf("serviceRegex is not a valid regular expression: %w", err)
		}
		q.ServicePattern = re
	}
	rollup, err := naming.NewNormaliser(q.RollupRegEx)
	if err != nil {
		return fmt.Errorf("rollupRegEx is not a valid rollup expression: %w", err)
	}
	q.Rollup = rollup
	return q.loadZone()
}

// StatsWindow is the optional rateInterval as a duration (0 when unset): the map then
// covers only that much time before the range's end instead of the whole range.
func (q Query) StatsWindow() (time.Duration, error) {
	if q.RateInterval == "" {
		return 0, nil
	}
	d, err := model.ParseDuration(q.RateInterval)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("rateInterval %q is not a duration such as 5m or 1h", q.RateInterval)
	}
	return time.Duration(d), nil
}

func knownQueryType(t string) bool { return slices.Contains(QueryTypes, t) }

func dropEmpty(list []string) []string {
	out := list[:0]
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
