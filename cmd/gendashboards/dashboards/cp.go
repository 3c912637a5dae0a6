package dashboards

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// kuma-cp labels every sample with the zone it runs in, "Global" on the global CP;
// the global CP is always shown, zone CPs per $zone.
var (
	cpSel  = both(`zone=~"Global|$zone"`)
	cpInfo = instant(gauge("cp_info"), cpSel)
)

// onlyCP keeps series of Kuma CP processes: go_* and process_* names are shared
// with every Go program, including applications whose metrics kuma-dp merges.
func onlyCP(expr string) string { return "(" + expr + ") and on(instance) " + cpInfo }

// cpRate is the rate of a kuma-cp counter per CP zone.
func cpRate(name string, by ...string) string {
	return sumRate(counter(name), cpSel, append([]string{"zone"}, by...)...)
}

// cpHistogramCount is the rate of a kuma-cp histogram's observations per CP zone.
func cpHistogramCount(name string, by ...string) string {
	return sumRate(gauge(name+"_count"), cpSel, append([]string{"zone"}, by...)...)
}

func cpGauge(name string, by ...string) string {
	return sumBy(instant(gauge(name), cpSel), append([]string{"zone"}, by...)...)
}

// cpP99 is the 99th percentile of a kuma-cp histogram (seconds) per CP zone; Kuma 2.14
// exports histograms, so percentiles come from buckets.
func cpP99(title, description, histogram string, by ...string) panel {
	return timeseries(title, "s", description,
		prom(quantile(0.99, histogram, cpSel, append([]string{"zone"}, by...)...), "{{zone}}"+legendOf(by)))
}

