// Package kumatest is a fake Kuma control plane for tests. It answers from the
// responses recorded from real CPs in testdata/kuma-cp.
package kumatest

import (
	"path/filepath"
	"runtime"
)

// Fixture sets under testdata/kuma-cp.
const (
	V2_14 = "v2.14.3"
	Head3 = "head-3.0-dev"
)

// TestdataDir is the repository's testdata/kuma-cp directory. It is found from this
// source file, so it works from any package's test working directory.
func TestdataDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("kumatest: runtime.Caller failed; cannot locate testdata")
	}
	// file is <repo>/pkg/kuma/kumatest/testdata.go
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "kuma-cp")
}

// FixtureDir is TestdataDir joined with a fixture set, e.g. FixtureDir(V2_14).
func FixtureDir(set string) string {
	return filepath.Join(TestdataDir(), set)
}
