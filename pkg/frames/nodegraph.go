package frames

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// Dashboards the map links to.
const (
	ServiceDashboardUID          = "kumads-service"
	ServiceToServiceDashboardUID = "kumads-service-to-service"
)

// LinkOptions say where nodes and edges link to, and by which thresholds they are
// coloured.
type LinkOptions struct {
	// Mesh is passed to the dashboards as var-mesh.
	Mesh string
	// ServiceDashboardUID and EdgeDashboardUID default to the bundled
	// dashboards.
	ServiceDashboardUID string
	EdgeDashboardUID    string
	// Data says which traces and logs data sources nodes and edges link to (none
	// when their uids are empty).
	Data models.Links
	// Health colours nodes and edges; zero means models.DefaultHealth.
	Health models.Health
}

// NodeGraph renders a service map as Grafana's node-graph frames "nodes"
// and "edges". Notices go on the nodes frame, once.
func NodeGraph(g graph.Graph, links LinkOptions) data.Frames {
	nodes := nodeGraphFrame("nodes", pointers(g.Nodes), nodeFields(g, links))
	nodes.Meta.Notices = notices(g.Notices)
	edges := nodeGraphFrame("edges", pointers(g.Edges), edgeFields(g, links))
	return data.Frames{nodes, edges}
}

// pointers lets the columns read the rows in place: a node or an edge is a few hundred
// bytes, and every column reads every row.
func pointers[T any](rows []T) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

func number[T any](name, display, unit string, v func(T) float64) column[T] {
	return column[T]{name: name, display: display, unit: unit, values: valuesOf(v)}
}

// latency is a nullable millisecond field: no observations is no value,
// not zero.
func latency[T any](name, display string, v func(T) graph.Latency, q func(graph.Latency) float64) column[T] {
	return column[T]{name: name, display: display, unit: "ms", values: func(rows []T) any {
		ms, out := make([]float64, len(rows)), make([]*float64, len(rows))
		for i := range rows {
			if l := v(rows[i]); l.Known {
				ms[i] = q(l)
				out[i] = &ms[i]
			}
		}
		return out
	}}
}

func nodeGraphFrame[T any](name string, rows []T, columns []column[T]) *data.Frame {
	return newFrame(name, data.VisTypeNodeGraph, rows, columns)
}

func nodeFields(g graph.Graph, links LinkOptions) []column[*graph.Node] {
	health := cmp.Or(links.Health, models.DefaultHealth)
	lat := func(n *graph.Node) graph.Latency { return n.Stats.Latency }
	id := textColumn("id", "ID", func(n *graph.Node) string { return n.ID })
	id.links = []data.DataLink{{
		Title: "Service dashboard",
		URL: dashboardURL(links.ServiceDashboardUID, ServiceDashboardUID, links.Mesh,
			"var-service=${__data.fields.title:percentencode}", "var-zone=${__data.fields.detail__zone:percentencode}"),
	}}
	linkFields, dataLinks := nodeLinkFields(links.Data)
	id.links = append(id.links, dataLinks...)
	return append([]column[*graph.Node]{
		id,
		textColumn("title", "Service", func(n *graph.Node) string { return n.Name }),
		textColumn("subtitle", "Kind", subtitle),
		textColumn("mainstat", "Traffic", func(n *graph.Node) string { return traffic(n.Stats) }),
		number("secondarystat", "Errors", "percent", func(n *graph.Node) float64 { return 100 * n.Stats.ErrorRatio }),
		// Grafana draws a node's ring from its arc fields and reads the color field only
		// when every arc is zero, so the ring itself carries the verdict: one full arc.
		arc(healthy, health), arc(degraded, health), arc(failing, health), arc(idle, health),
		textColumn("detail__status", "Status", func(n *graph.Node) string { return strings.ReplaceAll(string(n.Status), "_", " ") }),
		number("detail__dataplanes_online", "Dataplanes online", "none", func(n *graph.Node) float64 { return float64(n.Dataplanes.Online) }),
		number("detail__dataplanes_offline", "Dataplanes offline", "none", func(n *graph.Node) float64 { return float64(n.Dataplanes.Offline) }),
		number("detail__dataplanes_total", "Dataplanes", "none", func(n *graph.Node) float64 { return float64(n.Dataplanes.Total) }),
		textColumn("detail__protocol", "Protocol", func(n *graph.Node) string { return n.Protocol }),
		textColumn("detail__zones", "Zones", func(n *graph.Node) string { return strings.Join(n.Zones, ", ") }),
		textColumn("detail__zone", "Zone", func(n *graph.Node) string { return linkZone(*n) }),
		textColumn("detail__source_zones", "Traffic from zones", func(n *graph.Node) string { return strings.Join(n.SourceZones, ", ") }),
		number("detail__rps", "Requests", "reqps", func(n *graph.Node) float64 { return n.Stats.RequestRate }),
		number("detail__bps", "Bytes", "Bps", func(n *graph.Node) float64 { return n.Stats.ByteRate }),
		latency("detail__p50", "p50", lat, func(l graph.Latency) float64 { return l.P50 }),
		latency("detail__p95", "p95", lat, func(l graph.Latency) float64 { return l.P95 }),
		latency("detail__p99", "p99", lat, func(l graph.Latency) float64 { return l.P99 }),
		textColumn("detail__mtls", "mTLS", func(n *graph.Node) string { return nodeMTLS(*n) }),
		textColumn("detail__folded", "Folded services", func(n *graph.Node) string { return strings.Join(n.Folded, ", ") }),
		// Externals and destinations only metrics know have no proxy of ours: nothing
		// reports from inside them. Zone proxies report their own clusters.
		flagColumn("isInstrumented", "Instrumented", func(n *graph.Node) bool {
			return n.KnownToCP && n.Kind != graph.KindExternal || n.Kind.IsZoneProxy()
		}),
		number("nodeRadius", "Radius", "none", trafficScale(pointers(g.Nodes), func(n *graph.Node) graph.Stats { return n.Stats }, minNodeRadius, maxNodeRadius)),
	}, linkFields...)
}

