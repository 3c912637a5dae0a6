package kuma

import "encoding/json"

// The types below mirror the CP's JSON (kuma 2.14 and the 3.0 pre-release, see
// testdata/kuma-cp). The CP omits zero values, so scalar fields carry omitempty and
// objects whose mere presence is significant (for example "dataplanes": {} or
// "dataplaneInsight": {}) are pointers. Fakes marshal these types to imitate a CP, so
// marshalling must reproduce the recorded shape. Sub-trees the plugin never reads
// (certificate settings, KDS stream ids, conditions) stay json.RawMessage: kept
// verbatim, and easy to leave out.

// Well-known labels the CP puts on synced objects.
const (
	LabelDisplayName = "kuma.io/display-name"
	LabelZone        = "kuma.io/zone"
	LabelOrigin      = "kuma.io/origin"
	LabelWorkload    = "kuma.io/workload"
	TagService       = "kuma.io/service"
	TagProtocol      = "kuma.io/protocol"
)

// Meta is the envelope common to every resource.
type Meta struct {
	Type             string            `json:"type"`
	Mesh             string            `json:"mesh,omitempty"`
	Name             string            `json:"name"`
	CreationTime     Timestamp         `json:"creationTime,omitempty"`
	ModificationTime Timestamp         `json:"modificationTime,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	KRI              string            `json:"kri,omitempty"`
}

// DisplayName is the name the user gave the object. The global CP (and a zone that
// received the object through sync) appends a hash to Name and keeps the original in
// the kuma.io/display-name label.
func (m Meta) DisplayName() string {
	if n := m.Labels[LabelDisplayName]; n != "" {
		return n
	}
	return m.Name
}

// Zone is the zone the object lives in ("" for global objects).
func (m Meta) Zone() string { return m.Labels[LabelZone] }

// List is the envelope of every list endpoint. Next is an absolute URL or null.
type List[T any] struct {
	Total int     `json:"total"`
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// MarshalJSON writes an empty list as "items": [] like the CP, never null.
func (l List[T]) MarshalJSON() ([]byte, error) {
	type plain List[T]
	if l.Items == nil {
		l.Items = []T{}
	}
	return json.Marshal(plain(l))
}

// Index is GET /.
type Index struct {
	Hostname   string `json:"hostname"`
	Product    string `json:"product"`
	Version    string `json:"version"`
	InstanceID string `json:"instanceId"`
	ClusterID  string `json:"clusterId"`
	GUI        string `json:"gui"`
}

// CPConfig is the part of GET /config the plugin reads; the rest of the ~10 KB
// document is ignored.
type CPConfig struct {
	Mode        string `json:"mode"`        // global, zone or standalone
	Environment string `json:"environment"` // universal or kubernetes
	Multizone   struct {
		Zone struct {
			Name          string `json:"name"`
			GlobalAddress string `json:"globalAddress"`
		} `json:"zone"`
	} `json:"multizone"`
}

// Federated reports a CP that is part of a multi-zone deployment: a global CP, or a zone
// CP given its global CP's address. A zone CP without one runs alone (Kuma 1.x called
// that mode standalone).
func (c CPConfig) Federated() bool {
	return c.Mode == ModeGlobal || c.Mode == ModeZone && c.Multizone.Zone.GlobalAddress != ""
}

// CP modes as reported by GET /config.
const (
	ModeGlobal     = "global"
	ModeZone       = "zone"
	ModeStandalone = "standalone"
)

// Mesh is a Mesh resource. In 3.0 only Meta remains; mtls and meshServices are gone.
type Mesh struct {
	Meta
	MTLS                        *MeshMTLS         `json:"mtls,omitempty"`
	MeshServices                *MeshServicesMode `json:"meshServices,omitempty"`
	Networking                  json.RawMessage   `json:"networking,omitempty"`
	Routing                     json.RawMessage   `json:"routing,omitempty"`
	Tracing                     json.RawMessage   `json:"tracing,omitempty"`
	Logging                     json.RawMessage   `json:"logging,omitempty"`
	Metrics                     json.RawMessage   `json:"metrics,omitempty"`
	Constraints                 json.RawMessage   `json:"constraints,omitempty"`
	SkipCreatingInitialPolicies []string          `json:"skipCreatingInitialPolicies,omitempty"`
}

// MeshMTLS is the mesh's legacy mTLS section.
type MeshMTLS struct {
	EnabledBackend string            `json:"enabledBackend,omitempty"`
	Backends       []json.RawMessage `json:"backends,omitempty"`
}

// MeshServicesMode is meshServices.mode: Disabled, Everywhere, ReachableBackends, Exclusive.
type MeshServicesMode struct {
	Mode string `json:"mode,omitempty"`
}

// ProxyCounts counts proxies by status; zero counts are omitted by the CP.
type ProxyCounts struct {
	Total             int `json:"total,omitempty"`
	Online            int `json:"online,omitempty"`
	Offline           int `json:"offline,omitempty"`
	PartiallyDegraded int `json:"partiallyDegraded,omitempty"`
}

// TotalCount is a {"total": N} counter.
type TotalCount struct {
	Total int `json:"total,omitempty"`
}

// MeshInsight is one item of /mesh-insights (computed on global and standalone only).
type MeshInsight struct {
	Meta
	Dataplanes       *ProxyCounts          `json:"dataplanes,omitempty"`
	Policies         map[string]TotalCount `json:"policies,omitempty"`
	DpVersions       *DpVersions           `json:"dpVersions,omitempty"`
	MTLS             *MeshInsightMTLS      `json:"mTLS,omitempty"`
	Services         *ServiceCounts        `json:"services,omitempty"`
	DataplanesByType *DataplanesByType     `json:"dataplanesByType,omitempty"`
	Resources        map[string]TotalCount `json:"resources,omitempty"`
}

// DpVersions counts proxies per kuma-dp and Envoy version ("unknown" if never connected).
type DpVersions struct {
	KumaDp map[string]ProxyCounts `json:"kumaDp,omitempty"`
	Envoy  map[string]ProxyCounts `json:"envoy,omitempty"`
}

// MeshInsightMTLS counts proxies per certificate backend (a KRI in 3.0).
type MeshInsightMTLS struct {
	IssuedBackends    map[string]ProxyCounts `json:"issuedBackends,omitempty"`
	SupportedBackends map[string]ProxyCounts `json:"supportedBackends,omitempty"`
}

// ServiceCounts is MeshInsight.services (removed in 3.0).
type ServiceCounts struct {
	Total    int `json:"total,omitempty"`
	Internal int `json:"internal,omitempty"`
	External int `json:"external,omitempty"`
}

// DataplanesByType is MeshInsight.dataplanesByType.
type DataplanesByType struct {
	Standard         *ProxyCounts `json:"standard,omitempty"`
	Gateway          *ProxyCounts `json:"gateway,omitempty"`
	GatewayBuiltin   *ProxyCounts `json:"gatewayBuiltin,omitempty"`
	GatewayDelegated *ProxyCounts `json:"gatewayDelegated,omitempty"`
}

// DiscoveryStats are xDS/KDS counters; uint64, so strings on the wire.
type DiscoveryStats struct {
	ResponsesSent         Uint64 `json:"responsesSent,omitempty"`
	ResponsesAcknowledged Uint64 `json:"responsesAcknowledged,omitempty"`
	ResponsesRejected     Uint64 `json:"responsesRejected,omitempty"`
}

// SubscriptionStatus is subscriptions[].status. Dataplanes report cds/eds/lds/rds,
// zones report stat per resource type. The CP writes "rds": {} when nothing was sent,
// hence the pointers.
type SubscriptionStatus struct {
	LastUpdateTime Timestamp                 `json:"lastUpdateTime,omitempty"`
	Total          *DiscoveryStats           `json:"total,omitempty"`
	CDS            *DiscoveryStats           `json:"cds,omitempty"`
	EDS            *DiscoveryStats           `json:"eds,omitempty"`
	LDS            *DiscoveryStats           `json:"lds,omitempty"`
	RDS            *DiscoveryStats           `json:"rds,omitempty"`
	Stat           map[string]DiscoveryStats `json:"stat,omitempty"`
}

// ZoneOverview is one item of /zones+insights (or /zones/_overview).
type ZoneOverview struct {
	Meta
	Zone        *ZoneSpec    `json:"zone,omitempty"`
	ZoneInsight *ZoneInsight `json:"zoneInsight,omitempty"`
}

// ZoneSpec is the Zone resource; a zone CP reports its own zone as {}.
type ZoneSpec struct {
	Enabled *bool `json:"enabled,omitempty"`
}

// ZoneInsight holds the zone CP's KDS subscriptions to global.
type ZoneInsight struct {
	Subscriptions     []KDSSubscription `json:"subscriptions,omitempty"`
	HealthCheck       *HealthCheck      `json:"healthCheck,omitempty"`
	KDSStreams        json.RawMessage   `json:"kdsStreams,omitempty"`
	EnvoyAdminStreams json.RawMessage   `json:"envoyAdminStreams,omitempty"`
}

// HealthCheck is the last time the zone CP reported in.
type HealthCheck struct {
	Time Timestamp `json:"time,omitempty"`
}

// KDSSubscription is one zone→global connection.
type KDSSubscription struct {
	ID               string             `json:"id,omitempty"`
	GlobalInstanceID string             `json:"globalInstanceId,omitempty"`
	ZoneInstanceID   string             `json:"zoneInstanceId,omitempty"`
	ConnectTime      Timestamp          `json:"connectTime,omitempty"`
	DisconnectTime   Timestamp          `json:"disconnectTime,omitempty"`
	Status           SubscriptionStatus `json:"status"`
	Version          *KDSVersion        `json:"version,omitempty"`
	Generation       uint32             `json:"generation,omitempty"`
	// Config is the zone CP's configuration as a JSON document inside a string.
	Config string `json:"config,omitempty"`
}

// KDSVersion is the zone CP's version.
type KDSVersion struct {
	KumaCP *KumaCPVersion `json:"kumaCp,omitempty"`
}

// KumaCPVersion describes a zone CP build.
type KumaCPVersion struct {
	Version                string `json:"version,omitempty"`
	GitTag                 string `json:"gitTag,omitempty"`
	GitCommit              string `json:"gitCommit,omitempty"`
	BuildDate              string `json:"buildDate,omitempty"`
	KumaCPGlobalCompatible bool   `json:"kumaCpGlobalCompatible,omitempty"`
}

// ServiceInsight is one kuma.io/service of /meshes/{m}/service-insights (always empty in 3.0).
type ServiceInsight struct {
	Meta
	Status         string             `json:"status,omitempty"`
	Dataplanes     *ServiceDataplanes `json:"dataplanes,omitempty"`
	IssuedBackends map[string]int     `json:"issuedBackends,omitempty"`
	ServiceType    string             `json:"serviceType,omitempty"`
	AddressPort    string             `json:"addressPort,omitempty"`
	Zones          []string           `json:"zones,omitempty"`
}

// ServiceInsight.status values.
const (
	ServiceOnline            = "online"
	ServiceOffline           = "offline"
	ServicePartiallyDegraded = "partially_degraded"
	ServiceNotAvailable      = "not_available"
)

// ServiceInsight.serviceType values; internal is the omitted default.
const (
	ServiceTypeInternal         = "internal"
	ServiceTypeExternal         = "external"
	ServiceTypeGatewayBuiltin   = "gateway_builtin"
	ServiceTypeGatewayDelegated = "gateway_delegated"
)

// Type is serviceType with the omitted default filled in. It shadows the embedded
// Meta.Type ("ServiceInsight"); use s.Meta.Type for that.
func (s ServiceInsight) Type() string {
	if s.ServiceType == "" {
		return ServiceTypeInternal
	}
	return s.ServiceType
}

// ServiceDataplanes counts a service's proxies; a partially degraded proxy counts as offline.
type ServiceDataplanes struct {
	Total   int `json:"total,omitempty"`
	Online  int `json:"online,omitempty"`
	Offline int `json:"offline,omitempty"`
}

// DataplaneOverview is one item of /meshes/{m}/dataplanes+insights (or _overview).
// DataplaneInsight is absent from list items for a proxy that never connected.
type DataplaneOverview struct {
	Meta
	Dataplane        Dataplane         `json:"dataplane"`
	DataplaneInsight *DataplaneInsight `json:"dataplaneInsight,omitempty"`
}

// Dataplane is the Dataplane spec.
type Dataplane struct {
	Networking DataplaneNetworking `json:"networking"`
	Metrics    json.RawMessage     `json:"metrics,omitempty"`
	Probes     json.RawMessage     `json:"probes,omitempty"`
}

// DataplaneNetworking is dataplane.networking. Listeners are 3.0 zone proxies.
type DataplaneNetworking struct {
	Address             string          `json:"address,omitempty"`
	AdvertisedAddress   string          `json:"advertisedAddress,omitempty"`
	Gateway             *Gateway        `json:"gateway,omitempty"`
	Inbound             []Inbound       `json:"inbound,omitempty"`
	Outbound            []Outbound      `json:"outbound,omitempty"`
	Listeners           []Listener      `json:"listeners,omitempty"`
	TransparentProxying json.RawMessage `json:"transparentProxying,omitempty"`
	Admin               json.RawMessage `json:"admin,omitempty"`
}

// Gateway types. DELEGATED is proto enum 0, so the CP omits it: "" means delegated.
const (
	GatewayTypeBuiltin   = "BUILTIN"
	GatewayTypeDelegated = "DELEGATED"
)

// Gateway marks a gateway proxy.
type Gateway struct {
	Tags map[string]string `json:"tags,omitempty"`
	Type string            `json:"type,omitempty"`
}

// Inbound states; Ready is proto enum 0 and omitted.
const (
	InboundReady    = "Ready"
	InboundNotReady = "NotReady"
	InboundIgnored  = "Ignored"
)

// Inbound is one inbound listener. 3.0 drops tags and adds protocol.
type Inbound struct {
	Port           int               `json:"port,omitempty"`
	ServicePort    int               `json:"servicePort,omitempty"`
	ServiceAddress string            `json:"serviceAddress,omitempty"`
	Address        string            `json:"address,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	Name           string            `json:"name,omitempty"`
	Protocol       string            `json:"protocol,omitempty"`
	State          string            `json:"state,omitempty"`
	Health         *InboundHealth    `json:"health,omitempty"`
}

