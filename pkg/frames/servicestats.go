package frames

import (
	"cmp"
	"regexp"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// dataplaneVersion is the data-plane contract's version our typed frames follow; alerting
// reads a frame as data-plane only when its type and a version above 0.0 are set.
var dataplaneVersion = data.FrameTypeVersion{0, 1}

// StatsSpec says what a service-stats answer holds.
type StatsSpec struct {
	Mesh string
	// Scope is models.ScopeService (one entity per node) or models.ScopeEdge.
	Scope string
	// Stats are models' stat names, in the order answers list them.
	Stats []string
	// Services keeps the services matching it (an edge when either end does); nil keeps
	// all. The map keeps their direct peers too, for context; stats are about the
	// services asked for.
	Services *regexp.Regexp
}

// statEntity is one service (node) or edge of the map: its labels and numbers.
type statEntity struct {
	labels     data.Labels
	stats      graph.Stats
	dataplanes graph.Dataplanes
}

// statValue is the map's number for one stat: the same fields the node graph shows.
// A quantile without observations has no value (no row, a gap in a series).
func statValue(stat string, e statEntity) (float64, bool) {
	lat := e.stats.Latency
	switch stat {
	case models.StatRPS:
		return e.stats.RequestRate, true
	case models.StatErrorRatio:
		return e.stats.ErrorRatio, true
	case models.StatP50:
		return lat.P50, lat.Known
	case models.StatP95:
		return lat.P95, lat.Known
	case models.StatP99:
		return lat.P99, lat.Known
	case models.StatDataplanesOnline:
		return float64(e.dataplanes.Online), true
	case models.StatDataplanesTotal:
		return float64(e.dataplanes.Total), true
	}
	return 0, false
}

// statUnits are Grafana's units of the stats, for the series a panel draws.
var statUnits = map[string]string{
	models.StatRPS: "reqps", models.StatErrorRatio: "percentunit",
	models.StatP50: "ms", models.StatP95: "ms", models.StatP99: "ms",
	models.StatDataplanesOnline: "none", models.StatDataplanesTotal: "none",
}

// labelNames are the string columns of an instant answer, the labels of its series.
func labelNames(scope string) []string {
	if scope == models.ScopeEdge {
		return []string{"mesh", "zone", "service", "peer", "peer_zone"}
	}
	return []string{"mesh", "zone", "service"}
}

// statEntities lists the map's services or edges the spec asks for, labelled by what
// makes them one: a node's name and zone (its id is name or name@zone), an edge's ends.
func statEntities(g graph.Graph, spec StatsSpec) []statEntity {
	keep := func(name string) bool { return spec.Services == nil || spec.Services.MatchString(name) }
	var out []statEntity
	if spec.Scope != models.ScopeEdge {
		for _, n := range g.Nodes {
			if n.Kind == graph.KindOther || !keep(n.Name) {
				continue
			}
			out = append(out, statEntity{labels: data.Labels{"mesh": spec.Mesh, "zone": linkZone(n), "service": n.Name},
				stats: n.Stats, dataplanes: n.Dataplanes})
		}
		return out
	}
	nodes := make(map[string]graph.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	for _, e := range g.Edges {
		src, dst := nodes[e.Source], nodes[e.Target]
		if src.Kind == graph.KindOther || dst.Kind == graph.KindOther || !(keep(src.Name) || keep(dst.Name)) {
			continue
		}
		out = append(out, statEntity{labels: data.Labels{"mesh": spec.Mesh, "zone": linkZone(src), "service": src.Name,
			"peer": dst.Name, "peer_zone": linkZone(dst)}, stats: e.Stats})
	}
	return out
}

// ServiceStats is the instant answer: a numeric-long frame, one row per (service or
// edge, stat) with the labels as string columns and one number. Grafana's alerting
// turns each row of a numeric-long frame into one instance labelled by its string
// columns, so a rule gets one instance per service (or edge) and stat.
func ServiceStats(g graph.Graph, spec StatsSpec) *data.Frame {
	names := labelNames(spec.Scope)
	columns := make([][]string, len(names))
	var stats []string
	var values []float64
	for _, e := range statEntities(g, spec) {
		for _, stat := range spec.Stats {
			v, ok := statValue(stat, e)
			if !ok {
				continue
			}
			for i, name := range names {
				columns[i] = append(columns[i], e.labels[name])
			}
			stats, values = append(stats, stat), append(values, v)
		}
	}
	frame := data.NewFrame("service-stats")
	for i, name := range names {
		frame.Fields = append(frame.Fields, data.NewField(name, nil, nonNil(columns[i])))
	}
	frame.Fields = append(frame.Fields, data.NewField("stat", nil, nonNil(stats)), data.NewField("value", nil, nonNil(values)))
	frame.Meta = &data.FrameMeta{Type: data.FrameTypeNumericLong, TypeVersion: dataplaneVersion, Notices: notices(g.Notices)}
	return frame
}

// nonNil keeps an empty column a column of length 0 rather than a nil vector.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// TimedGraph is the map at one point in time.
type TimedGraph struct {
	Time  time.Time
	Graph graph.Graph
}

// ServiceStatsSeries is the range answer: timeseries-multi, one frame per (service or
// edge, stat), a point per map in points (sorted by time); a time at which the entity is
// missing or its quantile unknown is a gap. Notices go on the first frame, once.
func ServiceStatsSeries(points []TimedGraph, spec StatsSpec) data.Frames {
	type key struct{ entity, stat string }
	type series struct {
		labels data.Labels
		stat   string
		values []*float64
	}
	index := map[key]*series{}
	var order []*series
	times := make([]time.Time, len(points))
	for i, p := range points {
		times[i] = p.Time
		for _, e := range statEntities(p.Graph, spec) {
			for _, stat := range spec.Stats {
				v, ok := statValue(stat, e)
				if !ok {
					continue
				}
				k := key{e.labels.String(), stat}
				s := index[k]
				if s == nil {
					s = &series{labels: e.labels, stat: stat, values: make([]*float64, len(points))}
					index[k], order = s, append(order, s)
				}
				s.values[i] = &v
			}
		}
	}
	slices.SortStableFunc(order, func(a, b *series) int {
		if c := compareLabels(a.labels, b.labels); c != 0 {
			return c
		}
		return slices.Index(spec.Stats, a.stat) - slices.Index(spec.Stats, b.stat)
	})
	out := make(data.Frames, 0, len(order))
	for _, s := range order {
		labels := s.labels.Copy()
		labels["stat"] = s.stat
		value := data.NewField("value", labels, s.values)
		value.Config = &data.FieldConfig{Unit: statUnits[s.stat], DisplayNameFromDS: seriesName(s.labels, s.stat)}
		frame := data.NewFrame("service-stats", data.NewField("time", nil, slices.Clone(times)), value)
		frame.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: dataplaneVersion}
		out = append(out, frame)
	}
	if len(out) == 0 {
		// No entity is an empty typed answer, which alerting reads as no data.
		frame := data.NewFrame("service-stats", data.NewField("time", nil, []time.Time{}), data.NewField("value", nil, []*float64{}))
		frame.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: dataplaneVersion}
		out = append(out, frame)
	}
	if len(points) > 0 {
		out[0].Meta.Notices = notices(points[len(points)-1].Graph.Notices)
	}
	return out
}

func compareLabels(a, b data.Labels) int {
	for _, name := range []string{"zone", "service", "peer", "peer_zone"} {
		if c := cmp.Compare(a[name], b[name]); c != 0 {
			return c
		}
	}
	return 0
}

// seriesName is a series' legend: "backend p99", "frontend → backend rps", with
// "@zone" where the entity is one zone of a service.
func seriesName(l data.Labels, stat string) string {
	at := func(name, zone string) string {
		if zone == "" {
			return name
		}
		return name + "@" + zone
	}
	name := at(l["service"], l["zone"])
	if peer := l["peer"]; peer != "" {
		name += " → " + at(peer, l["peer_zone"])
	}
	return name + " " + stat
}
