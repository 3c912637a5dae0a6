package naming

import (
	"errors"
	"fmt"
	"strings"
)

const kriPrefix = "kri_"

// KRI is a Kuma Resource Identifier:
// kri_<type>_<mesh>_<zone>_<namespace>_<name>_<section>. Empty parts are
// allowed except type and name; Kuma names never contain "_", which is what
// makes the format splittable.
type KRI struct {
	Type      string // short type: msvc, mzsvc, extsvc, wl, dp, ...
	Mesh      string
	Zone      string
	Namespace string
	Name      string
	Section   string // port name or number, inbound name; may be empty
}

// KRI short types that denote traffic destinations.
const (
	KRITypeMeshService          = "msvc"
	KRITypeMeshMultiZoneService = "mzsvc"
	KRITypeMeshExternalService  = "extsvc"
)

var errKRI = errors.New("invalid KRI")

// ParseKRI parses s strictly: exactly seven "_"-separated parts.
func ParseKRI(s string) (KRI, error) {
	parts := strings.Split(s, "_")
	if len(parts) != 7 || parts[0] != "kri" {
		return KRI{}, fmt.Errorf("%w %q: want kri_<type>_<mesh>_<zone>_<namespace>_<name>_<section>", errKRI, s)
	}
	k := KRI{Type: parts[1], Mesh: parts[2], Zone: parts[3], Namespace: parts[4], Name: parts[5], Section: parts[6]}
	if k.Type == "" || k.Name == "" {
		return KRI{}, fmt.Errorf("%w %q: type and name are required", errKRI, s)
	}
	return k, nil
}

// String formats k; String(ParseKRI(s)) == s for every valid s.
func (k KRI) String() string {
	return strings.Join([]string{"kri", k.Type, k.Mesh, k.Zone, k.Namespace, k.Name, k.Section}, "_")
}