// InboundHealth is the probe result; "health": {} means ready=false (omitted zero).
type InboundHealth struct {
	Ready bool `json:"ready,omitempty"`
}

// Outbound is one outbound; 2.14 uses tags, 3.0 uses backendRef.
type Outbound struct {
	Address    string            `json:"address,omitempty"`
	Port       int               `json:"port,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	BackendRef *BackendRef       `json:"backendRef,omitempty"`
}

// BackendRef points at a MeshService, MeshMultiZoneService or MeshExternalService.
type BackendRef struct {
	Kind   string            `json:"kind,omitempty"`
	Name   string            `json:"name,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	Port   int               `json:"port,omitempty"`
}

// Listener is a 3.0 zone proxy listener (type ZoneIngress or ZoneEgress).
type Listener struct {
	Type    string `json:"type,omitempty"`
	Address string `json:"address,omitempty"`
	Port    int    `json:"port,omitempty"`
	Name    string `json:"name,omitempty"`
}

// DataplaneInsight is what the CP knows about the proxy's connections.
type DataplaneInsight struct {
	Subscriptions []DiscoverySubscription `json:"subscriptions,omitempty"`
	MTLS          *DataplaneMTLS          `json:"mTLS,omitempty"`
	// Metadata is kuma-dp's node metadata: dotted keys ("dataplane.admin.port") with
	// string values, plus "version" and "features".
	Metadata map[string]any `json:"metadata,omitempty"`
}