func edgeFields(g graph.Graph, links LinkOptions) []column[*graph.Edge] {
	health := cmp.Or(links.Health, models.DefaultHealth)
	lat := func(e *graph.Edge) graph.Latency { return e.Stats.Latency }
	count := func(name, display string, v func(graph.StatusCounts) float64) column[*graph.Edge] {
		return number(name, display, "none", func(e *graph.Edge) float64 { return v(e.Stats.Requests) })
	}
	id := textColumn("id", "ID", func(e *graph.Edge) string { return e.ID })
	id.links = []data.DataLink{{
		Title: "Service to service dashboard",
		URL: dashboardURL(links.EdgeDashboardUID, ServiceToServiceDashboardUID, links.Mesh,
			"var-source=${__data.fields.detail__source:percentencode}", "var-destination=${__data.fields.detail__destination:percentencode}"),
	}}
	nodes := make(map[string]graph.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	linkFields, dataLinks := edgeLinkFields(links.Data, nodes)
	id.links = append(id.links, dataLinks...)
	thickness := trafficScale(pointers(g.Edges), func(e *graph.Edge) graph.Stats { return e.Stats }, 1, 8)
	return append([]column[*graph.Edge]{
		id,
		textColumn("source", "Source", func(e *graph.Edge) string { return e.Source }),
		textColumn("target", "Target", func(e *graph.Edge) string { return e.Target }),
		textColumn("mainstat", "Traffic", func(e *graph.Edge) string {
			if edgeMTLS(nodes, *e) == mtlsDisabled {
				return plaintextMarker + traffic(e.Stats)
			}
			return traffic(e.Stats)
		}),
		number("secondarystat", "Errors", "percent", func(e *graph.Edge) float64 { return 100 * e.Stats.ErrorRatio }),
		number("thickness", "Thickness", "none", thickness),
		textColumn("color", "Color", func(e *graph.Edge) string { return statsVerdict(e.Stats, health).color() }),
		textColumn("strokeDasharray", "Stroke", func(e *graph.Edge) string {
			if e.Stats.IsTCP() {
				return "6 3"
			}
			return ""
		}),
		textColumn("detail__source", "Source service", func(e *graph.Edge) string { return serviceOf(e.Source) }),
		textColumn("detail__destination", "Destination service", func(e *graph.Edge) string { return serviceOf(e.Target) }),
		textColumn("detail__source_zone", "Source zone", func(e *graph.Edge) string { return strings.Join(e.SourceZones, ", ") }),
		textColumn("detail__destination_zone", "Destination zone", destinationZone),
		textColumn("detail__cross_zone", "Cross-zone", func(e *graph.Edge) string { return yesNo(e.CrossZone()) }),
		number("detail__rps", "Requests", "reqps", func(e *graph.Edge) float64 { return e.Stats.RequestRate }),
		number("detail__bps", "Bytes", "Bps", func(e *graph.Edge) float64 { return e.Stats.ByteRate }),
		latency("detail__p50", "p50", lat, func(l graph.Latency) float64 { return l.P50 }),
		latency("detail__p95", "p95", lat, func(l graph.Latency) float64 { return l.P95 }),
		latency("detail__p99", "p99", lat, func(l graph.Latency) float64 { return l.P99 }),
		count("detail__2xx", "2xx", func(c graph.StatusCounts) float64 { return c.Class2xx }),
		count("detail__3xx", "3xx", func(c graph.StatusCounts) float64 { return c.Class3xx }),
		count("detail__4xx", "4xx", func(c graph.StatusCounts) float64 { return c.Class4xx }),
		count("detail__5xx", "5xx", func(c graph.StatusCounts) float64 { return c.Class5xx }),
		number("detail__grpc_failures", "gRPC failures", "none", func(e *graph.Edge) float64 { return e.Stats.GRPCFailures }),
		number("detail__connections", "Connections", "none", func(e *graph.Edge) float64 { return e.Stats.Connections }),
		textColumn("detail__mtls", "mTLS", func(e *graph.Edge) string { return edgeMTLS(nodes, *e) }),
	}, linkFields...)
}

// arc is the ring section of one verdict: 1 on the nodes that have it, 0 elsewhere.
func arc(v verdict, h models.Health) column[*graph.Node] {
	f := number("arc__"+v.name(), v.display(), "percentunit", func(n *graph.Node) float64 {
		if nodeVerdict(n, h) == v {
			return 1
		}
		return 0
	})
	f.color = v.color()
	return f
}

// idleColor greys out services without traffic.
const idleColor = "#8e8e8e"

func subtitle(n *graph.Node) string {
	kind := map[graph.Kind]string{
		graph.KindGatewayBuiltin:   "builtin gateway",
		graph.KindGatewayDelegated: "delegated gateway",
		graph.KindGateway:          "gateway",
		graph.KindExternal:         "external service",
		graph.KindMultiZone:        "multi-zone service",
		graph.KindWorkload:         "workload",
		graph.KindZoneIngress:      "zone ingress",
		graph.KindZoneEgress:       "zone egress",
	}[n.Kind]
	parts := []string{}
	switch {
	case n.Kind == graph.KindOther:
		parts = append(parts, fmt.Sprintf("%d services", len(n.Folded)))
	case kind != "":
		parts = append(parts, kind)
	case n.Namespace != "":
		parts = append(parts, n.Namespace)
	}
	switch z := linkZone(*n); {
	case z != "":
		parts = append(parts, z)
	case n.ZoneUnknown:
		parts = append(parts, fmt.Sprintf("zone unknown (%d zones)", len(n.Zones)))
	case len(n.Zones) > 1:
		parts = append(parts, fmt.Sprintf("%d zones", len(n.Zones)))
	}
	if !n.KnownToCP && n.Kind != graph.KindOther && !n.Kind.IsZoneProxy() {
		parts = append(parts, "unknown to CP")
	}
	return strings.Join(parts, " · ")
}

// linkZone is the node's one zone, if it has exactly one.
func linkZone(n graph.Node) string {
	if n.Zone != "" {
		return n.Zone
	}
	if len(n.Zones) == 1 {
		return n.Zones[0]
	}
	return ""
}

// serviceOf strips the "@zone" that zone grouping adds to node IDs.
func serviceOf(nodeID string) string {
	name, _, _ := strings.Cut(nodeID, "@")
	return name
}

// verdict is a node's or edge's health under the operator's thresholds, decided here
// alone: edge colours and node rings both show it.
type verdict int

const (
	healthy verdict = iota
	degraded
	failing
	idle
)

func (v verdict) name() string    { return [...]string{"healthy", "degraded", "failing", "idle"}[v] }
func (v verdict) display() string { return [...]string{"Healthy", "Degraded", "Failing", "Idle"}[v] }
func (v verdict) color() string   { return [...]string{"green", "orange", "red", idleColor}[v] }

// nodeVerdict adds what the CP knows to the traffic's verdict: no traffic is idle, an
// offline service fails and a partially degraded one is degraded whatever its traffic.
func nodeVerdict(n *graph.Node, h models.Health) verdict {
	switch {
	case n.Idle:
		return idle
	case n.Status == graph.StatusOffline:
		return failing
	case n.Status == graph.StatusPartiallyDegraded:
		return max(degraded, statsVerdict(n.Stats, h))
	}
	return statsVerdict(n.Stats, h)
}

// statsVerdict fails traffic at the failing error ratio and degrades it at the degraded
// ratio or at the operator's p99 threshold.
func statsVerdict(s graph.Stats, h models.Health) verdict {
	slow := h.DegradedP99Ms > 0 && s.Latency.Known && s.Latency.P99 >= h.DegradedP99Ms
	switch {
	case s.ErrorRatio >= h.FailingErrorRatio:
		return failing
	case s.ErrorRatio >= h.DegradedErrorRatio || slow:
		return degraded
	}
	return healthy
}

// destinationZone lists the zones an edge's traffic went to, "unknown" standing for the
// part whose zone cannot be told.
func destinationZone(e *graph.Edge) string {
	zones := e.DestinationZones
	if e.DestinationZoneUnknown {
		zones = append(slices.Clone(zones), "unknown")
	}
	return strings.Join(zones, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

const (
	mtlsEnabled  = "enabled"
	mtlsDisabled = "disabled"
)

// plaintextMarker starts the main stat of an edge between mesh services without mTLS:
// a glyph, the one channel no other meaning of the map uses (colour is health, dashes
// TCP, thickness traffic).
const plaintextMarker = "🔓 "

// nodeMTLS is whether the CP issued the node's proxies mesh certificates (service
// insights' issued backends; MeshServices' status.tls Ready; gateways' dataplane
// insights); nothing for what has no proxies of its own (externals, services only
// metrics know, folded groups, multi-zone services: their MeshServices' are).
func nodeMTLS(n graph.Node) string {
	switch {
	case !n.KnownToCP || n.Kind == graph.KindExternal || n.Kind == graph.KindOther || n.Kind == graph.KindMultiZone:
		return ""
	case n.MTLS:
		return mtlsEnabled
	}
	return mtlsDisabled
}

// edgeMTLS: requests between two mesh services are mTLS when both ends' proxies hold
// mesh certificates, plaintext when one does not; unknown when an end is outside the
// mesh (an external service's TLS is its own).
func edgeMTLS(nodes map[string]graph.Node, e graph.Edge) string {
	src, dst := nodeMTLS(nodes[e.Source]), nodeMTLS(nodes[e.Target])
	switch {
	case src == "" || dst == "":
		return ""
	case src == mtlsEnabled && dst == mtlsEnabled:
		return mtlsEnabled
	}
	return mtlsDisabled
}

// traffic is the main stat: requests per second, or bytes per second for
// TCP. It is text because one numeric field cannot carry both units.
func traffic(s graph.Stats) string {
	if s.IsTCP() {
		return humanBytes(s.ByteRate) + "/s"
	}
	return decimal(s.RequestRate) + " req/s"
}

// decimal shows three significant digits at most, and no exponent.
func decimal(v float64) string {
	switch {
	case v > 0 && v < 0.01:
		return strconv.FormatFloat(v, 'f', 2-int(math.Floor(math.Log10(v))), 64)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func humanBytes(v float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	i := 0
	for ; v >= 1000 && i < len(units)-1; i++ {
		v /= 1000
	}
	return decimal(v) + " " + units[i]
}

// Node radii by traffic; Grafana draws 40 by default.
const (
	minNodeRadius = 30
	maxNodeRadius = 60
)

// trafficScale sizes rows (edge thickness, node radius) from lo to hi by traffic
// relative to the busiest row of the same kind (requests for HTTP, bytes for TCP);
// the square root keeps small ones visible next to big ones.
func trafficScale[T any](rows []T, stats func(T) graph.Stats, lo, hi float64) func(T) float64 {
	var maxRPS, maxBPS float64
	for _, r := range rows {
		s := stats(r)
		maxRPS, maxBPS = max(maxRPS, s.RequestRate), max(maxBPS, s.ByteRate)
	}
	return func(r T) float64 {
		s := stats(r)
		v, top := s.RequestRate, maxRPS
		if s.IsTCP() {
			v, top = s.ByteRate, maxBPS
		}
		if top == 0 {
			return lo
		}
		return math.Round((lo+(hi-lo)*math.Sqrt(v/top))*10) / 10
	}
}

// dashboardURL links to a dashboard with the mesh and the row's values,
// keeping the panel's time range.
func dashboardURL(uid, defaultUID, mesh string, vars ...string) string {
	if uid == "" {
		uid = defaultUID
	}
	params := append([]string{"var-mesh=" + url.QueryEscape(mesh)}, vars...)
	return "/d/" + url.PathEscape(uid) + "?" + strings.Join(params, "&") + "&${__url_time_range}"
}

var severities = map[sample.Severity]data.NoticeSeverity{
	sample.SeverityInfo:    data.NoticeSeverityInfo,
	sample.SeverityWarning: data.NoticeSeverityWarning,
	sample.SeverityError:   data.NoticeSeverityError,
}

func notices(ns []sample.Notice) []data.Notice {
	var out []data.Notice
	for _, n := range ns {
		out = append(out, data.Notice{Severity: severities[n.Severity], Text: n.Text})
	}
	return out
}
