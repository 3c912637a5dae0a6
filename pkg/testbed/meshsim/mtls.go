package meshsim

import (
	"math"
	"strconv"
)

// Certificates of dataplanes in mTLS meshes: Kuma issues them for 24 h and rotates
// them when 4/5 of the lifetime is gone (kuma-dp's SDS defaults).
const (
	certLifetime = 24 * 3600.0
	certRotation = certLifetime * 4 / 5
)

// rotations is how many certificates a proxy has received T seconds after it started.
func rotations(t float64) float64 { return 1 + math.Floor(t/certRotation) }

// mtlsMetrics writes a sidecar's certificate, handshake and MeshTrafficPermission families, for
// meshes with mTLS (kumahq/kuma app/kuma-dp/pkg/dataplane/metrics/testdata/profiles/basic.golden
// keeps both under MeshMetric's default profile): the inbound listener's certificate
// updates over SDS, and the inbound's network RBAC filter (Kuma's stat prefix is the
// inbound cluster's name) allowing every connection: the simulated meshes allow all.
func (d *Dataplane) mtlsMetrics(f *Families, inbound string, tr traffic, t float64) {
	if !d.Mesh.MTLS || d.Kind != KindSidecar {
		return
	}
	f.Counter("envoy_listener_server_ssl_socket_factory_ssl_context_update_by_sds", rotations(t),
		Label{"envoy_listener_address", d.Address + "_" + strconv.Itoa(d.Port())})
	l := Label{"envoy_cluster_name", inbound}
	f.Counter("envoy_rbac_allowed", tr.total((*Edge).cxRate), l)
	f.Counter("envoy_rbac_denied", 0, l)
	// Every mesh connection is an mTLS handshake: inbound on the listener, outbound
	// on the cluster.
	f.Counter("envoy_listener_ssl_handshake", tr.total((*Edge).cxRate), Label{"envoy_listener_address", d.Address + "_" + strconv.Itoa(d.Port())})
	for _, o := range d.outbound {
		f.Counter("envoy_cluster_ssl_handshake", traffic{[]load{o.load}, t}.total((*Edge).cxRate), Label{"envoy_cluster_name", o.cluster})
	}
}

// certMetrics writes a zone CP's certificate families per mTLS mesh: Kuma 2.x counts
// the certificates it generated (cert_generation{mesh}); 3.0 exports when the
// MeshIdentity workload certificate expires (xds_cert_expiration_timestamp_seconds{mesh}).
// 2.x also times the CA's signing (ca_manager_get_cert{backend_name}); both export
// cert_generation_backoff and cert_generation_circuit_open (testdata/kuma-cp/*/zone/cp_metrics.txt).
func (s *Sim) certMetrics(f *Families, zone string, t float64, hist histogramOf) {
	f.Gauge("cert_generation_backoff", 0)
	f.Gauge("cert_generation_circuit_open", 0)
	for _, mesh := range s.model.Topology.Meshes {
		if !mesh.MTLS {
			continue
		}
		online := 0
		for _, d := range s.model.Dataplanes {
			if d.Mesh.Name == mesh.Name && d.Zone == zone && d.Online && d.Kind == KindSidecar {
				online++
			}
		}
		l := Label{"mesh", mesh.Name}
		if s.opts.KumaVersion == 3 {
			lastRotation := math.Floor(t/certRotation) * certRotation
			start := float64(s.opts.Start.UnixMilli()) / 1000
			f.Gauge("xds_cert_expiration_timestamp_seconds", start+lastRotation+certLifetime, l)
			continue
		}
		f.Counter("cert_generation", float64(online)*rotations(t), l)
		// Each certificate is signed by the mesh's builtin CA backend.
		hist("ca_manager_get_cert", float64(online)*rotations(t), Label{"backend_name", "ca-1"})
	}
}