// DiscoverySubscription is one xDS connection of a proxy.
type DiscoverySubscription struct {
	ID                     string             `json:"id,omitempty"`
	ControlPlaneInstanceID string             `json:"controlPlaneInstanceId,omitempty"`
	ConnectTime            Timestamp          `json:"connectTime,omitempty"`
	DisconnectTime         Timestamp          `json:"disconnectTime,omitempty"`
	Status                 SubscriptionStatus `json:"status"`
	Version                *ProxyVersion      `json:"version,omitempty"`
	Generation             uint32             `json:"generation,omitempty"`
}

// ProxyVersion is the kuma-dp and Envoy build of a subscription.
type ProxyVersion struct {
	KumaDp       *KumaDpVersion    `json:"kumaDp,omitempty"`
	Envoy        *EnvoyVersion     `json:"envoy,omitempty"`
	Dependencies map[string]string `json:"dependencies,omitempty"`
}

// KumaDpVersion is a kuma-dp build.
type KumaDpVersion struct {
	Version          string `json:"version,omitempty"`
	GitTag           string `json:"gitTag,omitempty"`
	GitCommit        string `json:"gitCommit,omitempty"`
	BuildDate        string `json:"buildDate,omitempty"`
	KumaCPCompatible bool   `json:"kumaCpCompatible,omitempty"`
}

