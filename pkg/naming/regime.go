package naming

import "strings"

// Regime is a naming regime. The zero value means "detect from the data".
type Regime string

const (
	RegimeAuto        Regime = ""
	RegimeLegacy      Regime = "legacy"
	RegimeMeshService Regime = "meshservice"
	RegimeUnified     Regime = "unified"
)

// Prometheus label names as they reach Prometheus (dots become underscores).
const (
	LabelMesh        = "mesh"
	LabelZone        = "zone"
	LabelLegacyZone  = "kuma_io_zone"
	LabelService     = "kuma_io_service"
	LabelWorkload    = "kuma_workload"
	LabelProxyRole   = "kuma_proxy_role"
	LabelMeshGateway = "kuma_io_mesh_gateway"
	LabelCluster     = "envoy_cluster_name"
)

// Labels names the labels that identify the reporting proxy in a regime.
type Labels struct {
	// Source identifies the service or workload of the proxy that reports.
	Source string
	// Zone is the zone of the reporting proxy. Legacy scrape configs map
	// the kuma.io/zone tag, MeshMetric adds a plain "zone" label.
	Zone string
}

// Labels returns the source and zone labels of r. RegimeAuto has none:
// callers must group by every regime's labels and detect afterwards.
func (r Regime) Labels() (Labels, bool) {
	switch r {
	case RegimeLegacy, RegimeMeshService:
		return Labels{Source: LabelService, Zone: LabelLegacyZone}, true
	case RegimeUnified:
		return Labels{Source: LabelWorkload, Zone: LabelZone}, true
	}
	return Labels{}, false
}

// Valid reports whether r is a known regime or RegimeAuto.
func (r Regime) Valid() bool {
	switch r {
	case RegimeAuto, RegimeLegacy, RegimeMeshService, RegimeUnified:
		return true
	}
	return false
}

// DetectRegime picks the regime that produced the observed data: a
// kuma_workload label or a KRI cluster means unified naming, a
// MeshService-style cluster name means legacy with MeshServices, anything
// else is legacy. Unified wins because a 3.0 mesh never emits the others.
func DetectRegime(workloadLabelSeen bool, clusters []string) Regime {
	if workloadLabelSeen {
		return RegimeUnified
	}
	regime := RegimeLegacy
	for _, c := range clusters {
		if strings.HasPrefix(c, kriPrefix) {
			if _, err := ParseKRI(c); err == nil {
				return RegimeUnified
			}
		}
		if _, ok := parseMeshServiceCluster(c); ok {
			regime = RegimeMeshService
		}
	}
	return regime
}
