package dashboards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// proxyLabels tell proxies apart: legacy series carry the dataplane name, unified ones
// only the scrape instance.
var proxyLabels = []string{"dataplane", "instance"}

// dataplaneSel selects the chosen dataplanes. kuma-dp under unified naming does not
// label samples with the dataplane name, so there the whole workload is shown, one
// series per instance.
var dataplaneSel = inMesh.and(inZone).and(sel{
	legacy:  []string{`dataplane=~"$dataplane"`},
	unified: []string{`kuma_workload=~"${` + workloadOf("service") + `}"`},
})

// dataplanesTable lists a service's dataplanes from the CP: zone, status, versions.
func dataplanesTable(title string) panel {
	q := kumaQuery("dataplanes", "$mesh")
	q.Service = "$service"
	p := table(title, "Dataplanes of $service as the control plane sees them: zone, status, kuma-dp and Envoy versions", q)
	// Mesh and service are the dashboard's own variables; tags and certificates are
	// for the CP's GUI. Transformations address fields by display name.
	p.WithTransformation(organize([]string{"Mesh", "Service", "Tags", "Gateway", "mTLS backend"}, map[string]string{}))
	return linkColumn(p, "Dataplane", UIDDataplane, "dataplane", "service")
}

func dataplane() (dashboard.Dashboard, error) {
	b := newBoard(UIDDataplane, titleOf(UIDDataplane),
		"One or more Kuma dataplanes (Envoy sidecars or gateways): their health, what they receive and what they send.",
		meshVar(), zoneVar(), serviceVar(), workloadVariable("service"), dataplaneVar())
	proxies := scope{s: dataplaneSel, by: proxyLabels}
	server := func(name string) string { return sumBy(instant(gauge(name), dataplaneSel), proxyLabels...) }

	b.row("Status")
	b.add(6, 4,
		withThresholds(stat("Live", "short", "Envoy servers that report themselves live (envoy_server_live)",
			prom(sumBy(instant(gauge("envoy_server_live"), dataplaneSel)), "live")), 1),
		stat("Uptime", "s", "Time since the youngest of the selected Envoys started",
			prom("min("+instant(gauge("envoy_server_uptime"), dataplaneSel)+")", "uptime")),
		stat("Memory allocated", "bytes", "Memory the selected Envoys have allocated, together",
			prom(sumBy(instant(gauge("envoy_server_memory_allocated"), dataplaneSel)), "allocated")),
		withThresholds(stat("Connected to the CP", "short", "Envoys connected to their control plane over xDS (envoy_control_plane_connected_state)",
			prom(sumBy(instant(gauge("envoy_control_plane_connected_state"), dataplaneSel)), "connected")), 1),
	)
	b.add(24, 6, dataplanesTable("Dataplanes"))
	b.add(12, 7,
		timeseries("Memory", "bytes", "Allocated memory and heap size per proxy",
			prom(server("envoy_server_memory_allocated"), proxies.label("allocated")),
			prom(server("envoy_server_memory_heap_size"), proxies.label("heap"))),
		timeseries("CP connection", "short", "1 while the proxy is connected to its control plane",
			prom(server("envoy_control_plane_connected_state"), proxies.label("connected"))),
	)

	outSel := dataplaneSel.and(outboundCluster)
	b.collapsedRow("mTLS, DNS and load")
	b.add(8, 8,
		timeseries("mTLS handshakes", "ops", "TLS handshakes per second: connections accepted (inbound listener) and opened (outbound clusters)",
			prom(sumRate(counter("envoy_listener_ssl_handshake"), dataplaneSel, proxyLabels...), proxies.label("inbound")),
			prom(sumRate(counter("envoy_cluster_ssl_handshake"), outSel, proxyLabels...), proxies.label("outbound"))),
		timeseries("Certificate updates", "ops", "Certificates the proxies received over SDS per second (rotation); none for long means rotation stopped",
			prom(sumRate(counter("envoy_listener_server_ssl_socket_factory_ssl_context_update_by_sds"), dataplaneSel, proxyLabels...), proxies.label("updates"))),
		timeseries("In-flight requests", "short", "Requests in progress: received from downstream and sent to destinations; a rise with flat traffic is saturation (not in MeshMetric's default profile)",
			prom(sumBy(instant(gauge("envoy_http_downstream_rq_active"), dataplaneSel.and(inboundHCM)), proxyLabels...), proxies.label("received")),
			prom(sumBy(instant(gauge("envoy_cluster_upstream_rq_active"), outSel), proxyLabels...), proxies.label("sent"))),
	)
	dnsCount := func(h string) string { return sumRate(counter(h+"_count"), dataplaneSel, proxyLabels...) }
	connectedCP := table("Connected CP", "The control-plane instance each proxy gets its configuration from (Envoy's control_plane.identifier)",
		promTable("max by (dataplane, instance, text_value) ("+instant(gauge("envoy_control_plane_identifier"), dataplaneSel)+")"))
	connectedCP.WithTransformation(organize([]string{"Time", "Value"}, map[string]string{"text_value": "CP instance"}))
	b.add(6, 8,
		timeseries("DNS latency p99", "s", "kuma-dp's DNS proxy: time to answer the application's lookups, and lookups forwarded upstream (MeshMetric)",
			prom(quantile(0.99, "kuma_dp_dns_request_duration_seconds", dataplaneSel, proxyLabels...), proxies.label("answered")),
			prom(quantile(0.99, "kuma_dp_dns_upstream_request_duration_seconds", dataplaneSel, proxyLabels...), proxies.label("upstream"))),
		timeseries("DNS lookups", "ops", "Lookups kuma-dp's DNS proxy answered and forwarded upstream per second (MeshMetric)",
			prom(dnsCount("kuma_dp_dns_request_duration_seconds"), proxies.label("answered")),
			prom(dnsCount("kuma_dp_dns_upstream_request_duration_seconds"), proxies.label("upstream"))),
		connectedCP,
		certExpiry(),
	)

	in := scope{s: dataplaneSel.and(inboundCluster), by: proxyLabels}
	hcm := scope{s: dataplaneSel.and(inboundHCM), by: proxyLabels}
	b.row("Incoming traffic")
	b.add(8, 8, in.connections("the application (inbound cluster)")...)
	b.add(8, 8,
		in.bytes("Bytes in / out", "Bytes sent to and received from the application per second"),
		hcm.statusCodes("Requests by status", "HTTP requests received per second by response class", hcmClass),
		hcm.latency("HTTP latency", "Time from the first request byte to the last response byte, inbound", downstreamHist),
	)
	b.add(8, 8, append([]panel{rbac(dataplaneSel)}, in.errors(" between the proxy and the application")...)...)

	out := scope{s: dataplaneSel.and(outboundCluster), by: []string{"envoy_cluster_name"}}
	b.row("Outgoing traffic (per destination cluster)")
	b.add(12, 8, out.upstream("each destination")...)
	b.add(8, 8, out.connections("each destination")...)
	b.add(8, 8, out.bytes("Bytes out / in", "Bytes sent to and received from each destination per second"))
	b.failuresAndResilience(out, "Outgoing errors", " per destination")
	return b.dashboard()
}
