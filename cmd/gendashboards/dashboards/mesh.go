package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

var meshSel = inMesh.and(inZone)

// serviceLegend names the sending service in either regime (only one label is set).
const serviceLegend = "{{kuma_io_service}}{{kuma_workload}}"

// certExpiry is the time until the first dataplane certificate of $mesh in $zone
// expires, as the zone CPs report it (kuma-cp 3.0 and later, MeshIdentity).
func certExpiry() panel {
	return withThresholds(stat("Certificate expiry", "s", "Time until the first dataplane certificate of $mesh expires (kuma-cp 3.0 and later, MeshIdentity); red under an hour: rotation is failing",
		prom("min("+instant(gauge("xds_cert_expiration_timestamp_seconds"), inMesh.and(both(`zone=~"$zone"`)))+") - time()", "expires in")), 3600)
}

// statColumns are the service table's stats, in column order, with their titles and
// units. The units are Grafana's for what service-stats answers (README): req/s, a
// ratio, milliseconds, counts.
var statColumns = []struct{ stat, title, unit string }{
	{models.StatRPS, "Req/s", "reqps"},
	{models.StatErrorRatio, "Error %", "percentunit"},
	{models.StatP99, "p99", "ms"},
	{models.StatDataplanesOnline, "Dataplanes online", "none"},
	{models.StatDataplanesTotal, "Dataplanes", "none"},
}

// statsRowField and statsColumnField are the service-stats columns the service table
// pivots on: one row per service, one column per stat. Grafana's "Grouping to matrix"
// keeps one value per (row, column); the e2e test pivots the answer as the panel says
// and holds that it has no two.
const (
	statsRowField    = "service"
	statsColumnField = "stat"
)

// serviceStatsTable is the map's numbers per service side by side. service-stats answers
// a numeric-long frame (one row per service and stat, what alerting needs); "Grouping to
// matrix" turns it into one row per service with a column per stat, and organize names
// the columns and fixes their order (the matrix orders them by first appearance, and a
// service without latency observations has no p99 row). Same join and window as the map.
func serviceStatsTable() panel {
	q := kumaQuery(models.QueryTypeServiceStats, "$mesh")
	q.Zone, q.ZoneSide, q.RateInterval = "$zone", "$zoneside", "$__rate_interval"
	q.Scope, q.Format = models.ScopeService, models.FormatInstant
	rowHeader := statsRowField + "\\" + statsColumnField // the matrix names its first column row\column
	rename, order := map[string]string{rowHeader: "Service"}, map[string]int{rowHeader: 0}
	for i, c := range statColumns {
		q.Stats = append(q.Stats, c.stat)
		rename[c.stat], order[c.stat] = c.title, i+1
	}
	p := table("Service stats",
		"Per service of $mesh, as on the map over the dashboard range: requests per second received, error share (5xx and gRPC failures; red from 5 %), p99 latency, dataplanes online and total. From the Kuma data source's service-stats",
		q)
	p.WithTransformation(transformation("groupingToMatrix", groupingToMatrixOptions{
		RowField: statsRowField, ColumnField: statsColumnField, ValueField: "value", EmptyValue: "null"})).
		WithTransformation(transformation("organize", organizeOptions{ExcludeByName: map[string]bool{}, RenameByName: rename, IndexByName: order}))
	for _, c := range statColumns {
		props := []dashboard.DynamicConfigValue{{Id: "unit", Value: c.unit}}
		if c.stat == models.StatErrorRatio {
			props = append(props,
				dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: common.NewTableColorTextCellOptions()},
				dashboard.DynamicConfigValue{Id: "thresholds", Value: steps("green", 0.05, "red")})
		}
		p.OverrideByName(c.title, props)
	}
	return linkColumn(p, "Service", UIDService, "service", "zone")
}

