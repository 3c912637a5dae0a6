package dashboards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// zoneProxySel selects one kind of zone proxy ("ingress" or "egress") in $zone. Kuma's
// service discovery lists dataplanes only; zone proxies are scraped by their own job,
// labelled as kumahq/kuma dashboards/grafana/README.md configures it: proxy, pod,
// namespace, zone, and no mesh (a zone proxy serves every mesh). The labels are the
// same in every naming regime; only cluster names differ, and panels group by them.
func zoneProxySel(kind string) sel { return both(`proxy="`+kind+`"`, `zone=~"$zone"`) }

// zoneProxyBoard starts a zone-proxy dashboard with its Instances row: are the proxies
// up and connected, and how many the control plane knows of (resource is the Kuma
// resource type, ZoneIngress or ZoneEgress). It returns the board and the proxies'
// selector.
func zoneProxyBoard(uid, kind, resource, description string) (*board, sel) {
	b := newBoard(uid, titleOf(uid), description, zoneVar())
	s := zoneProxySel(kind)
	perPod := func(name string) string { return sumBy(instant(gauge(name), s), "zone", "pod") }
	b.row("Instances")
	b.add(6, 4,
		withThresholds(stat("Proxies live", "short", "Zone "+kind+" Envoys reporting live", prom(sumBy(instant(gauge("envoy_server_live"), s)), "live")), 1),
		withThresholds(stat("Connected to the CP", "short", "Zone "+kind+" Envoys connected to their zone control plane over xDS",
			prom(sumBy(instant(gauge("envoy_control_plane_connected_state"), s)), "connected")), 1),
		stat("Known to the global CP", "short", resource+" resources the global control plane stores, in every zone (resources_count); more than the proxies live means some are down",
			prom(sumBy(instant(gauge("resources_count"), both(`zone="Global"`, `resource_type="`+resource+`"`))), "stored")),
		stat("Uptime", "s", "Time since the youngest of the selected proxies started",
			prom("min("+instant(gauge("envoy_server_uptime"), s)+")", "uptime")),
	)
	instances := table("Proxies", "One row per zone "+kind+" pod: 1 when connected to its control plane",
		promTable(perPod("envoy_control_plane_connected_state")))
	instances.WithTransformation(organize([]string{"Time"}, map[string]string{"Value": "connected"}))
	b.add(12, 7, instances,
		timeseries("Memory", "bytes", "Allocated memory and heap size per pod",
			prom(perPod("envoy_server_memory_allocated"), "{{zone}} {{pod}} allocated"),
			prom(perPod("envoy_server_memory_heap_size"), "{{zone}} {{pod}} heap")))
	return b, s
}

// listener draws the zone proxy's own listener: connections accepted from sidecars.
func listener(s sel, from string) []panel {
	return []panel{
		timeseries("Connections from "+from, "short", "Connections open on the listener, per zone",
			prom(sumBy(instant(gauge("envoy_listener_downstream_cx_active"), s), "zone"), "{{zone}}")),
		timeseries("New connections", "cps", "Connections accepted per second from "+from+", per zone",
			prom(sumRate(counter("envoy_listener_downstream_cx_total"), s, "zone"), "{{zone}}")),
	}
}

func zoneIngress() (dashboard.Dashboard, error) {
	b, s := zoneProxyBoard(UIDZoneIngress, "ingress", "ZoneIngress",
		"Zone ingresses of $zone: the traffic other zones send to this zone's services. The ingress passes mTLS through by SNI, so it sees connections and bytes, not requests; request rates and errors of cross-zone calls are on the callers' Service and Service to Service dashboards.")
	byZone := scope{s: s.and(outboundCluster), by: []string{"zone"}}
	b.row("Cross-zone traffic into $zone")
	b.add(8, 8, append(listener(s, "other zones"),
		byZone.bytes("Bytes", "Bytes the ingress forwards to its zone's services and carries back, per second"))...)

	perService := scope{s: s.and(outboundCluster), by: []string{"zone", "envoy_cluster_name"}}
	b.row("Per destination service")
	b.add(8, 8, perService.connections("each service, from the ingress")...)
	b.add(8, 8,
		perService.bytes("Bytes per service", "Bytes the ingress forwards to and returns from each service per second"),
		perService.failures("Connection errors", "Connections from the ingress to each service that failed or broke, per second",
			"upstream_cx_connect_fail", "upstream_cx_connect_timeout", "upstream_cx_destroy_remote_with_active_rq"),
		perService.endpoints(),
	)
	return b.dashboard()
}

func zoneEgress() (dashboard.Dashboard, error) {
	b, s := zoneProxyBoard(UIDZoneEgress, "egress", "ZoneEgress",
		"Zone egresses of $zone: the traffic this zone's services send to external services (MeshExternalService, legacy ExternalService) when the mesh routes it through egresses (routing.zoneEgress).")
	byZone := scope{s: s.and(outboundCluster), by: []string{"zone"}}
	b.row("Traffic leaving $zone")
	b.add(8, 8,
		byZone.requests("Request rate", "Requests per second the egress sends to external services, per zone"),
		byZone.statusCodes("Status codes", "Responses from external services per second by class", rqClass),
		byZone.errorShare("5xx share", "Share of requests to external services answered 5xx", rqClass),
	)
	b.add(8, 8, append(listener(s, "the zone's sidecars"),
		byZone.bytes("Bytes", "Bytes sent to and received from external services per second"))...)

	perService := scope{s: s.and(outboundCluster), by: []string{"zone", "envoy_cluster_name"}}
	b.row("Per external service")
	b.add(12, 8, perService.upstream("each external service")...)
	b.add(8, 8, perService.connections("each external service")...)
	b.failuresAndResilience(perService, "Errors per external service", " per external service")
	return b.dashboard()
}
