package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/kumahq/kuma-grafana-datasource"

// TestTheTreeShowsWhatShips: every package under pkg/ is one the plugin binary imports,
// except the test bed under pkg/testbed/ and small <pkg>test helpers beside the package
// they fake (net/http/httptest's idiom). Generators and benchmarks live beside their
// commands in cmd/.
func TestTheTreeShowsWhatShips(t *testing.T) {
	list := func(args ...string) map[string]bool {
		t.Helper()
		out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		set := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			set[p] = true
		}
		return set
	}
	ships := list("-deps", ".")
	for p := range list("./...") {
		rel := strings.TrimPrefix(p, module+"/pkg")
		switch {
		case ships[p], strings.HasPrefix(rel, "/testbed/"):
		case strings.HasSuffix(rel, "test") && ships[strings.TrimSuffix(p, "/"+rel[strings.LastIndex(rel, "/")+1:])]:
		default:
			t.Errorf("%s does not ship in the binary: move it under pkg/testbed/ (test bed) or beside its command in cmd/ (tools)", p)
		}
	}
	for p := range ships {
		if strings.HasPrefix(p, module+"/pkg/testbed/") {
			t.Errorf("the binary imports the test bed package %s", p)
		}
	}
}