func mesh() (dashboard.Dashboard, error) {
	b := newBoard(UIDMesh, titleOf(UIDMesh),
		"A whole mesh: the service map, then mesh-wide traffic, errors and resilience across every dataplane in $zone.",
		meshVar(), zoneVar(), zoneSideVar())

	graph := kumaQuery("mesh-graph", "$mesh")
	graph.Zone, graph.ZoneSide, graph.RateInterval = "$zone", "$zoneside", "$__rate_interval"
	b.row("Service map")
	b.add(24, 14, nodeGraph("Service map", "reqps",
		"Services of $mesh and the traffic between them: request rate, error share and latency per edge, computed by the Kuma data source from the CP topology and Prometheus. Zone side picks whether $zone selects the senders, the receivers or either",
		graph))

	b.row("Overview")
	services := kumaQuery("services", "$mesh")
	services.Zone = "$zone"
	b.add(12, 8,
		linkColumn(table("Services", "Services of $mesh with their status and dataplanes online / offline", services), "Service", UIDService, "service"),
		table("Mesh insight", "Dataplanes online, offline and partially degraded; services and policies of the mesh", kumaQuery("mesh-insights", "$mesh")),
	)
	out := scope{s: meshSel.and(outboundCluster)}
	b.add(4, 4,
		withThresholds(stat("Connected to the CP", "short", "Dataplanes whose Envoy is connected to its control plane",
			prom(sumBy(instant(gauge("envoy_control_plane_connected_state"), meshSel)), "connected")), 1),
		failingFrom(kumaStat("Dataplanes offline", "Dataplanes of $mesh the control plane lists as offline (mesh insight, every zone)",
			"Dataplanes offline", kumaQuery("mesh-insights", "$mesh")), 1),
		stat("Request rate", "reqps", "Requests per second between services of the mesh",
			prom(sumRate(rqTotal, out.s), "requests")),
		failingFrom(stat("5xx share", "percentunit", "Share of responses that were 5xx, mesh-wide; red from 5 %",
			out.share5xx(rqClass)), 0.05),
		stat("Bytes through Envoy", "Bps", "Bytes sent plus received by every outbound cluster, per second",
			prom(sumRate(cxTx, out.s)+" + "+sumRate(cxRx, out.s), "bytes")),
		certExpiry(),
	)
	b.add(24, 10, serviceStatsTable())

	bySource := scope{s: out.s, by: []string{"kuma_io_service", "kuma_workload"}, legend: serviceLegend}
	b.row("Traffic")
	b.add(8, 8,
		bySource.latency("HTTP latency by source", "Upstream request time of each sending service", rqTimeHist),
		out.latency("HTTP latency, mesh-wide", "Upstream request time over every request in the mesh", rqTimeHist),
		bySource.requests("Request rate by source", "Requests per second each service sends"),
		out.statusCodes("Status codes", "Responses per second by class, mesh-wide", rqClass),
		bySource.errorShare("5xx share by source", "Share of each sending service's requests answered 5xx", rqClass),
		out.bytes("Bytes through Envoy", "Bytes sent to and received from destinations per second, mesh-wide"),
	)

	b.failuresAndResilience(out, "Errors", ", mesh-wide")

	denials := scope{s: meshSel, by: bySource.by, legend: serviceLegend}
	b.collapsedRow("mTLS and MeshTrafficPermission")
	b.add(8, 8,
		timeseries("Certificate rotation", "ops", "Dataplane certificates the zone CPs generate (kuma-cp 2.x) and certificate updates the proxies receive over SDS, per second; a stop means rotation stopped",
			prom(sumRate(counter("cert_generation"), inMesh.and(both(`zone=~"$zone"`)), "zone"), "{{zone}} generated by the CP"),
			prom(sumRate(counter("envoy_listener_server_ssl_socket_factory_ssl_context_update_by_sds"), meshSel), "received by proxies")),
		timeseries("Certificate generation backing off", "short", "Proxies whose certificate generation failed and is being retried, per zone CP; should be 0",
			prom(sumBy(instant(gauge("cert_generation_backoff"), both(`zone=~"$zone"`)), "zone"), "{{zone}}")),
		rbac(meshSel),
	)
	b.add(24, 8, timeseries("Denied by MeshTrafficPermission, by service", "ops", "Inbound connections and requests each service's proxies denied per second",
		denials.zeroed(sumRate(counter("envoy_(http_)?rbac_denied"), denials.s, denials.by...), denials.label("denied"))))
	return b.dashboard()
}
