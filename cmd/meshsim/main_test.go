package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--topology", "x.yaml"}, ""},
		{[]string{"--generate", "10", "--fanout", "2"}, ""},
		{[]string{}, "exactly one of"},
		{[]string{"--topology", "x.yaml", "--generate", "3"}, "exactly one of"},
		{[]string{"--nope"}, "not defined"},
	} {
		_, err := parseFlags(tc.args)
		if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.wantErr)
		}
	}
}

// TestBackfillFile runs the command's backfill path end to end.
func TestBackfillFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "h.om")
	f, err := parseFlags([]string{"--generate", "5", "--backfill", out, "--backfill-duration", "1m",
		"--backfill-end", "2026-01-01T00:00:00Z", "--start", "2025-12-31T23:00:00Z", "--backfill-families", "envoy_server_live|leader",
		"--dump-topology", out + ".yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out + ".yaml"); err != nil {
		t.Errorf("--dump-topology: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, []byte("# EOF\n")) || !bytes.Contains(b, []byte(" 1767225600.000\n")) {
		t.Errorf("backfill lacks # EOF or the end timestamp:\n%.300s", b)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "# EOF\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "envoy_server_live{") && !strings.HasPrefix(line, "leader{") {
			t.Fatalf("--backfill-families let through %q", line)
		}
	}
}

// TestBackfillFor writes histogram bounds in the form of the Prometheus named.
func TestBackfillFor(t *testing.T) {
	for version, want := range map[string]string{"": `le="1"`, "2.42.0": `le="1"`, "3.16.0": `le="1.0"`} {
		out := filepath.Join(t.TempDir(), "h.om")
		f, err := parseFlags([]string{"--generate", "3", "--backfill", out, "--backfill-duration", "1m", "--backfill-for", version,
			"--backfill-families", "envoy_cluster_upstream_rq_time"})
		if err != nil {
			t.Fatal(err)
		}
		if err := run(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(","+want+",")) {
			t.Errorf("--backfill-for %q: no %s in\n%.300s", version, want, b)
		}
	}
}
