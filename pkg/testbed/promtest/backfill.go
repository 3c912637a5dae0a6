package promtest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Backfill turns OpenMetrics text (written by write, ending in "# EOF") into TSDB
// blocks with promtool and returns the directory to pass as Options.DataDir. flags go
// to promtool, for example --max-block-duration=48h: a long history in one block, as
// a server that has run for days holds it after compaction, rather than in 2-hour ones.
func Backfill(t testing.TB, ctx context.Context, write func(io.Writer) error, flags ...string) string {
	t.Helper()
	Binary(t, "promtool") // skip before writing anything
	tmp := t.TempDir()
	input := filepath.Join(tmp, "history.om")
	f, err := os.Create(input)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		t.Fatalf("write openmetrics: %v", err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data")
	runPromtool(t, ctx, tmp, slices.Concat([]string{"create-blocks-from", "openmetrics"}, flags, []string{input, data})...)
	// The text is several times the blocks' size (gigabytes for a big mesh): drop it now
	// rather than at the end of the test.
	if err := os.Remove(input); err != nil {
		t.Fatal(err)
	}
	return data
}

// BackfillRules evaluates the recording rules of rulesFile over [start, end] on s, as a
// server running them all along would have (each group at its interval and evaluation
// times), stops s and adds the recorded blocks to its data directory: serve that with a
// new server (Start with Options.DataDir = s.DataDir).
func (s *Server) BackfillRules(t testing.TB, ctx context.Context, rulesFile string, start, end time.Time) {
	t.Helper()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "rules")
	runPromtool(t, ctx, tmp, "create-blocks-from", "rules", "--quiet", "--url="+s.URL, "--output-dir="+out,
		"--start="+strconv.FormatInt(start.Unix(), 10), "--end="+strconv.FormatInt(end.Unix(), 10), rulesFile)
	s.Stop()
	AddBlocks(t, s.DataDir, out)
}

// AddBlocks moves the TSDB blocks of from (a Backfill or promtool output) into dataDir,
// which no running server may use: one server then holds both, for example raw series
// and recorded ones written apart.
func AddBlocks(t testing.TB, dataDir, from string) {
	t.Helper()
	blocks, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if err := os.Rename(filepath.Join(from, b.Name()), filepath.Join(dataDir, b.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// runPromtool runs promtool tsdb with args in a minimal environment.
func runPromtool(t testing.TB, ctx context.Context, home string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, Binary(t, "promtool"), append([]string{"tsdb"}, args...)...)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "TZ=UTC", "LANG=C"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb %s: %v\n%s", args[0]+" "+args[1], err, out)
	}
}
