package naming

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DestinationKind says what an Envoy cluster points at.
type DestinationKind string

const (
	// DestinationService is a legacy kuma.io/service cluster.
	DestinationService DestinationKind = "service"
	// DestinationMeshService is a MeshService (legacy _msvc_ or kri_msvc_).
	DestinationMeshService DestinationKind = "meshservice"
	// DestinationMultiZone is a MeshMultiZoneService.
	DestinationMultiZone DestinationKind = "multizone"
	// DestinationExternal is a MeshExternalService.
	DestinationExternal DestinationKind = "external"
)

// Destination is what an outbound Envoy cluster name tells about its target.
type Destination struct {
	Kind      DestinationKind
	Mesh      string
	Zone      string
	Namespace string
	Name      string
	// Port is the port number (legacy names) or port name (KRI sections).
	Port string
	// legacyName marks MeshService names from the legacy regime, whose
	// kuma.io/service twin is "<name>_<namespace>_svc_<port>".
	legacyName bool
}

// ServiceName is the name under which the destination joins the CP's
// services: the kuma.io/service name a legacy MeshService cluster stands
// for, or ServiceKey(name, namespace) otherwise.
func (d Destination) ServiceName() string {
	if d.legacyName && d.Namespace != "" && d.Kind == DestinationMeshService {
		return d.Name + "_" + d.Namespace + "_svc_" + d.Port
	}
	return ServiceKey(d.Name, d.Namespace)
}

// ServiceKey names a namespaced resource (MeshService, workload) as one node
// key. Universal resources have no namespace and keep their plain name.
func ServiceKey(name, namespace string) string {
	if namespace == "" {
		return name
	}
	return name + "_" + namespace
}

// DisplayName is the name a ServiceKey was made of: a namespaced service's name as the
// CP displays it (what the services list and a $service variable hold), the key itself
// for a resource without namespace.
func DisplayName(key, namespace string) string {
	if namespace == "" {
		return key
	}
	return strings.TrimSuffix(key, "_"+namespace)
}

// ParseCluster reads an outbound cluster name (the envoy_cluster_name
// label). It returns false for internal clusters and for KRIs that are not
// traffic destinations, which must never become nodes.
func ParseCluster(cluster string) (Destination, bool) {
	if IsInternalCluster(cluster) {
		return Destination{}, false
	}
	if strings.HasPrefix(cluster, kriPrefix) {
		return parseKRICluster(cluster)
	}
	if d, ok := parseMeshServiceCluster(cluster); ok {
		return d, true
	}
	return Destination{Kind: DestinationService, Name: StripSplitSuffix(cluster)}, true
}

var kriDestinationKinds = map[string]DestinationKind{
	KRITypeMeshService:          DestinationMeshService,
	KRITypeMeshMultiZoneService: DestinationMultiZone,
	KRITypeMeshExternalService:  DestinationExternal,
}

func parseKRICluster(cluster string) (Destination, bool) {
	k, err := ParseKRI(cluster)
	if err != nil {
		return Destination{}, false
	}
	kind, ok := kriDestinationKinds[k.Type]
	if !ok {
		return Destination{}, false
	}
	return Destination{Kind: kind, Mesh: k.Mesh, Zone: k.Zone, Namespace: k.Namespace, Name: k.Name, Port: k.Section}, true
}

var legacyDestinationKinds = map[string]DestinationKind{
	"msvc":   DestinationMeshService,
	"mzsvc":  DestinationMultiZone,
	"extsvc": DestinationExternal,
}

// parseMeshServiceCluster reads "<mesh>_<name>_<namespace>_<zone>_<kind>_<port>".
func parseMeshServiceCluster(cluster string) (Destination, bool) {
	parts := strings.Split(StripSplitSuffix(cluster), "_")
	if len(parts) != 6 || parts[0] == "" || parts[1] == "" {
		return Destination{}, false
	}
	kind, ok := legacyDestinationKinds[parts[4]]
	if !ok {
		return Destination{}, false
	}
	if _, err := strconv.ParseUint(parts[5], 10, 16); err != nil {
		return Destination{}, false
	}
	return Destination{
		Kind: kind, Mesh: parts[0], Name: parts[1], Namespace: parts[2], Zone: parts[3], Port: parts[5],
		legacyName: true,
	}, true
}

