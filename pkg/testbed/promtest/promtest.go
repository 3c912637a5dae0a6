// Package promtest starts a real Prometheus for tests: over TSDB blocks written by
// promtool (backfilled history with known values) or scraping live targets.
// Without the prometheus binaries a test is skipped loudly, or fails when CI is set.
package promtest

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Prometheus server.
type Options struct {
	// DataDir is the TSDB directory, for example from Backfill. Empty means a fresh
	// temporary one.
	DataDir string
	// Config is the prometheus.yml text. Empty means no scrape jobs (query only).
	Config string
	// LookbackDelta overrides --query.lookback-delta (default 5m).
	LookbackDelta time.Duration
	// ReadyTimeout bounds the wait for /-/ready (default 60s).
	ReadyTimeout time.Duration
	// Flags are extra command-line flags, for example --web.enable-remote-write-receiver
	// for a global Prometheus that zone ones write into.
	Flags []string
	// Binary is the prometheus program to run (for example Prometheus3's); empty means
	// the one on PATH.
	Binary string
}

// Server is a running Prometheus (or VictoriaMetrics, which answers the same query API).
type Server struct {
	// URL is the base URL, for example http://127.0.0.1:40123.
	URL     string
	DataDir string
	stop    func()
}

// Stop ends Prometheus before the test does, for example to hand its data directory
// to another server; it returns once Prometheus has exited.
func (s *Server) Stop() { s.stop() }

const (
	defaultReadyTimeout = 60 * time.Second
	stopTimeout         = 10 * time.Second
	pollInterval        = 50 * time.Millisecond
)

// Binary finds a program of the prometheus package: skips the test when it is missing
// and CI is unset, fails it when CI is set, since CI must exercise real PromQL.
func Binary(t testing.TB, name string) string {
	t.Helper()
	return lookPath(t, name, "apt-get install prometheus (it ships promtool)")
}

func lookPath(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	missing(t, fmt.Sprintf("%s not found on PATH", name), install)
	return ""
}

// missing skips the test, loudly, or fails it when CI is set: CI must run every store.
func missing(t testing.TB, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("\n*** %s: this test needs it.\n*** Install it with: %s\n", what, install)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "*** CI is set, so this is a failure, not a skip.")
	}
	t.Skip(msg + "*** SKIPPED (set CI=1 to make this a failure).")
}

// Prometheus3Env names the prometheus binary of Prometheus 3 (Debian ships only 2.x);
// promtool is the one on PATH, whose TSDB blocks Prometheus 3 reads.
const Prometheus3Env = "KUMA_PROMETHEUS3_BINARY"

// Prometheus3 is the binary named by KUMA_PROMETHEUS3_BINARY, for Options.Binary; the
// test is skipped (failed when CI is set) without it.
func Prometheus3(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(Prometheus3Env)
	if bin == "" {
		missing(t, Prometheus3Env+" is not set", "GOBIN=$HOME/.cache/kuma-ds/prom3 go install github.com/prometheus/prometheus/cmd/prometheus@v0.316.0, "+
			"then export "+Prometheus3Env+"=$HOME/.cache/kuma-ds/prom3/prometheus (.ci/run and go tool mage testAll do this)")
	} else if _, err := os.Stat(bin); err != nil {
		missing(t, Prometheus3Env+": "+err.Error(), "see .ci/run")
	}
	return bin
}

// Version is the version of a prometheus binary ("2.42.0+ds", "3.16.0"): what it
// reports, or, for a build by go install (which stamps no version), its Go module's
// version read from the binary (v0.316.0 is Prometheus 3.16.0, v0.42.0 is 2.42.0).
func Version(t testing.TB, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	// "prometheus, version 3.16.0 (branch: ...)", or "version  (branch: " unstamped.
	if _, rest, ok := strings.Cut(string(out), "version "); ok && !strings.HasPrefix(rest, " ") && rest != "" {
		return strings.Fields(rest)[0]
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("%s: no version in %q, and no Go build info: %v", bin, out, err)
	}
	var minor, patch int
	if _, err := fmt.Sscanf(info.Main.Version, "v0.%d.%d", &minor, &patch); err != nil {
		t.Fatalf("%s: module %s %s: not a Prometheus module version", bin, info.Main.Path, info.Main.Version)
	}
	return fmt.Sprintf("%d.%d.%d", 2+minor/300, minor%300, patch)
}

// Start runs Prometheus on a free loopback port, waits until it is ready and stops it
// when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin := o.Binary
	if bin == "" {
		bin = Binary(t, "prometheus")
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	cfg := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(o.Config), 0o644); err != nil {
		t.Fatal(err)
	}
	if o.LookbackDelta == 0 {
		o.LookbackDelta = 5 * time.Minute
	}
	return run(t, process{name: "prometheus", bin: bin, dataDir: o.DataDir, readyPath: "/-/ready", readyTimeout: o.ReadyTimeout,
		args: func(addr string) []string {
			return append([]string{
				"--config.file=" + cfg,
				"--storage.tsdb.path=" + o.DataDir,
				"--storage.tsdb.retention.time=100y", // backfilled history may be old; keep it all
				"--web.listen-address=" + addr,
				"--query.lookback-delta=" + o.LookbackDelta.String(),
				"--log.level=warn",
			}, o.Flags...)
		}})
}

// process is a store's server program: how to run it and when it is ready.
type process struct {
	name, bin, dataDir, readyPath string
	readyTimeout                  time.Duration
	args                          func(addr string) []string
}

// run starts p on a free loopback port, waits until readyPath answers 200 and stops it
// (interrupt, then kill after stopTimeout) when the test ends.
func run(t testing.TB, p process) *Server {
	t.Helper()
	if p.readyTimeout == 0 {
		p.readyTimeout = defaultReadyTimeout
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, p.bin, p.args(addr)...)
	// An explicit, minimal environment: nothing from the developer's shell (proxies,
	// locale, GOGC...) changes how the server behaves in a test.
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + p.dataDir, "TZ=UTC", "LANG=C"}
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", p.name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := sync.OnceFunc(func() {
		cancel()
		<-exited
	})
	t.Cleanup(stop)
	s := &Server{URL: "http://" + addr, DataDir: p.dataDir, stop: stop}
	if err := s.waitReady(p.readyPath, p.readyTimeout, exited); err != nil {
		t.Fatalf("%s not ready: %v\n--- %s output ---\n%s", p.name, err, p.name, logs.String())
	}
	return s
}

func (s *Server) waitReady(path string, timeout time.Duration, exited <-chan error) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		default:
		}
		if resp, err := client.Get(s.URL + path); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(pollInterval)
	}
	return errors.New("timed out after " + timeout.String())
}

// freeAddr picks a free loopback port. Another process could take it before
// Prometheus binds; Start then fails with Prometheus' own message.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// syncBuffer collects the process output written from exec's copying goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
