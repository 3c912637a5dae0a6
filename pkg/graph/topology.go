package graph

// Topology is what the control plane knows about one mesh, in plain types so
// that this package stays free of API clients. The plugin converts CP
// responses into it: service insights for legacy meshes, MeshServices (one
// entry per zone), MeshMultiZoneServices, MeshExternalServices and delegated
// gateways for unified (3.0) meshes.
type Topology struct {
	Services []Service
}

// Service is one CP service. Entries that normalise to the same name are
// merged: zones joined, dataplanes summed, statuses combined.
type Service struct {
	// Name is the kuma.io/service value, or a resource's
	// kuma.io/display-name for MeshService and friends.
	Name string
	// Namespace is the Kubernetes namespace of a MeshService, if any.
	Namespace string
	Info
	// Selector is a MeshService's spec.selector.dataplaneLabels.matchLabels.
	// Its kuma.io/workload value maps unified-naming sources (the
	// kuma_workload label) to this service, so edges run service to service.
	Selector map[string]string
	// PerZone is the service's part in each zone where the CP describes
	// zones separately (one MeshService per zone); GroupByZone draws one
	// node per part.
	PerZone []ZonePart
}

// ZonePart is what the CP reports about a service in one zone.
type ZonePart struct {
	Zone       string
	Status     Status
	Dataplanes Dataplanes
}

// Info is what the CP reports about a service; its node carries it on.
type Info struct {
	Kind       Kind
	Zones      []string
	Protocol   string
	Status     Status
	Dataplanes Dataplanes
	MTLS       bool
}

// WorkloadLabel is the dataplane label MeshService selectors use to pick a
// workload.
const WorkloadLabel = "kuma.io/workload"

// Kind is what a node stands for.
type Kind string

const (
	KindInternal         Kind = "internal"
	KindGatewayBuiltin   Kind = "gateway_builtin"
	KindGatewayDelegated Kind = "gateway_delegated"
	KindExternal         Kind = "external"
	KindMultiZone        Kind = "multizone"
	// KindGateway is a gateway seen only in metrics (kuma_proxy_role).
	KindGateway Kind = "gateway"
	// KindWorkload is a unified-naming source no MeshService selects.
	KindWorkload Kind = "workload"
	// KindOther is the node that top-N folding puts the rest into.
	KindOther Kind = "other"
)

// Status is the CP's health verdict for a service.
type Status string

const (
	StatusUnknown           Status = ""
	StatusOnline            Status = "online"
	StatusOffline           Status = "offline"
	StatusPartiallyDegraded Status = "partially_degraded"
	StatusNotAvailable      Status = "not_available"
)

// combine merges the statuses of two parts of one service: equal statuses
// stay, any disagreement means the service as a whole is partially degraded.
func (s Status) combine(o Status) Status {
	switch {
	case s == o || o == StatusUnknown:
		return s
	case s == StatusUnknown:
		return o
	}
	return StatusPartiallyDegraded
}

// Dataplanes counts a service's proxies.
type Dataplanes struct {
	Online, Offline, Total int
}

// Add sums two counts.
func (d Dataplanes) Add(o Dataplanes) Dataplanes {
	return Dataplanes{Online: d.Online + o.Online, Offline: d.Offline + o.Offline, Total: d.Total + o.Total}
}
