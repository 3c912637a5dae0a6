package inventory

import (
	"reflect"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

func TestZones(t *testing.T) {
	// An overview without insight is what a CP running alone lists (issue 14, measured on
	// kuma-cp 2.14.3), and also a federated zone that never connected.
	bare := func(name string) kuma.ZoneOverview {
		return kuma.ZoneOverview{Meta: kuma.Meta{Name: name}, Zone: &kuma.ZoneSpec{}, ZoneInsight: &kuma.ZoneInsight{}}
	}
	alone := &Alone{Zone: "default", Version: "2.14.3"}
	tests := []struct {
		name      string
		overviews []kuma.ZoneOverview
		alone     *Alone
		want      []Zone
		mayBe     bool
	}{
		{name: "a federated zone that never connected is offline", overviews: []kuma.ZoneOverview{bare("zone-1")},
			want: []Zone{{Name: "zone-1", Enabled: true, Status: ZoneOffline}}, mayBe: true},
		{name: "a CP running alone is its zone, online, with its version", overviews: []kuma.ZoneOverview{bare("default")}, alone: alone,
			want: []Zone{{Name: "default", Enabled: true, Status: ZoneOnline, Version: "2.14.3"}}, mayBe: true},
		{name: "a CP running alone that lists no zone still has its own", alone: alone,
			want: []Zone{{Name: "default", Enabled: true, Status: ZoneOnline, Version: "2.14.3"}}, mayBe: true},
		{name: "two zones are a federation", overviews: []kuma.ZoneOverview{bare("zone-1"), bare("zone-2")},
			want: []Zone{{Name: "zone-1", Enabled: true, Status: ZoneOffline}, {Name: "zone-2", Enabled: true, Status: ZoneOffline}}},
		{name: "a global CP without zones", want: []Zone{}, mayBe: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Zones(tt.overviews, tt.alone); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Zones = %+v, want %+v", got, tt.want)
			}
			if got := MayBeAlone(tt.overviews); got != tt.mayBe {
				t.Errorf("MayBeAlone = %v, want %v", got, tt.mayBe)
			}
		})
	}
}
