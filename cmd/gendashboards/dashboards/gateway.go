package dashboards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// gatewaySel selects gateway proxies. Legacy gateways carry their kuma.io/service (the
// gateway name); unified ones are kuma_proxy_role="gateway" and, when kuma-dp labels
// them with a workload, that workload.
var gatewaySel = inMesh.and(inZone).and(sel{
	legacy:  []string{`kuma_io_service=~"$gateway"`},
	unified: []string{`kuma_proxy_role="gateway"`, `kuma_workload=~"$gateway|"`},
})

// builtinSel keeps builtin MeshGateway proxies, which Kuma's service discovery labels
// with kuma_io_mesh_gateway. Kuma 3.0 has no builtin gateways, so it matches nothing there.
var builtinSel = gatewaySel.and(both(`kuma_io_mesh_gateway!=""`))

func gateway() (dashboard.Dashboard, error) {
	b := newBoard(UIDGateway, titleOf(UIDGateway),
		"Kuma gateways: builtin MeshGateways (Envoy is the gateway) and delegated gateways (for example Kong) whose sidecar forwards into the mesh.",
		meshVar(), zoneVar(), gatewayVar())

	b.row("Instances")
	b.add(12, 7, table("Gateways", "Gateway services of $mesh: kind (builtin or delegated), status and dataplanes online",
		kumaQuery("gateways", "$mesh")))
	proxies := table("Gateway dataplanes", "Gateway dataplanes of $mesh with their status and versions", kumaQuery("dataplanes", "$mesh"))
	proxies.WithTransformation(transformation("filterByValue", filterByValueOptions{Type: "include", Match: "any",
		Filters: []valueFilter{{FieldName: "Gateway", Config: dashboard.MatcherConfig{Id: "regex", Options: map[string]string{"value": ".+"}}}}}))
	b.add(12, 7, proxies)
	b.add(8, 4,
		withThresholds(stat("Gateway proxies live", "short", "Gateway Envoys reporting live", prom(sumBy(instant(gauge("envoy_server_live"), gatewaySel)), "live")), 1),
		withThresholds(stat("Connected to the CP", "short", "Gateway Envoys connected to their control plane",
			prom(sumBy(instant(gauge("envoy_control_plane_connected_state"), gatewaySel)), "connected")), 1),
		stat("Request rate", "reqps", "Requests per second the gateways send into the mesh",
			prom(sumRate(rqTotal, gatewaySel.and(outboundCluster)), "requests")),
	)

	listeners := scope{s: builtinSel.and(both(`envoy_http_conn_manager_prefix!~"` + internalRe + `"`)), by: []string{"envoy_http_conn_manager_prefix"}}
	b.row("Builtin gateways: incoming requests (MeshGateway listeners)")
	b.add(8, 8,
		listeners.statusCodes("Requests by status", "Requests received by the MeshGateway listeners per second, by response class", hcmClass),
		listeners.latency("Latency", "Time from the first request byte to the last response byte at the gateway", downstreamHist),
		listeners.errorShare("5xx share", "Share of gateway responses that were 5xx", hcmClass),
	)
	b.add(12, 8,
		timeseries("Route misses", "ops", "Requests per second no MeshHTTPRoute matched, which the gateway answers 404 itself",
			listeners.zeroed(sumRate(counter("envoy_http_no_route"), listeners.s, listeners.by...), listeners.label("no route"))),
		listenerTLS(),
	)

	up := scope{s: gatewaySel.and(outboundCluster), by: []string{"envoy_cluster_name"}}
	b.row("Upstream: gateway → services (builtin and delegated)")
	b.add(12, 8, up.upstream("each destination")...)
	b.add(12, 8, up.errors(" between the gateways and their destinations")...)

	b.row("Resources (Kubernetes)")
	b.add(12, 8, podResources(gatewaySel, "$gateway")...)
	return b.dashboard()
}

// listenerTLS draws the HTTPS listeners' handshakes and TLS errors; errors never counted
// read 0 on every listener that shakes hands.
func listenerTLS() panel {
	handshakes := sumRate(counter("envoy_listener_ssl_handshake"), builtinSel, "envoy_listener_address")
	errs := sumRate(counter("envoy_listener_ssl_connection_error"), builtinSel, "envoy_listener_address")
	errors := prom(errs+" or 0 * "+handshakes, "{{envoy_listener_address}} TLS errors")
	errors.core = errs
	return timeseries("Listener TLS", "ops", "TLS handshakes and TLS connection errors per second on each HTTPS listener",
		prom(handshakes, "{{envoy_listener_address}} handshakes"), errors)
}
