package dashboards

// s2sSel is what $source's proxies report about the clusters leading to $destination.
var s2sSel = inMesh.and(inZone).and(proxiesOf("source")).and(clusterOf("destination"))

func serviceToService() *Dashboard {
	b := newBoard(UIDServiceToService, titleOf(UIDServiceToService),
		"Traffic from $source to $destination as $source's proxies see it.",
		meshVar, zoneVar, sourceVar, sourceWorkloadVar, destinationVar)
	c := scope{s: s2sSel}

	b.row("Traffic")
	b.add(12, 8, c.upstream("$destination")...)
	b.add(6, 8, append(c.connections("$destination"), c.bytes("Bytes", "Bytes sent to and received from $destination per second"))...)
	b.failuresAndResilience(c, "Errors seen by $source", " between $source and $destination")
	return b.dashboard()
}