func controlPlane() (dashboard.Dashboard, error) {
	b := newBoard(UIDControlPlane, titleOf(UIDControlPlane),
		"Health and load of the Kuma control planes: the global CP and the zone CPs of $zone.", zoneVar())

	b.row("Overview")
	b.add(6, 4,
		withThresholds(stat("CP instances", "short", "Control-plane processes whose metrics Prometheus holds (cp_info)",
			prom("count("+cpInfo+")", "instances")), 1),
		withThresholds(stat("Scrape health", "percentunit", "Share of CP scrape targets that answered their last scrape (up); a CP that stopped answering within the last hour counts as down",
			prom("avg(up and on(instance) group by (instance) (last_over_time("+cpInfo+"[1h])))", "up")), 1),
		withThresholds(stat("Leaders", "short", "CP instances holding leadership; each zone (and the global CP) needs exactly one",
			prom(sumBy(instant(gauge("leader"), cpSel)), "leaders")), 1),
		failingFrom(stat("Generation errors", "ops", "xDS and KDS configuration generation errors per second; red from any",
			promZero(sumBy(rate(counter("xds_generation_errors"), cpSel)+" or "+rate(counter("kds_delta_generation_errors"), cpSel)), "errors")), 0.001),
	)
	instances := table("Versions and leaders", "One row per CP process: zone, version and whether it is the leader (1)",
		promTable("max by (zone, instance, instance_id, product, version) ("+cpInfo+") * on(instance) group_left() max by (instance) ("+instant(gauge("leader"), cpSel)+")"))
	instances.WithTransformation(organize([]string{"Time"}, map[string]string{"Value": "leader", "instance_id": "instance id"}))
	b.add(24, 6, instances)

	b.row("xDS (proxy configuration)")
	b.add(8, 8,
		timeseries("Active xDS streams", "short", "Proxies (dataplanes and zone proxies) connected to each zone CP over ADS", prom(cpGauge("xds_streams_active"), "{{zone}}")),
		timeseries("xDS messages", "ops", "Discovery requests received (by ACK/NACK) and responses sent per second",
			prom(cpRate("xds_requests_received", "confirmation"), "{{zone}} received {{confirmation}}"),
			prom(cpRate("xds_responses_sent"), "{{zone}} sent")),
		stacked("Config generations", "ops", "Proxy configuration generations per second by result (changed, skipped, generated)",
			prom(cpHistogramCount("xds_generation", "proxy_type", "result"), "{{zone}} {{proxy_type}} {{result}}")),
	)
	b.add(8, 8,
		cpP99("Config generation p99", "Time to generate one proxy's configuration", "xds_generation"),
		cpP99("Config delivery p99", "Time from a configuration change to the proxy's ACK", "xds_delivery"),
		timeseries("xDS streams per instance", "short", "Proxies connected to each CP instance: how the zone's load is spread over its replicas",
			prom(cpGauge("xds_streams_active", "instance"), "{{zone}} {{instance}}")),
	)

	b.collapsedRow("HDS (health discovery)")
	b.add(8, 8,
		timeseries("Active HDS streams", "short", "Proxies receiving health-check assignments (HDS)",
			promZero(cpGauge("hds_streams_active"), "{{zone}}")),
		timeseries("HDS messages", "ops", "HDS requests received and responses sent per second",
			promZero(cpRate("hds_requests_received"), "{{zone}} received"),
			promZero(cpRate("hds_responses_sent"), "{{zone}} sent")),
		cpP99("HDS generation p99", "Time to generate health-check assignments", "hds_generation"),
	)

	b.row("API server")
	b.add(8, 8,
		cpP99("API latency p99", "REST API request duration by handler", "api_server_http_request_duration_seconds", "handler"),
		stacked("API responses", "reqps", "REST API responses per second by HTTP status code",
			prom(cpHistogramCount("api_server_http_request_duration_seconds", "code"), "{{zone}} {{code}}")),
		timeseries("API requests in flight", "short", "", prom(cpGauge("api_server_http_requests_inflight"), "{{zone}}")),
	)

	b.row("Dataplane server")
	grpcADS := `grpc_service="envoy.service.discovery.v3.AggregatedDiscoveryService"`
	b.add(12, 8,
		cpP99("Bootstrap latency p99", "Time to answer kuma-dp's bootstrap request (the DP server's HTTP side)", "dp_server_http_request_duration_seconds", "handler"),
		stacked("Bootstrap responses", "reqps", "DP server HTTP responses per second by status code; non-2xx are proxies that cannot start",
			prom(cpHistogramCount("dp_server_http_request_duration_seconds", "code"), "{{zone}} {{code}}")),
	)
	b.add(12, 8,
		timeseries("ADS streams handled", "ops", "xDS gRPC streams that ended per second, by gRPC code; non-OK codes are proxies dropping off",
			promZero(sumRate(counter("grpc_server_handled_total"), cpSel.and(both(grpcADS)), "zone", "grpc_code"), "{{zone}} {{grpc_code}}")),
		timeseries("ADS gRPC messages", "ops", "Messages received from and sent to proxies per second",
			promZero(sumRate(counter("grpc_server_msg_received_total"), cpSel.and(both(grpcADS)), "zone"), "{{zone}} received"),
			promZero(sumRate(counter("grpc_server_msg_sent_total"), cpSel.and(both(grpcADS)), "zone"), "{{zone}} sent")),
	)

	meshZone := both(`zone=~"$zone"`)
	b.collapsedRow("Certificates (mTLS)")
	b.add(6, 8,
		timeseries("Certificates issued", "ops", "Dataplane certificates each zone CP generates per second, per mesh (kuma-cp 2.x)",
			prom(cpRate("cert_generation", "mesh"), "{{zone}} {{mesh}}")),
		cpP99("CA signing p99", "Time the mesh's CA backend takes to sign a certificate (kuma-cp 2.x)", "ca_manager_get_cert", "backend_name"),
		timeseries("Certificate expiry", "s", "Time until each mesh's dataplane certificate expires (kuma-cp 3.0 and later, MeshIdentity)",
			prom(aggregate("min", instant(gauge("xds_cert_expiration_timestamp_seconds"), meshZone), "zone", "mesh")+" - time()", "{{zone}} {{mesh}}")),
		timeseries("Certificate generation failing", "short", "Proxies backing off after a failed certificate generation and CA backends whose issuance circuit breaker is open; should be 0",
			prom(cpGauge("cert_generation_backoff"), "{{zone}} proxies backing off"),
			prom(cpGauge("cert_generation_circuit_open"), "{{zone}} CA circuits open")),
	)

	b.row("KDS (global ↔ zone sync)")
	b.add(8, 8,
		timeseries("Active KDS streams", "short", "Delta KDS streams per CP; on the global CP also per connected zone",
			prom(cpGauge("kds_delta_streams_active"), "{{zone}}"),
			promZero(sumBy(instant(gauge("kds_zone_active_connections"), cpSel), "zone_name"), "global ↔ {{zone_name}}")),
		timeseries("KDS delta messages", "ops", "Delta KDS responses sent and requests received per second",
			prom(cpRate("kds_delta_responses_sent"), "{{zone}} sent"),
			prom(cpRate("kds_delta_requests_received", "confirmation"), "{{zone}} received {{confirmation}}")),
		timeseries("KDS sync p99", "s", "Time to generate a KDS delta (global and zone CPs) and to apply synced resources (zone CPs)",
			prom(quantile(0.99, "kds_delta_generation", cpSel, "zone"), "{{zone}} generation"),
			prom(quantile(0.99, "kds_resources_sync", cpSel, "zone"), "{{zone}} sync")),
	)

	// resources counts stored resources whose type matches (op "=~") or not ("!~") the proxy types.
	resources := func(op string) string {
		return sumBy(instant(gauge("resources_count"), cpSel.and(both(`resource_type`+op+`"Dataplane|ZoneIngress|ZoneEgress"`))), "zone", "resource_type")
	}
	b.row("Resources and store")
	b.add(12, 8,
		timeseries("Dataplanes and zone proxies", "short", "Dataplanes, zone ingresses and zone egresses each CP stores",
			prom(resources("=~"), "{{zone}} {{resource_type}}")),
		timeseries("Policies and other resources", "short", "Stored meshes, policies, MeshServices, insights… by type",
			prom(resources("!~"), "{{zone}} {{resource_type}}")),
	)
	b.add(8, 8,
		cpP99("Store latency p99", "Store operation duration by operation", "store", "operation"),
		stacked("Store operations", "ops", "Store operations per second by operation",
			prom(cpHistogramCount("store", "operation"), "{{zone}} {{operation}}")),
		timeseries("Store cache hit ratio", "percentunit", "Share of store reads served from the CP's cache",
			prom(ratio(sumRate(counter("store_cache"), cpSel.and(both(`result=~"hit.*"`)), "zone"), sumRate(counter("store_cache"), cpSel, "zone")), "{{zone}}")),
	)

	b.collapsedRow("Go runtime")
	b.add(6, 8,
		timeseries("Goroutines", "short", "", prom(onlyCP(sumBy(instant(gauge("go_goroutines"), both()), "instance")), "{{instance}}")),
		timeseries("OS threads", "short", "", prom(onlyCP(sumBy(instant(gauge("go_threads"), both()), "instance")), "{{instance}}")),
		timeseries("Memory", "bytes", "Resident memory and Go heap in use",
			prom(onlyCP(sumBy(instant(gauge("process_resident_memory_bytes"), both()), "instance")), "{{instance}} resident"),
			prom(onlyCP(sumBy(instant(gauge("go_memstats_heap_inuse_bytes"), both()), "instance")), "{{instance}} heap")),
		timeseries("GC pause", "s", "Average stop-the-world pause per garbage collection",
			prom(onlyCP(sumBy(rate(gauge("go_gc_duration_seconds_sum"), both()), "instance")+" / "+sumBy(rate(gauge("go_gc_duration_seconds_count"), both()), "instance")), "{{instance}}")),
	)
	b.add(24, 6, timeseries("CPU", "percentunit", "CPU time used per second (1 = one core)",
		prom(onlyCP(sumBy(rate(counter("process_cpu_seconds_total"), both()), "instance")), "{{instance}}")))
	return b.dashboard()
}
