package naming

import (
	"regexp"
	"testing"
)

func TestParseCluster(t *testing.T) {
	tests := []struct {
		cluster string
		want    Destination
		service string
		ok      bool
	}{
		{"backend", Destination{Kind: DestinationService, Name: "backend"}, "backend", true},
		{"echo-server_kuma-test_svc_8080-a1b2c3d4e5f60718", Destination{Kind: DestinationService, Name: "echo-server_kuma-test_svc_8080"}, "echo-server_kuma-test_svc_8080", true},
		{"backend-A1B2C3D4E5F60718", Destination{Kind: DestinationService, Name: "backend-A1B2C3D4E5F60718"}, "backend-A1B2C3D4E5F60718", true},
		{"envoyconfig_test-server__kuma-3_msvc_80", Destination{Kind: DestinationMeshService, Mesh: "envoyconfig", Name: "test-server", Zone: "kuma-3", Port: "80", legacyName: true}, "test-server", true},
		{"default_backend_kuma-demo_zone-1_msvc_3001", Destination{Kind: DestinationMeshService, Mesh: "default", Name: "backend", Namespace: "kuma-demo", Zone: "zone-1", Port: "3001", legacyName: true}, "backend_kuma-demo_svc_3001", true},
		{"default_backend-mz___mzsvc_8080", Destination{Kind: DestinationMultiZone, Mesh: "default", Name: "backend-mz", Port: "8080", legacyName: true}, "backend-mz", true},
		{"default_httpbin___extsvc_443", Destination{Kind: DestinationExternal, Mesh: "default", Name: "httpbin", Port: "443", legacyName: true}, "httpbin", true},
		{"default_backend___msvc_http", Destination{Kind: DestinationService, Name: "default_backend___msvc_http"}, "default_backend___msvc_http", true},
		{"kri_msvc_envoyconfig_kuma-3__test-server_80", Destination{Kind: DestinationMeshService, Mesh: "envoyconfig", Zone: "kuma-3", Name: "test-server", Port: "80"}, "test-server", true},
		{"kri_msvc_default_zone-1_kuma-demo_backend_http", Destination{Kind: DestinationMeshService, Mesh: "default", Zone: "zone-1", Namespace: "kuma-demo", Name: "backend", Port: "http"}, "backend_kuma-demo", true},
		{"kri_mzsvc_default___backend-mz_8080", Destination{Kind: DestinationMultiZone, Mesh: "default", Name: "backend-mz", Port: "8080"}, "backend-mz", true},
		{"kri_extsvc_default___httpbin_443", Destination{Kind: DestinationExternal, Mesh: "default", Name: "httpbin", Port: "443"}, "httpbin", true},
		{"kri_mtp_default___allow_", Destination{}, "", false},
		{"kri_msvc_broken", Destination{}, "", false},
		{"ads_cluster", Destination{}, "", false},
		{"access_log_sink", Destination{}, "", false},
		{"kuma_envoy_admin", Destination{}, "", false},
		{"kuma:envoy:admin", Destination{}, "", false},
		{"_kuma:metrics:hijacker", Destination{}, "", false},
		{"inbound:passthrough:ipv4", Destination{}, "", false},
		{"outbound_passthrough_ipv6", Destination{}, "", false},
		{"localhost_3000", Destination{}, "", false},
		{"self_inbound_dp_80", Destination{}, "", false},
		{"self_transparentproxy_passthrough_outbound_ipv4", Destination{}, "", false},
		{"system_envoy_admin", Destination{}, "", false},
		{"meshtrace_zipkin", Destination{}, "", false},
		{"", Destination{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.cluster, func(t *testing.T) {
			got, ok := ParseCluster(tt.cluster)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("ParseCluster(%q) = %+v, %v; want %+v, %v", tt.cluster, got, ok, tt.want, tt.ok)
			}
			if ok && got.ServiceName() != tt.service {
				t.Errorf("ServiceName() = %q, want %q", got.ServiceName(), tt.service)
			}
		})
	}
}

