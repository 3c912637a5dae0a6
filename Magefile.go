//go:build mage

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/build"
	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	//mage:import
	_ "github.com/grafana/grafana-plugin-sdk-go/build"
)

// plugin.json lives at the repository root, not in src/ as the SDK assumes.
func init() {
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		return cfg, nil
	})
}

// Default builds the backend for every platform Grafana ships on:
// {linux,darwin,windows} × {amd64,arm64}.
var Default = All

// All builds the six release binaries into dist/.
func All() {
	b := build.Build{}
	mg.Deps(b.Linux, b.LinuxARM64, b.Darwin, b.DarwinARM64, b.Windows, WindowsARM64)
}

// WindowsARM64 builds the backend for Windows on ARM64.
func WindowsARM64() error {
	return build.Build{}.Custom("windows", "arm64")
}

// Frontend builds dist/module.js and copies plugin.json, dashboards and images into dist/.
func Frontend() error {
	return sh.RunV("npm", "run", "build")
}

// Plugin builds what Grafana loads on this machine: the backend for this platform and the front end.
func Plugin() {
	mg.SerialDeps(build.Build{}.Backend, Frontend)
}

// TestAll runs every test: Go (unit, golden, gRPC protocol against the built binary in
// dist/, real-Prometheus tests), the front end (types, lint, jest), the built front end in
// headless Chromium (browser) and the API compatibility with the oldest Grafana supported (levitate).
func TestAll() error {
	mg.SerialDeps(Plugin)
	binary, err := pluginBinary()
	if err != nil {
		return err
	}
	steps := []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"go", "vet", "./..."}},
		{map[string]string{"KUMA_PLUGIN_BINARY": binary, prometheus3Env: prometheus3()}, []string{"go", "test", "-count=1", "./..."}},
		{nil, []string{"go", "tool", "mage", "fuzz"}},
		{nil, []string{"npm", "run", "typecheck"}},
		{nil, []string{"npm", "run", "lint"}},
		{nil, []string{"npm", "run", "test:ci"}},
	}
	for _, s := range steps {
		if err := sh.RunWithV(s.env, s.args[0], s.args[1:]...); err != nil {
			return err
		}
	}
	if err := browserTest(binary, nil); err != nil {
		return err
	}
	if err := Levitate(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, "all tests passed")
	return nil
}

// prometheus3Env names the Prometheus 3 binary the store tests run (promtest.Prometheus3Env).
const prometheus3Env = "KUMA_PROMETHEUS3_BINARY"

