package dashboards

import "strings"

var serviceSel = inMesh.and(inZone).and(proxiesOf("service"))

// podsOfService maps the service's legacy dataplanes to Kubernetes pods: a dataplane
// on Kubernetes is named <pod>.<namespace>. Unified series carry no dataplane name,
// so the resource panels stay empty there.
var podsOfService = `max by (namespace, pod) (label_replace(label_replace(envoy_server_live{` + strings.Join(serviceSel.legacy, ",") +
	`}, "pod", "$1", "dataplane", "([^.]+)\\..+"), "namespace", "$1", "dataplane", "[^.]+\\.(.+)"))`

// containerUsage joins a cAdvisor metric to the service's pods.
func containerUsage(expr string) string {
	return "sum by (pod) (" + expr + " * on(namespace, pod) group_left() " + podsOfService + ")"
}

func service() *Dashboard {
	b := newBoard(UIDService, titleOf(UIDService),
		"One service: its dataplanes, the requests it receives and sends, and its resource use on Kubernetes.",
		meshVar, zoneVar, serviceVar, workloadVar)

	hcm := scope{s: serviceSel.and(inboundHCM)}
	in := scope{s: serviceSel.and(inboundCluster)}
	b.row("Dataplanes")
	b.add(6, 4,
		withThresholds(stat("Proxies live", "short", "Envoys of $service reporting live",
			prom(sumBy(instant(gauge("envoy_server_live"), serviceSel)), "live")), 1),
		stat("Request rate", "reqps", "HTTP requests $service receives per second", prom(sumRate(hcmClass, hcm.s), "requests")),
		withThresholds(stat("Success", "percentunit", "Share of $service's responses that were not 5xx; red under 95 %",
			prom("1 - ("+hcm.share5xx(hcmClass).Expr+")", "success")), 0.95),
		stat("Latency p99", "ms", "99th percentile of $service's response time", prom(quantile(0.99, downstreamHist, hcm.s), "p99")),
	)
	b.add(24, 7, dataplanesTable("Dataplanes of $service"))

	// Callers are the proxies whose clusters lead to $service, in any naming.
	callers := scope{s: inMesh.and(inZone).and(clusterOf("service")), by: []string{"kuma_io_service", "kuma_workload"}, legend: serviceLegend}
	b.row("Callers: who sends requests to $service")
	b.add(12, 8,
		callers.requests("Requests by caller", "Requests per second each service sends to $service, as the callers' proxies count them"),
		callers.errorShare("5xx share by caller", "Share of each caller's requests to $service answered 5xx", rqClass),
	)
	b.row("Incoming: requests to $service")
	b.add(8, 8,
		hcm.statusCodes("Request rate by status", "HTTP requests $service receives per second, by response class", hcmClass),
		hcm.latency("Latency", "Time from the first request byte to the last response byte at $service's proxies", downstreamHist),
		hcm.errorShare("5xx share", "Share of $service's responses that were 5xx", hcmClass),
		in.active("Active connections", "Connections from the proxies to the application", cxActive),
		in.bytes("Bytes in / out", "Bytes the proxies send to and receive from the application per second"),
		rbac(serviceSel),
	)

	out := scope{s: serviceSel.and(outboundCluster), by: []string{"envoy_cluster_name"}}
	b.row("Outgoing: requests from $service")
	b.add(12, 8, out.upstream("each destination")...)
	// TCP destinations count no requests: their traffic shows as connections and bytes.
	b.add(12, 8,
		out.active("Active connections per destination", "Open connections to each destination, TCP and HTTP", cxActive),
		out.bytes("Bytes per destination", "Bytes sent to and received from each destination per second, TCP and HTTP"))
	b.add(12, 8, out.errors(" per destination")...)

	b.row("Resources (Kubernetes)")
	b.add(12, 8,
		timeseries("CPU", "percentunit", "CPU used by each pod of $service (application and sidecar; 1 = one core); needs cAdvisor metrics and legacy dataplane names",
			prom(containerUsage(`rate(container_cpu_usage_seconds_total{container!="",container!="POD"}`+rateWindow+`)`), "{{pod}}")),
		timeseries("Memory", "bytes", "Working-set memory of each pod of $service; needs cAdvisor metrics and legacy dataplane names",
			prom(containerUsage(`container_memory_working_set_bytes{container!="",container!="POD"}`), "{{pod}}")),
	)
	return b.dashboard()
}
