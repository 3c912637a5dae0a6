package kuma

import "fmt"

// DataplaneStatus is a proxy's health as Kuma computes it
// (DataplaneOverviewResource.Status in kuma; the CP does not return it).
type DataplaneStatus string

// Dataplane statuses, spelled like ServiceInsight.status.
const (
	DataplaneOnline            DataplaneStatus = "online"
	DataplaneOffline           DataplaneStatus = "offline"
	DataplanePartiallyDegraded DataplaneStatus = "partially_degraded"
)

// GatewayKind tells sidecars from the two kinds of gateway proxy.
type GatewayKind string

// Gateway kinds; GatewayNone is a sidecar (or a 3.0 zone proxy).
const (
	GatewayNone      GatewayKind = ""
	GatewayBuiltin   GatewayKind = "builtin"
	GatewayDelegated GatewayKind = "delegated"
)

// connectedNow reports whether any subscription is open: it has a connect time and
// no disconnect time. Kuma applies this rule to proxies and to zones alike.
func connectedNow[S any](subs []S, times func(S) (connect, disconnect Timestamp)) bool {
	for _, s := range subs {
		if c, d := times(s); c != "" && d == "" {
			return true
		}
	}
	return false
}

// IsOnline reports whether the proxy holds an open xDS stream. A nil insight (a proxy
// that never connected) is offline.
func (i *DataplaneInsight) IsOnline() bool {
	if i == nil {
		return false
	}
	return connectedNow(i.Subscriptions, func(s DiscoverySubscription) (Timestamp, Timestamp) {
		return s.ConnectTime, s.DisconnectTime
	})
}

// GatewayKind says whether the proxy is a builtin gateway, a delegated gateway or
// neither. DELEGATED is the omitted proto default, so a gateway without type is delegated.
func (d DataplaneOverview) GatewayKind() GatewayKind {
	gw := d.Dataplane.Networking.Gateway
	switch {
	case gw == nil:
		return GatewayNone
	case gw.Type == GatewayTypeBuiltin:
		return GatewayBuiltin
	default:
		return GatewayDelegated
	}
}

// Status computes the proxy's status the way kuma's DataplaneOverviewResource.Status
// does, and returns the reasons (like kumactl's NOTES column). Gateways are online or
// offline only. A sidecar is offline when disconnected or when every inbound is not
// ready, and partially degraded when only some are. Ignored inbounds do not count, and a
// proxy without inbounds (a 3.0 zone proxy) is judged by its connection alone.
func (d DataplaneOverview) Status() (DataplaneStatus, []string) {
	online := d.DataplaneInsight.IsOnline()
	if d.GatewayKind() != GatewayNone {
		if online {
			return DataplaneOnline, nil
		}
		return DataplaneOffline, nil
	}
	var notReady []string
	counted := 0
	for _, in := range d.Dataplane.Networking.Inbound {
		if in.State == InboundIgnored {
			continue
		}
		counted++
		if !in.ready() {
			notReady = append(notReady, in.notReadyNote())
		}
	}
	switch {
	case !online || (counted > 0 && len(notReady) == counted):
		return DataplaneOffline, notReady
	case len(notReady) > 0:
		return DataplanePartiallyDegraded, notReady
	default:
		return DataplaneOnline, nil
	}
}

// ready: "health": {} means ready=false (the zero value is omitted on the wire).
func (in Inbound) ready() bool {
	return in.State != InboundNotReady && (in.Health == nil || in.Health.Ready)
}

func (in Inbound) notReadyNote() string {
	if svc := in.Tags[TagService]; svc != "" {
		return fmt.Sprintf("inbound[port=%d,svc=%s] is not ready", in.Port, svc)
	}
	return fmt.Sprintf("inbound[port=%d] is not ready", in.Port)
}

// ProxyVersions are the kuma-dp and Envoy versions a proxy reported.
type ProxyVersions struct {
	KumaDp string
	Envoy  string
}

// Versions returns the versions of the proxy's latest subscription that reported any
// (kuma appends subscriptions, so the last one is the newest). Empty if never connected.
func (d DataplaneOverview) Versions() ProxyVersions {
	if d.DataplaneInsight == nil {
		return ProxyVersions{}
	}
	subs := d.DataplaneInsight.Subscriptions
	for i := len(subs) - 1; i >= 0; i-- {
		v := subs[i].Version
		if v == nil {
			continue
		}
		var out ProxyVersions
		if v.KumaDp != nil {
			out.KumaDp = v.KumaDp.Version
		}
		if v.Envoy != nil {
			out.Envoy = v.Envoy.Version
		}
		return out
	}
	return ProxyVersions{}
}

// IsOnline reports whether the zone CP holds an open KDS stream to global.
func (z ZoneOverview) IsOnline() bool {
	if z.ZoneInsight == nil {
		return false
	}
	return connectedNow(z.ZoneInsight.Subscriptions, func(s KDSSubscription) (Timestamp, Timestamp) {
		return s.ConnectTime, s.DisconnectTime
	})
}

// Enabled is zone.enabled; the CP omits it on a zone CP's own zone, which is enabled.
func (z ZoneOverview) Enabled() bool {
	return z.Zone == nil || z.Zone.Enabled == nil || *z.Zone.Enabled
}

// KumaCPVersion is the version the zone CP last reported ("" if never connected).
func (z ZoneOverview) KumaCPVersion() string {
	if z.ZoneInsight == nil {
		return ""
	}
	subs := z.ZoneInsight.Subscriptions
	for i := len(subs) - 1; i >= 0; i-- {
		if v := subs[i].Version; v != nil && v.KumaCP != nil {
			return v.KumaCP.Version
		}
	}
	return ""
}
