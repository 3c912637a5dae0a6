package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"strings"
)

var serviceSel = inMesh.and(inZone).and(proxiesOf("service"))

// podResources are the CPU and memory of the Kubernetes pods behind the proxies s
// selects (whose: "$service"), against the pods' limits. cAdvisor and kube-state-metrics
// name pods; a legacy dataplane on Kubernetes is named <pod>.<namespace>, which joins
// them. Unified series carry no dataplane name, so the panels stay empty there.
func podResources(s sel, whose string) []panel {
	pods := `max by (namespace, pod) (label_replace(label_replace(envoy_server_live{` + strings.Join(s.legacy, ",") +
		`}, "pod", "$1", "dataplane", "([^.]+)\\..+"), "namespace", "$1", "dataplane", "[^.]+\\.(.+)"))`
	perPod := func(expr string) string {
		return "sum by (pod) (" + expr + " * on(namespace, pod) group_left() " + pods + ")"
	}
	limit := func(resource string) string {
		return perPod(`kube_pod_container_resource_limits{resource="` + resource + `",container!=""}`)
	}
	return []panel{
		timeseries("CPU", "percentunit", "CPU used by each pod of "+whose+" (application and sidecar; 1 = one core) and its limit; needs cAdvisor and kube-state-metrics and legacy dataplane names",
			prom(perPod(`rate(container_cpu_usage_seconds_total{container!="",container!="POD"}`+rateWindow+`)`), "{{pod}}"),
			prom(limit("cpu"), "{{pod}} limit")),
		timeseries("Memory", "bytes", "Working-set memory of each pod of "+whose+" and its limit; needs cAdvisor and kube-state-metrics and legacy dataplane names",
			prom(perPod(`container_memory_working_set_bytes{container!="",container!="POD"}`), "{{pod}}"),
			prom(limit("memory"), "{{pod}} limit")),
	}
}

func service() (dashboard.Dashboard, error) {
	b := newBoard(UIDService, titleOf(UIDService),
		"One service: its dataplanes, the requests it receives and sends, and its resource use on Kubernetes.",
		meshVar(), zoneVar(), serviceVar(), workloadVariable("service"))

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
	b.add(12, 8, podResources(serviceSel, "$service")...)
	return b.dashboard()
}
