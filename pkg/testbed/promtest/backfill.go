package promtest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Backfill turns OpenMetrics text (written by write, ending in "# EOF") into TSDB
// blocks with promtool and returns the directory to pass as Options.DataDir.
func Backfill(t testing.TB, ctx context.Context, write func(io.Writer) error) string {
	t.Helper()
	promtool := Binary(t, "promtool")
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
	cmd := exec.CommandContext(ctx, promtool, "tsdb", "create-blocks-from", "openmetrics", input, data)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + tmp, "TZ=UTC", "LANG=C"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool create-blocks-from openmetrics: %v\n%s", err, out)
	}
	// The text is several times the blocks' size (gigabytes for a big mesh): drop it now
	// rather than at the end of the test.
	if err := os.Remove(input); err != nil {
		t.Fatal(err)
	}
	return data
}
