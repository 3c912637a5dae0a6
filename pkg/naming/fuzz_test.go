package naming

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Seeds live in testdata/fuzz/<Target>/ (go test's corpus format) as well.
func FuzzParseKRI(f *testing.F) {
	f.Add("kri_msvc_default_zone-1__backend_http")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKRI(s)
		if err != nil {
			return
		}
		if k.String() != s {
			t.Fatalf("round trip: %q → %+v → %q", s, k, k.String())
		}
		if k.Type == "" || k.Name == "" || strings.Contains(k.Name, "_") {
			t.Fatalf("accepted %q as %+v", s, k)
		}
	})
}

func FuzzClusterName(f *testing.F) {
	f.Add("backend_kuma-demo_svc_3001-0123456789abcdef")
	internal := regexp.MustCompile("^(?:" + InternalClusterRegex() + ")$")
	f.Fuzz(func(t *testing.T, cluster string) {
		if utf8.ValidString(cluster) && internal.MatchString(cluster) != IsInternalCluster(cluster) {
			t.Fatalf("%q: the PromQL filter and IsInternalCluster disagree", cluster)
		}
		d, ok := ParseCluster(cluster)
		if !ok {
			return
		}
		if IsInternalCluster(cluster) {
			t.Fatalf("internal cluster %q parsed as %+v", cluster, d)
		}
		if d.Name == "" {
			t.Fatalf("%q gave an empty name: %+v", cluster, d)
		}
		if d.Kind == DestinationService && d.Name != StripSplitSuffix(cluster) {
			t.Fatalf("%q: legacy name %q is not the cluster without its split suffix", cluster, d.Name)
		}
	})
}
