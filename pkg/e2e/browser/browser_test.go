// Package browser_test loads the built front end (dist/module.js) in headless Chromium through a
// stand-in for Grafana's page (tests/browser/page.tsx), with the real backend binary behind a stand-in
// for Grafana's HTTP API (host_test.go) and the simulated mesh behind the backend. The browser is driven
// by tests/browser/driver.ts (puppeteer-core); see docs/browser-test.md.
package browser_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/meshsim/meshsimtest"
)

// Environment of the test. `go tool mage browser` sets them; plain `go test ./...` skips this test
// because it needs Chromium and a built dist/.
const (
	// RunEnv must be "1" for the test to run; then a missing browser or bundle fails it.
	RunEnv = "KUMA_BROWSER_TEST"
	// ScreenshotsEnv, when set, is the directory the driver writes the screenshots into.
	ScreenshotsEnv = "KUMA_SCREENSHOTS"
	// DistEnv names the front end to load (default dist/); the test of the test points it at a broken copy.
	DistEnv = "KUMA_BROWSER_DIST"
	// ChromiumEnv names the browser (default /usr/bin/chromium, the Debian package).
	ChromiumEnv = "KUMA_CHROMIUM"
)

// budget bounds the whole browser run; the driver bounds each wait much tighter.
const budget = 4 * time.Minute

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func TestBrowser(t *testing.T) {
	if os.Getenv(RunEnv) != "1" {
		t.Skipf("set %s=1 (go tool mage browser) to run the browser test", RunEnv)
	}
	root := repoRoot(t)
	dist := os.Getenv(DistEnv)
	if dist == "" {
		dist = filepath.Join(root, "dist")
	}
	dist, _ = filepath.Abs(dist)
	for _, f := range []string{"module.js", "plugin.json"} {
		if _, err := os.Stat(filepath.Join(dist, f)); err != nil {
			t.Fatalf("%v: build the front end first (npm run build)", err)
		}
	}
	chromium := os.Getenv(ChromiumEnv)
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%v: install the Debian package chromium (.ci/run does)", err)
	}

	work := t.TempDir()
	page := filepath.Join(work, "page.js")
	driver := filepath.Join(work, "driver.cjs")
	esbuild(t, root, "tests/browser/page.tsx", page,
		"--format=iife", "--platform=browser", "--target=es2020",
		// React's development build, so that its warnings reach the console and fail the test.
		`--define:process.env.NODE_ENV="development"`, "--define:global=globalThis",
		// The page's own modules are bundled: SystemJS's global AMD `define` is for the plugin only (lodash
		// would otherwise register itself with it instead of exporting).
		"--define:define=undefined",
		"--loader:.svg=text", "--loader:.woff2=empty", "--loader:.css=empty")
	esbuild(t, root, "tests/browser/driver.ts", driver, "--format=cjs", "--platform=node", "--target=node20", "--packages=external")

	topo, err := meshsim.Load(filepath.Join(root, "examples", "topologies", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bed := meshsimtest.Start(t, topo, meshsimtest.Options{})
	logs, err := os.Create(filepath.Join(work, "plugin.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	h := newHost(t, e2e.Start(t, logs), root, dist, page)
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	args := []string{driver, "--url", srv.URL, "--chromium", chromium, "--cp", bed.CPURL, "--prometheus", bed.PrometheusURL}
	if dir := os.Getenv(ScreenshotsEnv); dir != "" {
		abs, _ := filepath.Abs(dir)
		args = append(args, "--screenshots", abs)
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = root
	// The driver bundle lives in a temporary directory; its packages (puppeteer-core) are the project's.
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, "node_modules"))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		t.Errorf("browser driver: %v (plugin log: %s)", err, logs.Name())
	}
	for _, req := range h.unexpectedRequests() {
		t.Errorf("the page asked for what Grafana does not serve: %s", req)
	}
}

func esbuild(t *testing.T, root, entry, out string, flags ...string) {
	t.Helper()
	args := append([]string{entry, "--bundle", "--log-level=warning", "--outfile=" + out}, flags...)
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "esbuild"), args...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild %s: %v\n%s", entry, err, b)
	}
}
