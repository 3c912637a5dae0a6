package prom

import (
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

var updateRules = flag.Bool("update-rules", false, "rewrite the shipped recording rules file from RecordingRules")

// rulesFile is the shipped recording rules file, relative to this package.
const rulesFile = "../../prometheus/kuma-datasource-rules.yaml"

// renderRules writes RecordingRules as a Prometheus rules file, one group per sub-query.
func renderRules() string {
	var b strings.Builder
	b.WriteString("# Recording rules of the Kuma data source for Grafana: what its service map reads, summed per\n" +
		"# edge (README \"Big meshes\"). Load the whole file (Prometheus rule_files, or the Thanos, Mimir\n" +
		"# or Cortex ruler, or vmalert). Generated from pkg/prom/rules.go by\n" +
		"# go test ./pkg/prom -run TestRulesFileIsCurrent -update-rules; do not edit by hand.\n" +
		"groups:\n")
	group := ""
	for _, r := range RecordingRules() {
		if r.GroupName() != group {
			group = r.GroupName()
			b.WriteString("  - name: " + group + "\n    interval: " + model.Duration(RuleInterval).String() + "\n    rules:\n")
		}
		b.WriteString("      - record: " + r.Record + "\n        expr: >-\n          " + r.Expr() + "\n")
	}
	return b.String()
}

func TestRulesFileIsCurrent(t *testing.T) {
	want := renderRules()
	if *updateRules {
		if err := os.WriteFile(rulesFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s differs from RecordingRules: run go test ./pkg/prom -run TestRulesFileIsCurrent -update-rules", rulesFile)
	}
}

// TestRulesFilePromtool checks the shipped file as Prometheus reads it, and runs its unit
// tests (input series and the recorded values they must give).
func TestRulesFilePromtool(t *testing.T) {
	promtool := promtest.Binary(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", rulesFile},
		{"test", "rules", strings.TrimSuffix(rulesFile, ".yaml") + ".test.yaml"},
	} {
		cmd := exec.CommandContext(t.Context(), promtool, args...)
		cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + t.TempDir(), "TZ=UTC", "LANG=C"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