// prometheus3 is the Prometheus 3 binary for the store tests: the environment's, else the one
// .ci/run builds into the cache (the tests skip without it, and fail when CI is set).
func prometheus3() string {
	if bin := os.Getenv(prometheus3Env); bin != "" {
		return bin
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(cache, "kuma-ds", "prom3", "prometheus")
}

func pluginBinary() (string, error) {
	return filepath.Abs(filepath.Join("dist", fmt.Sprintf("gpx_kuma-datasource_%s_%s", runtime.GOOS, runtime.GOARCH)))
}

// Browser loads the built front end in headless Chromium (Debian package chromium) through a
// stand-in Grafana page, with the built backend and the simulated mesh behind it, and drives the
// config, query and variable editors (pkg/testbed/e2e/browser, tests/browser; docs/browser-test.md).
func Browser() error {
	mg.SerialDeps(Plugin)
	binary, err := pluginBinary()
	if err != nil {
		return err
	}
	return browserTest(binary, nil)
}

// screenshotsDir is where Screenshots writes the images plugin.json lists and README shows.
const screenshotsDir = "src/img/screenshots"

// Screenshots runs the browser test and rewrites the screenshots in src/img/screenshots (tracked
// files: the test command never does this).
func Screenshots() error {
	mg.SerialDeps(Plugin)
	binary, err := pluginBinary()
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(screenshotsDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return browserTest(binary, map[string]string{"KUMA_SCREENSHOTS": dir})
}

func browserTest(binary string, extra map[string]string) error {
	env := map[string]string{"KUMA_BROWSER_TEST": "1", "KUMA_PLUGIN_BINARY": binary, "PUPPETEER_SKIP_DOWNLOAD": "1"}
	for k, v := range extra {
		env[k] = v
	}
	return sh.RunWithV(env, "go", "test", "-count=1", "-timeout", "10m", "-run", "^TestBrowser", "./pkg/testbed/e2e/browser")
}

// Levitate checks that src/module.ts uses only APIs that exist in the @grafana packages of the
// oldest Grafana that plugin.json's grafanaDependency accepts (fetched from the npm registry).
func Levitate() error {
	floor, err := grafanaFloor()
	if err != nil {
		return err
	}
	var targets []string
	for _, p := range []string{"@grafana/data", "@grafana/ui", "@grafana/runtime"} {
		targets = append(targets, p+"@"+floor)
	}
	return sh.RunV("npx", "--no-install", "levitate", "is-compatible", "--path", "src/module.ts", "--target", strings.Join(targets, ","))
}

// grafanaFloor is the version in plugin.json's grafanaDependency (">=10.4.0" → "10.4.0").
func grafanaFloor() (string, error) {
	raw, err := os.ReadFile("plugin.json")
	if err != nil {
		return "", err
	}
	var meta struct {
		Dependencies struct {
			GrafanaDependency string `json:"grafanaDependency"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return "", fmt.Errorf("plugin.json: %w", err)
	}
	floor := strings.TrimSpace(strings.TrimPrefix(meta.Dependencies.GrafanaDependency, ">="))
	if floor == "" || strings.ContainsAny(floor, " <>|^~") {
		return "", fmt.Errorf("plugin.json grafanaDependency %q: want >=<version>", meta.Dependencies.GrafanaDependency)
	}
	return floor, nil
}

// fuzzTime is how long CI runs each fuzz target: long enough to replay the committed corpus
// and explore a little, short enough to keep the suite well under its budget.
const fuzzTime = "5s"

// Fuzz runs every Fuzz* target of the module for a short time each.
func Fuzz() error {
	out, err := sh.Output("go", "test", "-list", "^Fuzz", "./...")
	if err != nil {
		return err
	}
	pkg := ""
	// go test -list prints the targets of a package, then "ok  <package> <time>".
	var targets []string
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 1 && strings.HasPrefix(fields[0], "Fuzz"):
			targets = append(targets, fields[0])
		case len(fields) >= 2 && fields[0] == "ok":
			pkg = fields[1]
			for _, target := range targets {
				if err := sh.RunV("go", "test", "-run", "^$", "-fuzz", "^"+target+"$", "-fuzztime", fuzzTime, pkg); err != nil {
					return err
				}
			}
			targets = nil
		}
	}
	return nil
}

// Bench builds the backend binary and measures the service map over gRPC against it,
// beside the community plugin's queries, on a real Prometheus and VictoriaMetrics; it
// rewrites docs/performance.md and docs/performance.svg (needs prometheus, promtool and
// victoria-metrics; about 25 minutes on 2 cores).
func Bench() error {
	mg.SerialDeps(build.Build{}.Backend)
	binary, err := pluginBinary()
	if err != nil {
		return err
	}
	return sh.RunWithV(map[string]string{"KUMA_PLUGIN_BINARY": binary}, "go", "run", "./cmd/benchmap", "--out", "docs/performance.md")
}

// BenchJoin runs the join's go benchmarks (graph.Build at 100, 1,000 and 10,000 services)
// and writes docs/benchmark-join.md: medians, and each size as a ratio of the smallest
// measured in the same run.
func BenchJoin() error {
	out, err := sh.Output("go", "test", "-run", "^$", "-bench", "^BenchmarkBuild$", "-benchmem", "-count", "5", "./pkg/graph")
	if err != nil {
		return err
	}
	perSize := map[string][]float64{}
	var sizes []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkBuild/") || f[3] != "ns/op" {
			continue
		}
		size := strings.TrimPrefix(strings.Split(f[0], "-")[0], "BenchmarkBuild/")
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return err
		}
		if _, seen := perSize[size]; !seen {
			sizes = append(sizes, size)
		}
		perSize[size] = append(perSize[size], ns)
	}
	if len(sizes) == 0 {
		return fmt.Errorf("no BenchmarkBuild results in:\n%s", out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# The join at 100, 1,000 and 10,000 services\n\nWritten by `go tool mage benchJoin` (%s/%s, %d CPUs). ", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	b.WriteString("`graph.Build` on a synthetic legacy mesh (each service calls three others; requests by class and a\n")
	b.WriteString("14-bucket latency histogram per edge), medians of five runs. The map needs 4 PromQL round trips\n")
	b.WriteString("whatever the size (the community plugin: 12); end-to-end figures are in `performance.md`.\n\n")
	b.WriteString("| services | time per join (median) | × the 100-service join |\n|---:|---:|---:|\n")
	base := median(perSize[sizes[0]])
	for _, size := range sizes {
		m := median(perSize[size])
		fmt.Fprintf(&b, "| %s | %.1f ms | %.1f |\n", size, m/1e6, m/base)
	}
	b.WriteString("\nRaw output:\n\n```\n" + strings.TrimSpace(out) + "\n```\n")
	return os.WriteFile(filepath.Join("docs", "benchmark-join.md"), []byte(b.String()), 0o644)
}

func median(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[len(sorted)/2]
}
