// Package scripts_test checks scripts/demo.sh where it decides how to run Grafana. No Grafana can be
// installed on the test machines, so a stub binary on PATH stands in for it and records what the script
// passed; the rest of the demo (simulator, Prometheus) runs for real with one minute of history.
package scripts_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stub records its arguments and what the demo set up for Grafana, then exits, which ends the demo.
const stub = `#!/usr/bin/env bash
{
  echo "args=$*"
  env | grep -E '^(GF_|KUMA_|PROMETHEUS_URL=)' | sort
  echo "plugin_link=$(readlink "$GF_PATHS_PLUGINS/kumahq-kuma-datasource")"
} > "$STUB_OUT"
`

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeExec(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestDemoStartsAnInstalledGrafanaWithoutDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo's simulator and Prometheus")
	}
	for _, prometheus := range []string{"prometheus", "promtool"} {
		if _, err := exec.LookPath(prometheus); err != nil {
			t.Fatalf("%s: the demo needs it (.ci/run installs the Debian package prometheus)", prometheus)
		}
	}
	root, err := filepath.Abs(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		binary   string
		wantArgs func(home string) string
		// tarball: the binary in <home>/bin; otherwise GRAFANA_HOME names the home.
		tarball bool
	}{
		{binary: "grafana", wantArgs: func(home string) string { return "server --homepath " + home }, tarball: true},
		{binary: "grafana-server", wantArgs: func(home string) string { return "--homepath " + home }},
	} {
		t.Run(tc.binary, func(t *testing.T) {
			dir := t.TempDir()
			home := filepath.Join(dir, "grafana-home")
			writeExec(t, filepath.Join(home, "conf", "defaults.ini"), "")
			bin := filepath.Join(dir, "bin")
			binary := filepath.Join(bin, tc.binary)
			if tc.tarball {
				binary = filepath.Join(home, "bin", tc.binary)
				if err := os.MkdirAll(bin, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(binary, filepath.Join(bin, tc.binary)); err != nil {
					t.Fatal(err)
				}
			}
			writeExec(t, binary, stub)
			// Docker installed but not running counts as absent.
			writeExec(t, filepath.Join(bin, "docker"), "#!/bin/sh\nexit 1\n")

			// The first port tried is taken: the script must move on to a free one.
			busy, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			busyPort := busy.Addr().(*net.TCPAddr).Port

			out := filepath.Join(dir, "stub.out")
			cmd := exec.Command("bash", filepath.Join(root, "scripts", "demo.sh"))
			cmd.Env = append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"STUB_OUT="+out, "SKIP_BUILD=1", "HISTORY_MINUTES=1",
				"CP_ADDR="+freeAddr(t), "PROM_ADDR="+freeAddr(t),
				"GRAFANA_PORT="+strconv.Itoa(busyPort))
			if !tc.tarball {
				cmd.Env = append(cmd.Env, "GRAFANA_HOME="+home)
			}
			done := make(chan error, 1)
			var log strings.Builder
			cmd.Stdout, cmd.Stderr = &log, &log
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("demo.sh: %v\n%s", err, log.String())
				}
			case <-time.After(3 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("demo.sh did not end after the stub Grafana exited:\n%s", log.String())
			}

			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("the stub Grafana did not run: %v\n%s", err, log.String())
			}
			got := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
				k, v, _ := strings.Cut(line, "=")
				got[k] = v
			}
			homeAbs, _ := filepath.EvalSymlinks(home)
			want := map[string]string{
				"args":                                      tc.wantArgs(homeAbs),
				"plugin_link":                               filepath.Join(root, "dist"),
				"GF_PATHS_PROVISIONING":                     filepath.Join(root, "provisioning"),
				"GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": "kumahq-kuma-datasource",
				"GF_SERVER_HTTP_ADDR":                       "127.0.0.1",
				"KUMA_DASHBOARDS_DIR":                       filepath.Join(root, "dist", "dashboards"),
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			port, err := strconv.Atoi(got["GF_SERVER_HTTP_PORT"])
			if err != nil || port <= busyPort {
				t.Errorf("GF_SERVER_HTTP_PORT = %q, want a free port after the busy %d", got["GF_SERVER_HTTP_PORT"], busyPort)
			}
			for _, k := range []string{"KUMA_CP_URL", "PROMETHEUS_URL", "GF_PATHS_DATA", "GF_PATHS_PLUGINS"} {
				if got[k] == "" {
					t.Errorf("%s not set", k)
				}
			}
			if !strings.Contains(log.String(), "starting Grafana ("+filepath.Join(bin, tc.binary)+")") {
				t.Errorf("the demo did not say which Grafana it starts:\n%s", log.String())
			}
		})
	}
}