// EnvoyVersion is an Envoy build.
type EnvoyVersion struct {
	Version          string `json:"version,omitempty"`
	Build            string `json:"build,omitempty"`
	KumaDpCompatible bool   `json:"kumaDpCompatible,omitempty"`
}

// DataplaneMTLS is the proxy's certificate state; backends are KRIs in 3.0.
type DataplaneMTLS struct {
	CertificateExpirationTime   Timestamp `json:"certificateExpirationTime,omitempty"`
	LastCertificateRegeneration Timestamp `json:"lastCertificateRegeneration,omitempty"`
	CertificateRegenerations    uint32    `json:"certificateRegenerations,omitempty"`
	IssuedBackend               string    `json:"issuedBackend,omitempty"`
	SupportedBackends           []string  `json:"supportedBackends,omitempty"`
}

// MeshGateway is a builtin gateway (removed in 3.0).
type MeshGateway struct {
	Meta
	Selectors []Selector        `json:"selectors,omitempty"`
	Conf      *MeshGatewayConf  `json:"conf,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// Selector matches proxies by tags.
type Selector struct {
	Match map[string]string `json:"match,omitempty"`
}

// MeshGatewayConf holds the gateway's listeners.
type MeshGatewayConf struct {
	Listeners []MeshGatewayListener `json:"listeners,omitempty"`
}

// MeshGatewayListener is one gateway listener.
type MeshGatewayListener struct {
	Hostname  string            `json:"hostname,omitempty"`
	Port      int               `json:"port,omitempty"`
	Protocol  string            `json:"protocol,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
	TLS       json.RawMessage   `json:"tls,omitempty"`
	CrossMesh bool              `json:"crossMesh,omitempty"`
	Resources json.RawMessage   `json:"resources,omitempty"`
}

