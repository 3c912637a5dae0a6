package promtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// StartVictoriaMetrics runs a single-node VictoriaMetrics (Debian package
// victoria-metrics) on a free loopback port over a fresh temporary storage directory
// and stops it when the test ends. Fill it with Import.
func StartVictoriaMetrics(t testing.TB) *Server {
	t.Helper()
	bin := lookPath(t, "victoria-metrics", "apt-get install victoria-metrics")
	dir := t.TempDir()
	return run(t, process{name: "victoria-metrics", bin: bin, dataDir: dir, readyPath: "/health",
		args: func(addr string) []string {
			return []string{
				"-storageDataPath=" + dir,
				"-httpListenAddr=" + addr,
				"-retentionPeriod=100y", // backfilled history may be old; keep it all
				// Samples up to now are visible at once (the default hides the last 30 s),
				// and no answer comes from a cache filled before the import finished.
				"-search.latencyOffset=0s",
				"-search.disableCache",
				// Prometheus' default lookback, so that both stores see the same samples.
				"-search.maxStalenessInterval=5m",
				// A benchmark's big mesh selects more series than the default allows.
				"-search.maxUniqueTimeseries=10000000",
				"-loggerLevel=WARN",
			}
		}})
}

// Import loads the OpenMetrics text that write produces (as for Backfill: timestamps in
// seconds, "# EOF" at the end) through VictoriaMetrics' /api/v1/import/prometheus, which
// wants timestamps in milliseconds, and returns once every sample is searchable.
func (s *Server) Import(t testing.TB, ctx context.Context, write func(io.Writer) error) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := &msWriter{w: bufio.NewWriterSize(pw, 1<<20)}
	go func() {
		err := write(mw)
		if err == nil {
			err = mw.w.Flush()
		}
		pw.CloseWithError(err)
	}()
	s.post(t, ctx, "/api/v1/import/prometheus", pr)
	if mw.samples == 0 {
		return
	}
	// Imported rows become searchable in the background, new series last (on a busy
	// machine, seconds later): flush, then wait until a query counts every sample.
	s.post(t, ctx, "/internal/force_flush", nil)
	span := time.Duration(mw.last-mw.first)*time.Millisecond + time.Second
	q := fmt.Sprintf(`sum(count_over_time({__name__!=""}[%dms]))`, span.Milliseconds())
	var got float64
	for deadline := time.Now().Add(defaultReadyTimeout); time.Now().Before(deadline); time.Sleep(pollInterval) {
		res, err := s.Query(ctx, q, time.UnixMilli(mw.last))
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if len(res) == 1 {
			if got = res[0].Value; int(got) == mw.samples {
				return
			}
		}
	}
	t.Fatalf("import: %g of %d samples searchable after %v", got, mw.samples, defaultReadyTimeout)
}

func (s *Server) post(t testing.TB, ctx context.Context, path string, body io.Reader) {
	t.Helper()
	method := http.MethodGet
	if body != nil {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Fatalf("%s: %s: %s", path, resp.Status, msg)
	}
}

// msWriter rewrites each sample line's trailing timestamp from seconds (with a
// fraction, as OpenMetrics has it) to whole milliseconds (as the Prometheus text
// format has it); comments pass unchanged. Lines may arrive in any pieces.
type msWriter struct {
	w    *bufio.Writer
	line []byte
	// samples counts the sample lines, first and last are their extreme timestamps (ms).
	samples     int
	first, last int64
}

func (m *msWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			m.line = append(m.line, p...)
			break
		}
		m.line = append(m.line, p[:i]...)
		p = p[i+1:]
		if err := m.flushLine(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (m *msWriter) flushLine() error {
	line := m.line
	m.line = m.line[:0]
	if len(line) > 0 && line[0] != '#' {
		// After the labels (label values may hold spaces) or the name: value, then the
		// timestamp when there is one.
		rest := line
		if i := bytes.LastIndexByte(line, '}'); i >= 0 {
			rest = line[i+1:]
		} else if i := bytes.IndexByte(line, ' '); i >= 0 {
			rest = line[i:]
		}
		if f := bytes.Fields(rest); len(f) == 2 {
			secs, err := strconv.ParseFloat(string(f[1]), 64)
			if err != nil {
				return fmt.Errorf("import: timestamp of %q: %w", line, err)
			}
			ms := time.Duration(secs * float64(time.Second)).Round(time.Millisecond).Milliseconds()
			line = strconv.AppendInt(line[:bytes.LastIndexByte(line, ' ')+1], ms, 10)
			if m.samples == 0 || ms < m.first {
				m.first = ms
			}
			m.last = max(m.last, ms)
			m.samples++
		}
	}
	if _, err := m.w.Write(line); err != nil {
		return err
	}
	m.line = line[:0] // keep the grown buffer
	return m.w.WriteByte('\n')
}