func TestParseKRI(t *testing.T) {
	tests := []struct {
		in      string
		want    KRI
		wantErr bool
	}{
		{in: "kri_msvc_default_zone-1__backend_", want: KRI{Type: "msvc", Mesh: "default", Zone: "zone-1", Name: "backend"}},
		{in: "kri_mzsvc_default___backend-mz_8080", want: KRI{Type: "mzsvc", Mesh: "default", Name: "backend-mz", Section: "8080"}},
		{in: "kri_m____default_", want: KRI{Type: "m", Name: "default"}},
		{in: "kri_wl_default_zone-2_ns_backend_", want: KRI{Type: "wl", Mesh: "default", Zone: "zone-2", Namespace: "ns", Name: "backend"}},
		{in: "kri_msvc_default_zone-1__backend", wantErr: true},
		{in: "kri_msvc_default_zone-1__backend_http_extra", wantErr: true},
		{in: "kri__default_zone-1__backend_", wantErr: true},
		{in: "kri_msvc_default_zone-1___", wantErr: true},
		{in: "kra_msvc_default_zone-1__backend_", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseKRI(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseKRI(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err == nil && (got != tt.want || got.String() != tt.in) {
				t.Errorf("ParseKRI(%q) = %+v (String %q), want %+v", tt.in, got, got.String(), tt.want)
			}
		})
	}
}

func TestNormaliser(t *testing.T) {
	tests := []struct {
		rollup, in, want string
	}{
		{DefaultRollupRegEx, "backend_kuma-demo_svc_3001", "backend_kuma-demo"},
		{DefaultRollupRegEx, "backend_kuma-demo_svc", "backend_kuma-demo"},
		{DefaultRollupRegEx, "backend_kuma-demo_svc_3001-0123456789abcdef", "backend_kuma-demo"},
		{DefaultRollupRegEx, "backend", "backend"},
		{DefaultRollupRegEx, "_svc_80", "_svc_80"},
		{"", "backend_kuma-demo_svc_3001", "backend_kuma-demo_svc_3001"},
		{"", "backend-0123456789abcdef", "backend"},
		{`^(.*)-v[0-9]+$`, "backend-v2", "backend"},
	}
	for _, tt := range tests {
		t.Run(tt.rollup+"/"+tt.in, func(t *testing.T) {
			n, err := NewNormaliser(tt.rollup)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.Service(tt.in); got != tt.want {
				t.Errorf("Service(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewNormaliserRefusesBadExpressions(t *testing.T) {
	for _, re := range []string{"(", "_svc_[0-9]+", "(?P<x"} {
		if _, err := NewNormaliser(re); err == nil {
			t.Errorf("NewNormaliser(%q) accepted", re)
		}
	}
}

func TestDetectRegime(t *testing.T) {
	tests := []struct {
		name     string
		workload bool
		clusters []string
		want     Regime
	}{
		{"nothing", false, nil, RegimeLegacy},
		{"legacy", false, []string{"backend", "ads_cluster"}, RegimeLegacy},
		{"meshservice", false, []string{"backend", "default_backend__zone-1_msvc_80"}, RegimeMeshService},
		{"kri cluster", false, []string{"default_backend__zone-1_msvc_80", "kri_msvc_default_zone-1__backend_http"}, RegimeUnified},
		{"workload label", true, []string{"backend"}, RegimeUnified},
		{"bad kri is not unified", false, []string{"kri_nope"}, RegimeLegacy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectRegime(tt.workload, tt.clusters); got != tt.want {
				t.Errorf("DetectRegime = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRegimeLabels(t *testing.T) {
	for r, want := range map[Regime]Labels{
		RegimeLegacy:      {Source: LabelService, Zone: LabelLegacyZone},
		RegimeMeshService: {Source: LabelService, Zone: LabelLegacyZone},
		RegimeUnified:     {Source: LabelWorkload, Zone: LabelZone},
	} {
		if got, ok := r.Labels(); !ok || got != want || !r.Valid() {
			t.Errorf("%q.Labels() = %+v, %v", r, got, ok)
		}
	}
	if _, ok := RegimeAuto.Labels(); ok {
		t.Error("RegimeAuto has labels")
	}
	if Regime("x").Valid() {
		t.Error(`Regime("x") is valid`)
	}
}

func TestIsInboundStatPrefix(t *testing.T) {
	for prefix, want := range map[string]bool{
		"localhost_8080":                        true,
		"inbound_10.0.0.1_8080":                 true,
		"self_inbound_dp_80":                    true,
		"inbound_passthrough_ipv4":              false,
		"backend":                               false,
		"kri_msvc_default_zone-1__backend_http": false,
		"admin":                                 false,
	} {
		if got := IsInboundStatPrefix(prefix); got != want {
			t.Errorf("IsInboundStatPrefix(%q) = %v, want %v", prefix, got, want)
		}
	}
}

// TestInternalClusterRegexAgreesWithIsInternalCluster: the PromQL filter must drop
// exactly what the join would drop, no destination more.
func TestInternalClusterRegexAgreesWithIsInternalCluster(t *testing.T) {
	re := regexp.MustCompile("^(?:" + InternalClusterRegex() + ")$")
	for _, name := range []string{
		"", "ads_cluster", "admin", "access_log_sink", "kuma:envoy:admin", "kuma_envoy_admin", "localhost_8080",
		"inbound:passthrough:ipv4", "outbound_passthrough_ipv6", "_kuma:metrics:hijacker", "self_inbound_dp_80",
		"system_envoy_admin", "meshtrace_zipkin", "tracing:jaeger", "kuma_readiness",
		"backend", "backend_kuma-demo_svc_9090", "backend-0123456789abcdef", "default_backend__zone-1_msvc_80",
		"kri_msvc_default_zone-1__backend_http", "kri_extsvc_default___httpbin_443", "adminx", "xadmin", "self",
		"my-passthrough-svc", "inbound", "kuma", "tracing",
	} {
		if got, want := re.MatchString(name), IsInternalCluster(name); got != want {
			t.Errorf("%q: regex %v, IsInternalCluster %v", name, got, want)
		}
	}
}

// DisplayName undoes ServiceKey: a key made of a name and a namespace gives the name back.
func TestDisplayName(t *testing.T) {
	tests := []struct{ name, namespace string }{
		{"backend", "shop"},
		{"backend", ""},
		{"my_service", "kuma-demo"},
		{"stripe-api", ""},
	}
	for _, tt := range tests {
		key := ServiceKey(tt.name, tt.namespace)
		if got := DisplayName(key, tt.namespace); got != tt.name {
			t.Errorf("DisplayName(%q, %q) = %q, want %q", key, tt.namespace, got, tt.name)
		}
	}
	if got := DisplayName("backend_other", "shop"); got != "backend_other" {
		t.Errorf("a key of another namespace: %q, want it unchanged", got)
	}
}

func TestZoneProxyCluster(t *testing.T) {
	tests := []struct{ cluster, want string }{
		{"default_backend_kuma-demo_svc_8080", "backend_kuma-demo_svc_8080"}, // GetMeshClusterName
		{"default_httpbin.org", "httpbin.org"},                               // a legacy ExternalService at the egress
		{"default_backend_kuma-demo_zone-2_msvc_8080", "default_backend_kuma-demo_zone-2_msvc_8080"},
		{"default_httpbin___extsvc_443", "default_httpbin___extsvc_443"},
		{"kri_msvc_default_zone-2_kuma-demo_backend_http", "kri_msvc_default_zone-2_kuma-demo_backend_http"},
		{"other_backend", "other_backend"}, // not this mesh's: left as it is
	}
	for _, tt := range tests {
		if got := ZoneProxyCluster("default", tt.cluster); got != tt.want {
			t.Errorf("ZoneProxyCluster(default, %q) = %q, want %q", tt.cluster, got, tt.want)
		}
	}
}