// SNI is a TLS server name the CP generated for a service port.
type SNI struct {
	Port int    `json:"port,omitempty"`
	SNI  string `json:"sni,omitempty"`
}

// Port is a service port. TargetPort may be a name on Kubernetes.
type Port struct {
	Name        string       `json:"name,omitempty"`
	Port        int          `json:"port,omitempty"`
	TargetPort  *IntOrString `json:"targetPort,omitempty"`
	AppProtocol string       `json:"appProtocol,omitempty"`
}

// LabelSelector is {"matchLabels": {...}}.
type LabelSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// VIP is a virtual IP assigned to a service.
type VIP struct {
	IP string `json:"ip,omitempty"`
}

// MeshService is the new-model service (one per workload and zone).
type MeshService struct {
	Meta
	SNIs   []SNI              `json:"snis,omitempty"`
	Spec   MeshServiceSpec    `json:"spec"`
	Status *MeshServiceStatus `json:"status,omitempty"`
}

// MeshService spec.state values.
const (
	MeshServiceAvailable   = "Available"
	MeshServiceUnavailable = "Unavailable"
)

// MeshServiceSpec is the MeshService spec.
type MeshServiceSpec struct {
	State      string               `json:"state,omitempty"`
	Selector   *MeshServiceSelector `json:"selector,omitempty"`
	Ports      []Port               `json:"ports,omitempty"`
	Identities []ServiceIdentity    `json:"identities,omitempty"`
}

// MeshServiceSelector selects the service's proxies (tags in 2.14, labels in 3.0).
type MeshServiceSelector struct {
	DataplaneTags   map[string]string `json:"dataplaneTags,omitempty"`
	DataplaneLabels *LabelSelector    `json:"dataplaneLabels,omitempty"`
	DataplaneRef    json.RawMessage   `json:"dataplaneRef,omitempty"`
}

// ServiceIdentity is an identity of a MeshService (ServiceTag or SpiffeID).
type ServiceIdentity struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value,omitempty"`
}

// MeshServiceStatus is the CP-maintained status. DataplaneProxies is {} where the
// proxies are not known (a zone-2 service seen on zone-1).
type MeshServiceStatus struct {
	Addresses          json.RawMessage   `json:"addresses,omitempty"`
	VIPs               []VIP             `json:"vips,omitempty"`
	TLS                json.RawMessage   `json:"tls,omitempty"`
	HostnameGenerators json.RawMessage   `json:"hostnameGenerators,omitempty"`
	DataplaneProxies   *DataplaneProxies `json:"dataplaneProxies,omitempty"`
}

// TLSReady reports status.tls.status "Ready": the CP has issued the identity its
// proxies serve mTLS with (Kuma 2.x MeshServices and 3.0 alike; an empty tls object is
// not ready).
func (ms MeshService) TLSReady() bool {
	if ms.Status == nil || len(ms.Status.TLS) == 0 {
		return false
	}
	var tls struct {
		Status string `json:"status"`
	}
	return json.Unmarshal(ms.Status.TLS, &tls) == nil && tls.Status == "Ready"
}

// DataplaneProxies counts a MeshService's proxies; zeros omitted, missing connected = none.
type DataplaneProxies struct {
	Connected int `json:"connected,omitempty"`
	Healthy   int `json:"healthy,omitempty"`
	Total     int `json:"total,omitempty"`
}

