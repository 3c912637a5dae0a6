package kuma

import "testing"

func TestFederated(t *testing.T) {
	withGlobal := CPConfig{Mode: ModeZone}
	withGlobal.Multizone.Zone.GlobalAddress = "grpcs://127.0.0.1:5685"
	for name, tt := range map[string]struct {
		cfg  CPConfig
		want bool
	}{
		"global":                           {CPConfig{Mode: ModeGlobal}, true},
		"zone with a global CP":            {withGlobal, true},
		"zone without a global CP (alone)": {CPConfig{Mode: ModeZone}, false},
		"standalone (Kuma 1.x)":            {CPConfig{Mode: ModeStandalone}, false},
	} {
		if got := tt.cfg.Federated(); got != tt.want {
			t.Errorf("%s: Federated() = %v, want %v", name, got, tt.want)
		}
	}
}
