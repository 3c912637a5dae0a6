//go:build mage

package main

import (
	"github.com/grafana/grafana-plugin-sdk-go/build"
	"github.com/magefile/mage/mg"

	//mage:import
	_ "github.com/grafana/grafana-plugin-sdk-go/build"
)

// plugin.json lives at the repository root, not in src/ as the SDK assumes.
func init() {
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		return cfg, nil
	})
}

// Default builds the backend for every platform Grafana ships on:
// {linux,darwin,windows} × {amd64,arm64}.
var Default = All

// All builds the six release binaries into dist/.
func All() {
	b := build.Build{}
	mg.Deps(b.Linux, b.LinuxARM64, b.Darwin, b.DarwinARM64, b.Windows, WindowsARM64)
}

// WindowsARM64 builds the backend for Windows on ARM64.
func WindowsARM64() error {
	return build.Build{}.Custom("windows", "arm64")
}
