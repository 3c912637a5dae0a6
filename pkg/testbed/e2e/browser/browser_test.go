// Package browser_test loads the built front end (dist/module.js) in headless Chromium through a
// stand-in for Grafana's page (tests/browser/page.tsx), with the real backend binary behind a stand-in
// for Grafana's HTTP API (host_test.go) and the simulated mesh behind the backend. The browser is driven
// by tests/browser/driver.ts (puppeteer-core); see docs/browser-test.md.
package browser_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
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
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
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
	// A loopback port nothing listens on, for the Save & test that must fail on the Prometheus side.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	driverArgs := []string{driver, "--url", srv.URL, "--chromium", chromium, "--cp", bed.CPURL,
		"--prometheus", bed.PrometheusURL, "--closed", closedURL}
	run := func(extra ...string) (string, error) {
		h.reset()
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, "node", append(append([]string(nil), driverArgs...), extra...)...)
		cmd.Dir = root
		// The driver bundle lives in a temporary directory; its packages (puppeteer-core) are the project's.
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, "node_modules"))
		cmd.Stdout = io.MultiWriter(os.Stdout, &out)
		cmd.Stderr = io.MultiWriter(os.Stderr, &out)
		cmd.WaitDelay = 10 * time.Second
		err := cmd.Run()
		return out.String(), err
	}

	// The test of the test: bundles broken on purpose must fail the run, for the stated reason.
	t.Run("broken bundles fail", func(t *testing.T) {
		for _, b := range brokenBundles {
			t.Run(b.name, func(t *testing.T) {
				h.setDist(breakBundle(t, dist, b.edit))
				defer h.setDist(dist)
				out, err := run("--only", "config editor")
				if err == nil {
					t.Fatalf("the driver passed a bundle with %s", b.name)
				}
				if !strings.Contains(out, b.want) {
					t.Errorf("the driver failed without saying %q", b.want)
				}
			})
		}
	})

	t.Run("editors", func(t *testing.T) {
		var extra []string
		if dir := os.Getenv(ScreenshotsEnv); dir != "" {
			abs, _ := filepath.Abs(dir)
			extra = append(extra, "--screenshots", abs)
		}
		if _, err := run(extra...); err != nil {
			t.Errorf("browser driver: %v (plugin log: %s)", err, logs.Name())
		}
	})
	for _, req := range h.unexpectedRequests() {
		t.Errorf("the page asked for what Grafana does not serve: %s", req)
	}
}

// brokenBundles are faults a build could ship: each edit of dist/module.js must fail the run with want.
var brokenBundles = []struct {
	name string
	edit func(module string) string
	want string
}{
	{
		// A module Grafana does not share (a wrong external in the webpack config).
		name: "an external Grafana does not provide",
		edit: func(m string) string { return strings.Replace(m, `"@grafana/ui"`, `"@grafana/ui-missing"`, 1) },
		want: "@grafana/ui-missing",
	},
	{
		// The bundle logs an error while loading (a failing module-level statement would too).
		name: "a console error",
		edit: func(m string) string { return `console.error("deliberately broken bundle");` + "\n" + m },
		want: "console error: deliberately broken bundle",
	},
	{
		// The config editor throws while rendering.
		name: "an editor that throws",
		edit: func(m string) string {
			return strings.Replace(m, `"Kuma control plane"`, `(()=>{throw new Error("deliberately broken editor")})()`, 1)
		},
		want: "deliberately broken editor",
	},
}

// breakBundle copies dist to a temporary directory with module.js edited.
func breakBundle(t *testing.T, dist string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(dist)); err != nil {
		t.Fatal(err)
	}
	module := filepath.Join(dir, "module.js")
	raw, err := os.ReadFile(module)
	if err != nil {
		t.Fatal(err)
	}
	broken := edit(string(raw))
	if broken == string(raw) {
		t.Fatal("the edit did not change module.js: update the broken bundle to the current build")
	}
	if err := os.WriteFile(module, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
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
