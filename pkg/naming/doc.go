// Package naming knows how Kuma names services and Envoy clusters across its
// naming regimes, so that metric label values and control-plane names can be
// joined into one service map.
//
// Three regimes exist in the wild:
//   - Legacy: sources carry the kuma_io_service label, destinations are Envoy
//     cluster names equal to a kuma.io/service value, possibly split into
//     "<name>-<16 hex>" clusters by traffic routes.
//   - MeshService: legacy labels, but clusters named after MeshServices:
//     "<mesh>_<name>_<namespace>_<zone>_msvc_<port>" (and _mzsvc_, _extsvc_).
//   - Unified (Kuma 3.0): sources carry kuma_workload, destinations are KRIs
//     such as "kri_msvc_<mesh>_<zone>_<namespace>_<name>_<section>".
package naming
