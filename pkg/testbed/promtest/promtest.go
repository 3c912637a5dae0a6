// Package promtest starts a real Prometheus for tests: over TSDB blocks written by
// promtool (backfilled history with known values) or scraping live targets.
// Without the prometheus binaries a test is skipped loudly, or fails when CI is set.
package promtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
}

// Server is a running Prometheus.
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
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("\n*** %s not found on PATH: this test needs a real Prometheus.\n"+
		"*** Install it with: apt-get install prometheus (it ships promtool)\n", name)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "*** CI is set, so this is a failure, not a skip.")
	}
	t.Skip(msg + "*** SKIPPED (set CI=1 to make this a failure).")
	return ""
}

// Start runs Prometheus on a free loopback port, waits until it is ready and stops it
// when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
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
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = defaultReadyTimeout
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + o.DataDir,
		"--storage.tsdb.retention.time=100y", // backfilled history may be old; keep it all
		"--web.listen-address=" + addr,
		"--query.lookback-delta=" + o.LookbackDelta.String(),
		"--log.level=warn",
	}, o.Flags...)...)
	// An explicit, minimal environment: nothing from the developer's shell (proxies,
	// locale, GOGC...) changes how Prometheus behaves in a test.
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + o.DataDir, "TZ=UTC", "LANG=C"}
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := sync.OnceFunc(func() {
		cancel()
		<-exited
	})
	t.Cleanup(stop)
	s := &Server{URL: "http://" + addr, DataDir: o.DataDir, stop: stop}
	if err := s.waitReady(o.ReadyTimeout, exited); err != nil {
		t.Fatalf("prometheus not ready: %v\n--- prometheus output ---\n%s", err, logs.String())
	}
	return s
}

func (s *Server) waitReady(timeout time.Duration, exited <-chan error) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("prometheus exited: %v", err)
		default:
		}
		if resp, err := client.Get(s.URL + "/-/ready"); err == nil {
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
