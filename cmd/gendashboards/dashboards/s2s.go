package dashboards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// s2sSel is what $source's proxies report about the clusters leading to $destination.
var s2sSel = inMesh.and(inZone).and(proxiesOf("source")).and(clusterOf("destination"))

func serviceToService() (dashboard.Dashboard, error) {
	b := newBoard(UIDServiceToService, titleOf(UIDServiceToService),
		"Traffic from $source to $destination as $source's proxies see it, next to what $destination receives from all its callers.",
		// $destination_workload selects $destination's own proxies (its inbound side).
		meshVar(), zoneVar(), sourceVar(), workloadVariable("source"), destinationVar(), workloadVariable("destination"))
	c := scope{s: s2sSel}

	b.row("Traffic")
	b.add(12, 8, c.upstream("$destination")...)
	b.add(6, 8, append(c.connections("$destination"), c.bytes("Bytes", "Bytes sent to and received from $destination per second"))...)

	// Envoy counts inbound requests per listener, not per caller: the callee's side is
	// everything $destination receives, $source's share included.
	callee := scope{s: inMesh.and(inZone).and(proxiesOf("destination")).and(inboundHCM)}
	b.row("$destination's side: everything it receives")
	b.add(8, 8,
		callee.statusCodes("Requests received by status", "HTTP requests $destination's proxies receive per second from all callers, by response class", hcmClass),
		callee.latency("Latency at $destination", "Time from the first request byte to the last response byte at $destination's proxies", downstreamHist),
		callee.errorShare("5xx share at $destination", "Share of $destination's responses that were 5xx, all callers", hcmClass),
	)
	b.failuresAndResilience(c, "Errors seen by $source", " between $source and $destination")
	return b.dashboard()
}
