package inventory

import (
	"reflect"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

func meshService(name, zone string, connected, healthy, total int, workload string) kuma.MeshService {
	ms := kuma.MeshService{
		Meta:   kuma.Meta{Name: name + "-hash", Labels: map[string]string{kuma.LabelDisplayName: name, kuma.LabelZone: zone}},
		Spec:   kuma.MeshServiceSpec{Ports: []kuma.Port{{Port: 80, AppProtocol: "http"}}},
		Status: &kuma.MeshServiceStatus{DataplaneProxies: &kuma.DataplaneProxies{Connected: connected, Healthy: healthy, Total: total}},
	}
	if workload != "" {
		ms.Spec.Selector = &kuma.MeshServiceSelector{DataplaneLabels: &kuma.LabelSelector{MatchLabels: map[string]string{graph.WorkloadLabel: workload}}}
	}
	return ms
}

func TestServices(t *testing.T) {
	insight := kuma.ServiceInsight{Meta: kuma.Meta{Name: "backend"}, Status: "partially_degraded",
		Dataplanes: &kuma.ServiceDataplanes{Total: 2, Online: 1, Offline: 1}, Zones: []string{"zone-2", "zone-1"}, IssuedBackends: map[string]int{"ca-1": 1}}
	tests := []struct {
		name         string
		insights     []kuma.ServiceInsight
		meshServices []kuma.MeshService
		externals    []kuma.MeshExternalService
		legacy       []kuma.ExternalService
		want         []Service
	}{
		{
			name:         "insight counts win, MeshServices add the protocol",
			insights:     []kuma.ServiceInsight{insight},
			meshServices: []kuma.MeshService{meshService("backend", "zone-1", 1, 1, 1, ""), meshService("backend", "zone-2", 0, 0, 1, "")},
			want:         []Service{{Name: "backend", Kind: kuma.ServiceTypeInternal, Status: kuma.ServicePartiallyDegraded, Online: 1, Offline: 1, Total: 2, Zones: []string{"zone-1", "zone-2"}, Protocol: "http", MTLS: true}},
		},
		{
			name:         "MeshServices alone (Exclusive mode, Kuma 3.0) are summed over zones",
			meshServices: []kuma.MeshService{meshService("api", "zone-2", 1, 1, 1, ""), meshService("api", "zone-1", 2, 2, 2, "")},
			want:         []Service{{Name: "api", Kind: kuma.ServiceTypeInternal, Status: kuma.ServiceOnline, Online: 3, Total: 3, Zones: []string{"zone-1", "zone-2"}, Protocol: "http"}},
		},
		{
			name:         "healthy but disconnected proxies are offline",
			meshServices: []kuma.MeshService{meshService("db", "zone-1", 0, 1, 1, "")},
			want:         []Service{{Name: "db", Kind: kuma.ServiceTypeInternal, Status: kuma.ServiceOffline, Offline: 1, Total: 1, Zones: []string{"zone-1"}, Protocol: "http"}},
		},
		{
			name:      "external services",
			externals: []kuma.MeshExternalService{{Meta: kuma.Meta{Name: "httpbin"}, Spec: kuma.MeshExternalServiceSpec{Match: kuma.ExternalMatch{Protocol: "http"}}}},
			want:      []Service{{Name: "httpbin", Kind: kuma.ServiceTypeExternal, Status: kuma.ServiceNotAvailable, Protocol: "http"}},
		},
		{
			name:   "legacy external services of an Exclusive mesh",
			legacy: []kuma.ExternalService{{Meta: kuma.Meta{Name: "stripe-api"}, Tags: map[string]string{kuma.TagService: "stripe-api", kuma.TagProtocol: "http"}, Networking: kuma.ExternalServiceNetworking{Address: "api.stripe.com:443"}}},
			want:   []Service{{Name: "stripe-api", Kind: kuma.ServiceTypeExternal, Status: kuma.ServiceNotAvailable, Protocol: "http", Address: "api.stripe.com:443"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Services(MeshResources{Insights: tt.insights, MeshServices: tt.meshServices, ExternalServices: tt.externals, LegacyExternalServices: tt.legacy})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestGateways(t *testing.T) {
	gw := func(name, zone, typ string, online bool) kuma.DataplaneOverview {
		o := kuma.DataplaneOverview{
			Meta:      kuma.Meta{Name: name, Labels: map[string]string{kuma.LabelZone: zone}},
			Dataplane: kuma.Dataplane{Networking: kuma.DataplaneNetworking{Gateway: &kuma.Gateway{Type: typ, Tags: map[string]string{kuma.TagService: "edge"}}}},
		}
		if online {
			o.DataplaneInsight = &kuma.DataplaneInsight{Subscriptions: []kuma.DiscoverySubscription{{ConnectTime: "2026-11-24T19:10:40Z"}},
				MTLS: &kuma.DataplaneMTLS{IssuedBackend: "ca-1"}}
		}
		return o
	}
	sidecar := kuma.DataplaneOverview{Meta: kuma.Meta{Name: "app-1"}}
	// The offline proxy holds no certificate: the gateway is not all mTLS.
	got := Gateways([]kuma.DataplaneOverview{gw("edge-1", "zone-1", kuma.GatewayTypeBuiltin, true), sidecar, gw("edge-2", "zone-2", kuma.GatewayTypeBuiltin, false)})
	want := []Service{{Name: "edge", Kind: kuma.ServiceTypeGatewayBuiltin, Status: kuma.ServicePartiallyDegraded, Online: 1, Offline: 1, Total: 2, Zones: []string{"zone-1", "zone-2"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := Gateways([]kuma.DataplaneOverview{gw("edge-1", "zone-1", kuma.GatewayTypeBuiltin, true)}); !got[0].MTLS {
		t.Errorf("a gateway whose proxies hold mesh certificates: %+v", got[0])
	}
}

func TestMeshServiceMTLSFromItsTLSStatus(t *testing.T) {
	ready, notReady := meshService("backend", "zone-1", 1, 1, 1, ""), meshService("backend", "zone-2", 1, 1, 1, "")
	ready.Status.TLS = []byte(`{"status":"Ready"}`)
	notReady.Status.TLS = []byte(`{}`)
	for _, tt := range []struct {
		name string
		ms   []kuma.MeshService
		want bool
	}{
		{"ready", []kuma.MeshService{ready}, true},
		{"one zone's not ready", []kuma.MeshService{ready, notReady}, false},
		{"no status", []kuma.MeshService{meshService("backend", "zone-1", 1, 1, 1, "")}, false},
	} {
		got := Services(MeshResources{MeshServices: tt.ms})
		if len(got) != 1 || got[0].MTLS != tt.want {
			t.Errorf("%s: %+v, want mTLS %v", tt.name, got, tt.want)
		}
	}
}

func TestGraphTopologyAddsWorkloadSelectorsWithoutCounting(t *testing.T) {
	topo := GraphTopology(MeshResources{
		MeshServices:      []kuma.MeshService{meshService("backend", "zone-1", 1, 1, 1, "backend-wl")},
		MultiZoneServices: []kuma.MeshMultiZoneService{{Meta: kuma.Meta{Name: "backend-mz"}}},
	})
	var total int
	var selectors []map[string]string
	kinds := map[string]graph.Kind{}
	for _, s := range topo.Services {
		total += s.Dataplanes.Total
		if s.Selector != nil {
			selectors = append(selectors, s.Selector)
		}
		kinds[s.Name] = s.Kind
	}
	if total != 1 {
		t.Errorf("dataplanes counted %d times, want once", total)
	}
	if len(selectors) != 1 || selectors[0][graph.WorkloadLabel] != "backend-wl" {
		t.Errorf("selectors = %v", selectors)
	}
	if kinds["backend-mz"] != graph.KindMultiZone || kinds["backend"] != graph.KindInternal {
		t.Errorf("kinds = %v", kinds)
	}
}

// A global CP lists one MeshService per zone: the map's topology keeps each zone's part so
// that groupByZone draws one node per zone, while the merged counts stay the table's.
func TestGraphTopologyKeepsEachZonesPart(t *testing.T) {
	topo := GraphTopology(MeshResources{MeshServices: []kuma.MeshService{
		meshService("backend", "zone-2", 0, 0, 1, "backend"),
		meshService("backend", "zone-1", 2, 2, 2, "backend"),
		meshService("local", "", 1, 1, 1, ""), // a zone CP's own MeshService names no zone
	}})
	want := []graph.ZonePart{
		{Zone: "zone-1", Status: graph.StatusOnline, Dataplanes: graph.Dataplanes{Online: 2, Total: 2}},
		{Zone: "zone-2", Status: graph.StatusOffline, Dataplanes: graph.Dataplanes{Offline: 1, Total: 1}},
	}
	var counted graph.Dataplanes
	for _, s := range topo.Services {
		switch {
		case s.Name == "local" && s.PerZone != nil:
			t.Errorf("local has zone parts %+v", s.PerZone)
		case s.Name != "backend":
		case s.Selector == nil:
			if !reflect.DeepEqual(s.PerZone, want) || s.Dataplanes != (graph.Dataplanes{Online: 2, Offline: 1, Total: 3}) {
				t.Errorf("backend = %+v, want parts %+v", s, want)
			}
			counted = counted.Add(s.Dataplanes)
		default: // the selector's copy counts nothing, per zone either
			for _, p := range s.PerZone {
				counted = counted.Add(p.Dataplanes)
			}
		}
	}
	if counted.Total != 3 {
		t.Errorf("backend's proxies counted %d times in all, want 3", counted.Total)
	}
}
