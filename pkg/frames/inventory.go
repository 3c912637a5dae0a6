package frames

import (
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

// Meshes is the `meshes` query: one row per mesh.
func Meshes(meshes []kuma.Mesh) *data.Frame {
	return table("meshes", meshes, []column[kuma.Mesh]{
		textColumn("name", "Mesh", func(m kuma.Mesh) string { return m.DisplayName() }),
		textColumn("mtls", "mTLS backend", func(m kuma.Mesh) string {
			if m.MTLS == nil {
				return ""
			}
			return m.MTLS.EnabledBackend
		}),
		textColumn("meshServicesMode", "MeshServices mode", func(m kuma.Mesh) string {
			if m.MeshServices == nil {
				return ""
			}
			return m.MeshServices.Mode
		}),
	})
}

// Zones is the `zones` query: one row per zone with its CP's connection state.
func Zones(zones []inventory.Zone) *data.Frame {
	return table("zones", zones, []column[inventory.Zone]{
		textColumn("name", "Zone", func(z inventory.Zone) string { return z.Name }),
		flagColumn("enabled", "Enabled", func(z inventory.Zone) bool { return z.Enabled }),
		textColumn("status", "Status", func(z inventory.Zone) string { return z.Status }),
		textColumn("version", "CP version", func(z inventory.Zone) string { return z.Version }),
	})
}

// Services is the `services` query: one row per service with its proxies' health.
func Services(services []inventory.Service) *data.Frame {
	return table("services", services, append(serviceColumns("Service"),
		textColumn("protocol", "Protocol", func(s inventory.Service) string { return s.Protocol }),
		textColumn("address", "Address", func(s inventory.Service) string { return s.Address }),
	))
}

// Workloads is the `workloads` query: one row per kuma.io/workload value.
func Workloads(workloads []inventory.Workload) *data.Frame {
	return table("workloads", workloads, []column[inventory.Workload]{
		textColumn("name", "Workload", func(w inventory.Workload) string { return w.Name }),
		textColumn("service", "Service", func(w inventory.Workload) string { return w.Service }),
		textColumn("zones", "Zones", func(w inventory.Workload) string { return joined(w.Zones) }),
	})
}

// Gateways is the `gateways` query: one row per gateway service.
func Gateways(gateways []inventory.Service) *data.Frame {
	return table("gateways", gateways, serviceColumns("Gateway"))
}

// serviceColumns are what every service table shows: name, type, status and proxy counts.
func serviceColumns(what string) []column[inventory.Service] {
	return []column[inventory.Service]{
		textColumn("name", what, func(s inventory.Service) string { return s.Name }),
		textColumn("type", "Type", func(s inventory.Service) string { return s.Kind }),
		textColumn("status", "Status", func(s inventory.Service) string { return s.Status }),
		countColumn("online", "Dataplanes online", func(s inventory.Service) int64 { return int64(s.Online) }),
		countColumn("offline", "Dataplanes offline", func(s inventory.Service) int64 { return int64(s.Offline) }),
		countColumn("total", "Dataplanes total", func(s inventory.Service) int64 { return int64(s.Total) }),
		textColumn("zones", "Zones", func(s inventory.Service) string { return joined(s.Zones) }),
	}
}

// Dataplanes is the `dataplanes` query: one row per proxy.
func Dataplanes(dps []inventory.Dataplane) *data.Frame {
	return table("dataplanes", dps, []column[inventory.Dataplane]{
		textColumn("name", "Dataplane", func(d inventory.Dataplane) string { return d.Name }),
		textColumn("mesh", "Mesh", func(d inventory.Dataplane) string { return d.Mesh }),
		textColumn("zone", "Zone", func(d inventory.Dataplane) string { return d.Zone }),
		textColumn("service", "Service", func(d inventory.Dataplane) string { return joined(d.Services) }),
		textColumn("tags", "Tags", func(d inventory.Dataplane) string { return joined(d.Tags) }),
		textColumn("status", "Status", func(d inventory.Dataplane) string { return d.Status }),
		textColumn("kumaDpVersion", "kuma-dp version", func(d inventory.Dataplane) string { return d.KumaDpVersion }),
		textColumn("envoyVersion", "Envoy version", func(d inventory.Dataplane) string { return d.EnvoyVersion }),
		textColumn("gateway", "Gateway", func(d inventory.Dataplane) string { return d.Gateway }),
		textColumn("certificateBackend", "mTLS backend", func(d inventory.Dataplane) string { return d.CertificateBackend }),
		textColumn("notes", "Notes", func(d inventory.Dataplane) string { return d.Notes }),
	})
}

// MeshInsights is the `mesh-insights` query: one row per mesh with proxy and service counts.
func MeshInsights(insights []kuma.MeshInsight) *data.Frame {
	proxies := func(pick func(kuma.ProxyCounts) int) func(kuma.MeshInsight) int64 {
		return func(mi kuma.MeshInsight) int64 {
			if mi.Dataplanes == nil {
				return 0
			}
			return int64(pick(*mi.Dataplanes))
		}
	}
	services := func(pick func(kuma.ServiceCounts) int) func(kuma.MeshInsight) int64 {
		return func(mi kuma.MeshInsight) int64 {
			if mi.Services == nil {
				return 0
			}
			return int64(pick(*mi.Services))
		}
	}
	return table("mesh-insights", insights, []column[kuma.MeshInsight]{
		textColumn("mesh", "Mesh", func(mi kuma.MeshInsight) string { return mi.DisplayName() }),
		countColumn("dataplanesTotal", "Dataplanes total", proxies(func(p kuma.ProxyCounts) int { return p.Total })),
		countColumn("dataplanesOnline", "Dataplanes online", proxies(func(p kuma.ProxyCounts) int { return p.Online })),
		countColumn("dataplanesOffline", "Dataplanes offline", proxies(func(p kuma.ProxyCounts) int { return p.Offline })),
		countColumn("dataplanesPartiallyDegraded", "Dataplanes partially degraded", proxies(func(p kuma.ProxyCounts) int { return p.PartiallyDegraded })),
		countColumn("servicesTotal", "Services total", services(func(s kuma.ServiceCounts) int { return s.Total })),
		countColumn("servicesInternal", "Internal services", services(func(s kuma.ServiceCounts) int { return s.Internal })),
		countColumn("servicesExternal", "External services", services(func(s kuma.ServiceCounts) int { return s.External })),
		countColumn("policies", "Policies", func(mi kuma.MeshInsight) int64 {
			var n int
			for _, c := range mi.Policies {
				n += c.Total
			}
			return int64(n)
		}),
	})
}