// MeshMultiZoneService groups MeshServices of several zones.
type MeshMultiZoneService struct {
	Meta
	SNIs   []SNI                       `json:"snis,omitempty"`
	Spec   MeshMultiZoneServiceSpec    `json:"spec"`
	Status *MeshMultiZoneServiceStatus `json:"status,omitempty"`
}

// MeshMultiZoneServiceSpec selects MeshServices by labels.
type MeshMultiZoneServiceSpec struct {
	Selector MeshMultiZoneServiceSelector `json:"selector"`
	Ports    []Port                       `json:"ports,omitempty"`
}

// MeshMultiZoneServiceSelector is spec.selector.
type MeshMultiZoneServiceSelector struct {
	MeshService LabelSelector `json:"meshService"`
}

// MeshMultiZoneServiceStatus is filled on zone CPs only ({} on global).
type MeshMultiZoneServiceStatus struct {
	Addresses          json.RawMessage  `json:"addresses,omitempty"`
	VIPs               []VIP            `json:"vips,omitempty"`
	MeshServices       []MeshServiceRef `json:"meshServices,omitempty"`
	HostnameGenerators json.RawMessage  `json:"hostnameGenerators,omitempty"`
	Conditions         json.RawMessage  `json:"conditions,omitempty"`
}

// MeshServiceRef names a matched MeshService; the CP writes "namespace": "" in universal.
type MeshServiceRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Zone      string `json:"zone"`
	Mesh      string `json:"mesh"`
}

// MeshExternalService is a new-model external service.
type MeshExternalService struct {
	Meta
	SNIs   []SNI                   `json:"snis,omitempty"`
	Spec   MeshExternalServiceSpec `json:"spec"`
	Status json.RawMessage         `json:"status,omitempty"`
}

// MeshExternalServiceSpec is the MeshExternalService spec.
type MeshExternalServiceSpec struct {
	Match     ExternalMatch      `json:"match"`
	Endpoints []ExternalEndpoint `json:"endpoints,omitempty"`
	// TLS is kept raw: the CP writes explicit false values there.
	TLS       json.RawMessage `json:"tls,omitempty"`
	Extension json.RawMessage `json:"extension,omitempty"`
}

// ExternalMatch is the port and protocol the mesh sees.
type ExternalMatch struct {
	Type     string `json:"type,omitempty"`
	Port     int    `json:"port,omitempty"`
	Protocol string `json:"protocol,omitempty"`
}

// ExternalEndpoint is where traffic is sent.
type ExternalEndpoint struct {
	Address string `json:"address,omitempty"`
	Port    int    `json:"port,omitempty"`
}

// ExternalService is the legacy ExternalService (removed in 3.0).
type ExternalService struct {
	Meta
	Networking ExternalServiceNetworking `json:"networking"`
	Tags       map[string]string         `json:"tags,omitempty"`
}

// ExternalServiceNetworking is the external address ("host:port") and TLS settings.
type ExternalServiceNetworking struct {
	Address string          `json:"address,omitempty"`
	TLS     json.RawMessage `json:"tls,omitempty"`
}

// Workload (3.0) is one kuma.io/workload value in one zone.
type Workload struct {
	Meta
	Spec   json.RawMessage `json:"spec,omitempty"`
	Status *WorkloadStatus `json:"status,omitempty"`
}

// WorkloadStatus holds the workload's proxy counters.
type WorkloadStatus struct {
	DataplaneProxies WorkloadProxies `json:"dataplaneProxies"`
}

// WorkloadProxies are always present, zeros included (unlike MeshService's). Healthy
// means at least one ready inbound.
type WorkloadProxies struct {
	Connected int `json:"connected"`
	Healthy   int `json:"healthy"`
	Total     int `json:"total"`
}

// ErrorBody is the CP's JSON error document.
type ErrorBody struct {
	Type              string             `json:"type,omitempty"` // "/std-errors"
	Status            int                `json:"status,omitempty"`
	Title             string             `json:"title,omitempty"`
	Detail            string             `json:"detail,omitempty"`
	Details           string             `json:"details,omitempty"`
	InvalidParameters []InvalidParameter `json:"invalid_parameters,omitempty"`
	Causes            []Cause            `json:"causes,omitempty"`
}

// InvalidParameter names a rejected request field.
type InvalidParameter struct {
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Cause is the older form of InvalidParameter that the CP still sends.
type Cause struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message,omitempty"`
}
