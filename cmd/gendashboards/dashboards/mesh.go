package dashboards

var meshSel = inMesh.and(inZone)

// serviceLegend names the sending service in either regime (only one label is set).
const serviceLegend = "{{kuma_io_service}}{{kuma_workload}}"

func mesh() *Dashboard {
	b := newBoard(UIDMesh, titleOf(UIDMesh),
		"A whole mesh: the service map, then mesh-wide traffic, errors and resilience across every dataplane in $zone.",
		meshVar, zoneVar, zoneSideVar)

	graph := kumaQuery("mesh-graph", "$mesh")
	graph.Zones, graph.ZoneSide, graph.RateInterval = []string{"$zone"}, "$zoneside", "$__rate_interval"
	b.row("Service map")
	p := newPanel("nodeGraph", "Service map", "reqps",
		"Services of $mesh and the traffic between them: request rate, error share and latency per edge, computed by the Kuma data source from the CP topology and Prometheus. Zone side picks whether $zone selects the senders, the receivers or either",
		[]Target{graph})
	b.add(24, 14, p)

	b.row("Overview")
	services := kumaQuery("services", "$mesh")
	services.Zones = []string{"$zone"}
	b.add(12, 8,
		linkColumn(table("Services", "Services of $mesh with their status and dataplanes online / offline", services), "Service", UIDService, "service"),
		table("Mesh insight", "Dataplanes online, offline and partially degraded; services and policies of the mesh", kumaQuery("mesh-insights", "$mesh")),
	)
	out := scope{s: meshSel.and(outboundCluster)}
	b.add(6, 4,
		withThresholds(stat("Connected to the CP", "short", "Dataplanes whose Envoy is connected to its control plane",
			prom(sumBy(instant(gauge("envoy_control_plane_connected_state"), meshSel)), "connected")), 1),
		stat("Request rate", "reqps", "Requests per second between services of the mesh",
			prom(sumRate(rqTotal, out.s), "requests")),
		stat("5xx share", "percentunit", "Share of responses that were 5xx, mesh-wide",
			out.share5xx(rqClass)),
		stat("Bytes through Envoy", "Bps", "Bytes sent plus received by every outbound cluster, per second",
			prom(sumRate(cxTx, out.s)+" + "+sumRate(cxRx, out.s), "bytes")),
	)

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
	return b.dashboard()
}
