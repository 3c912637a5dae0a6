package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// VictoriaBinary is the Debian package's single-node VictoriaMetrics.
const VictoriaBinary = "/usr/bin/victoria-metrics"

// Victoria is a running single-node VictoriaMetrics.
//
// The stores engineer's test-bed starter (issue #17, goal 6) is to replace this one when
// merged; only Start and Import are used by cmd/benchmap.
type Victoria struct {
	URL string
}

// StartVictoria starts VictoriaMetrics on a free port with an empty store. Its response
// cache is off and its latency offset zero: Prometheus keeps no result cache, and
// backfilled data up to the query time must be visible, as it is to Prometheus.
func StartVictoria(t testing.TB) *Victoria {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(VictoriaBinary, "-storageDataPath="+dir, "-httpListenAddr="+addr, "-retentionPeriod=100y",
		"-search.latencyOffset=0s", "-search.disableCache", "-search.maxUniqueTimeseries=10000000", "-loggerLevel=ERROR")
	cmd.Env = []string{"HOME=" + dir, "TZ=UTC"}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", VictoriaBinary, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	v := &Victoria{URL: "http://" + addr}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(v.URL + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("VictoriaMetrics at %s not healthy after 30 s", addr)
		}
	}
}

// Import sends OpenMetrics text (as written for promtool, timestamps in seconds) to
// /api/v1/import/prometheus, which wants milliseconds, and flushes it to be searchable.
func (v *Victoria) Import(ctx context.Context, write func(io.Writer) error) error {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(&millis{w: pw}, 1<<20)
		err := write(bw)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.URL+"/api/v1/import/prometheus", pr)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("VictoriaMetrics import: %s: %s", resp.Status, body)
	}
	resp, err = http.Get(v.URL + "/internal/force_flush")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// millis rewrites OpenMetrics lines for the Prometheus text import: comments dropped,
// the timestamp in seconds made milliseconds.
type millis struct {
	w       io.Writer
	partial []byte
}

func (m *millis) Write(p []byte) (int, error) {
	m.partial = append(m.partial, p...)
	var out []byte
	for {
		i := bytes.IndexByte(m.partial, '\n')
		if i < 0 {
			break
		}
		line := m.partial[:i]
		m.partial = m.partial[i+1:]
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		sp := bytes.LastIndexByte(line, ' ')
		if sp < 0 {
			return 0, fmt.Errorf("import: no timestamp in %q", line)
		}
		sec, err := strconv.ParseFloat(string(line[sp+1:]), 64)
		if err != nil {
			return 0, fmt.Errorf("import: no timestamp in %q", line)
		}
		out = append(out, line[:sp+1]...)
		out = strconv.AppendInt(out, int64(sec*1000+0.5), 10)
		out = append(out, '\n')
	}
	m.partial = append([]byte(nil), m.partial...)
	if _, err := m.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