// ZoneProxyCluster is the name a sidecar gives the cluster a zone proxy names cluster
// in mesh: a zone proxy serves every mesh, so it qualifies legacy kuma.io/service
// names as <mesh>_<service> (kumahq/kuma envoy_names.GetMeshClusterName, ':' rendered
// '_'); MeshService and KRI names already carry the mesh and are the sidecars'.
func ZoneProxyCluster(mesh, cluster string) string {
	if strings.HasPrefix(cluster, kriPrefix) {
		return cluster
	}
	if _, ok := parseMeshServiceCluster(cluster); ok {
		return cluster
	}
	return strings.TrimPrefix(cluster, mesh+"_")
}

// StripSplitSuffix removes the "-<16 hex>" suffix Envoy clusters get when a
// route splits traffic; kuma-dp merges them the same way for legacy metrics.
func StripSplitSuffix(cluster string) string {
	const hashLen = 16
	i := len(cluster) - hashLen - 1
	if i <= 0 || cluster[i] != '-' || !isLowerHex(cluster[i+1:]) {
		return cluster
	}
	return cluster[:i]
}

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// internalExact are clusters of the proxy itself (xDS, admin, logs, metrics).
var internalExact = map[string]bool{
	"":                 true,
	"ads_cluster":      true,
	"admin":            true,
	"access_log_sink":  true,
	"kuma:envoy:admin": true,
	"kuma_envoy_admin": true,
	"envoy_admin":      true,
}

// internalPrefixes cover both raw cluster names and their stat names, where
// Envoy turns ":" into "_" (inbound:passthrough:ipv4 → inbound_passthrough_ipv4).
var internalPrefixes = []string{
	"inbound:", "inbound_passthrough", "outbound:passthrough", "outbound_passthrough",
	"localhost_", "localhost:", "system_", "self_", "meshtrace_", "meshaccesslog_",
	"_kuma", "kuma:", "kuma_metrics", "kuma_readiness", "tracing:", "tracing_",
}

// IsInternalCluster reports whether an Envoy cluster or HTTP connection
// manager prefix belongs to the proxy's own plumbing rather than to a
// destination in the mesh. Inbound clusters (localhost_<port>, self_inbound_*)
// are internal too: traffic into a service is counted on the caller's side.
func IsInternalCluster(name string) bool {
	if internalExact[name] || strings.Contains(name, "hijacker") || strings.Contains(name, "passthrough") {
		return true
	}
	for _, p := range internalPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// InternalClusterRegex is an RE2 expression, anchored as PromQL anchors label regexes,
// matching exactly the names IsInternalCluster accepts: queries drop the proxies' own
// plumbing in Prometheus, which on a big mesh is a large share of every answer.
func InternalClusterRegex() string {
	exact := make([]string, 0, len(internalExact))
	for name := range internalExact {
		exact = append(exact, regexp.QuoteMeta(name))
	}
	sort.Strings(exact)
	prefixes := make([]string, 0, len(internalPrefixes))
	for _, p := range internalPrefixes {
		prefixes = append(prefixes, regexp.QuoteMeta(p))
	}
	// (?s:.*): a name may hold a newline, which "." matches in Prometheus 3 but not in Prometheus 2
	// or Go; IsInternalCluster does not care, so neither may the filter.
	return strings.Join(exact, "|") + "|(" + strings.Join(prefixes, "|") + ")(?s:.*)|(?s:.*)(hijacker|passthrough)(?s:.*)"
}

// inboundStatPrefixes are HTTP connection manager prefixes of inbound
// listeners: legacy "localhost_<port>" (and older "inbound_<ip>_<port>"),
// unified "self_inbound_<name>".
var inboundStatPrefixes = []string{"localhost_", "inbound_", "self_inbound_"}

// IsInboundStatPrefix reports whether an HTTP connection manager stat prefix
// belongs to a sidecar's inbound listener, whose downstream stats count the
// requests the service received. Outbound and passthrough listeners do not.
func IsInboundStatPrefix(prefix string) bool {
	if strings.Contains(prefix, "passthrough") {
		return false
	}
	for _, p := range inboundStatPrefixes {
		if strings.HasPrefix(prefix, p) {
			return true
		}
	}
	return false
}
