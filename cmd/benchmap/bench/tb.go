package bench

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// TB lets a command use the test helpers (promtest, meshsimtest) that take a
// testing.TB: failures panic with the message, temporary directories and cleanups run
// at Close. Only the methods those helpers call are implemented; any other panics
// (the embedded interface is nil), which would show a helper started needing more.
type TB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
	dirs     []string
}

// Failure is what a TB method that ends a test panics with.
type Failure struct{ Msg string }

func (f Failure) Error() string { return f.Msg }

func (t *TB) Helper() {}

func (t *TB) Name() string { return "benchmap" }

func (t *TB) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func (t *TB) Fatal(args ...any) { panic(Failure{fmt.Sprint(args...)}) }

func (t *TB) Fatalf(format string, args ...any) { panic(Failure{fmt.Sprintf(format, args...)}) }

// Skip is a failure here: a measurement without Prometheus measures nothing.
func (t *TB) Skip(args ...any) { panic(Failure{fmt.Sprint(args...)}) }

func (t *TB) TempDir() string {
	d, err := os.MkdirTemp("", "benchmap-")
	if err != nil {
		t.Fatal(err)
	}
	t.mu.Lock()
	t.dirs = append(t.dirs, d)
	t.mu.Unlock()
	return d
}

func (t *TB) Cleanup(f func()) {
	t.mu.Lock()
	t.cleanups = append(t.cleanups, f)
	t.mu.Unlock()
}

// Close runs the cleanups, last first, and removes the temporary directories.
func (t *TB) Close() {
	t.mu.Lock()
	cleanups, dirs := t.cleanups, t.dirs
	t.cleanups, t.dirs = nil, nil
	t.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	for _, d := range dirs {
		os.RemoveAll(d)
	}
}
