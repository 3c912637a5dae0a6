package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

func TestLoadQuery(t *testing.T) {
	tests := []struct {
		name      string
		queryType string
		json      string
		want      Query
		wantErr   string
	}{
		{
			name: "community plugin mesh-graph model keeps working",
			json: `{"queryType":"mesh-graph","mesh":"default","zone":"zone-1","rollupRegEx":"(.*)(_svc)"}`,
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "default", Zone: "zone-1", Zones: []string{"zone-1"}, RollupRegEx: "(.*)(_svc)", MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource},
		},
		{
			name: "mesh-graph defaults",
			json: `{"queryType":"mesh-graph","mesh":" default ","zones":["zone-1","","zone-1","zone-2"]}`,
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "default", Zones: []string{"zone-1", "zone-2"}, RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource},
		},
		{
			name: "a zone's view of the traffic into it",
			json: `{"queryType":"mesh-graph","mesh":"default","zones":["zone-2"],"zoneSide":" any "}`,
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "default", Zones: []string{"zone-2"}, RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideAny},
		},
		{
			name:      "query type from the SDK field wins",
			queryType: QueryTypeZones,
			json:      `{"queryType":"meshes"}`,
			want:      Query{QueryType: QueryTypeZones, MaxNodes: DefaultMaxNodes},
		},
		{name: "empty query lists meshes", json: `{}`, want: Query{QueryType: QueryTypeMeshes, MaxNodes: DefaultMaxNodes}},
		{name: "no type anywhere, mesh given", json: `{"refId":"A","mesh":"default"}`, want: Query{QueryType: QueryTypeMeshes, Mesh: "default", MaxNodes: DefaultMaxNodes}},
		{name: "type from the JSON when the SDK field is empty", json: `{"queryType":"zones"}`, want: Query{QueryType: QueryTypeZones, MaxNodes: DefaultMaxNodes}},
		{name: "variable left in mesh", json: `{"queryType":"services","mesh":"$mesh"}`, wantErr: `mesh "$mesh" holds $mesh, which Grafana did not interpolate`},
		{name: "braced variable left in service", json: `{"queryType":"dataplanes","mesh":"m","service":"${service:raw}"}`, wantErr: `service "${service:raw}" holds ${service:raw}`},
		{name: "old-style variable left in zones", json: `{"queryType":"services","mesh":"m","zones":["[[zone]]"]}`, wantErr: `zones "[[zone]]"`},
		{name: "unknown macro in rateInterval", json: `{"queryType":"mesh-graph","mesh":"m","rateInterval":"$__interval_ms"}`, wantErr: `rateInterval "$__interval_ms" holds $__interval_ms`},
		{name: "bad zone pattern", json: `{"queryType":"mesh-graph","mesh":"m","zone":"zone-(1"}`, wantErr: `zone "zone-(1" is not a valid regular expression`},
		{name: "variable left in zoneSide", json: `{"queryType":"mesh-graph","mesh":"m","zoneSide":"$zoneside"}`, wantErr: `zoneSide "$zoneside" holds $zoneside, which Grafana did not interpolate`},
		{name: "unknown zone side", json: `{"queryType":"mesh-graph","mesh":"m","zoneSide":"target"}`, wantErr: `unknown zoneSide "target": use one of source, destination, any`},
		{
			name: "zone proxies on the map",
			json: `{"queryType":"mesh-graph","mesh":"m","showZoneProxies":true}`,
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "m", RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource, ShowZoneProxies: true},
		},
		{name: "zone proxies off the map", json: `{"queryType":"service-stats","mesh":"m","showZoneProxies":true}`, wantErr: `showZoneProxies is an option of the "mesh-graph" query, not of "service-stats"`},
		{name: "zone proxies not a boolean", json: `{"queryType":"mesh-graph","mesh":"m","showZoneProxies":"yes"}`, wantErr: `malformed query JSON`},
		{
			name: "service-stats defaults: every stat of the services, now, with the map's defaults",
			json: `{"queryType":"service-stats","mesh":"default"}`,
			want: Query{QueryType: QueryTypeServiceStats, Mesh: "default", RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource,
				Scope: ScopeService, Format: FormatInstant, StatsWanted: Stats},
		},
		{
			name: "service-stats of edges over time: traffic stats only, in the one order",
			json: `{"queryType":"service-stats","mesh":"default","scope":"edge","format":"timeseries"}`,
			want: Query{QueryType: QueryTypeServiceStats, Mesh: "default", RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource,
				Scope: ScopeEdge, Format: FormatTimeSeries, StatsWanted: []string{StatRPS, StatErrorRatio, StatP50, StatP95, StatP99}},
		},
		{
			name: "service-stats picked stats keep the one order, duplicates dropped",
			json: `{"queryType":"service-stats","mesh":"m","stats":["p99","error_ratio"," p99",""]}`,
			want: Query{QueryType: QueryTypeServiceStats, Mesh: "m", RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource,
				Scope: ScopeService, Format: FormatInstant, StatsWanted: []string{StatErrorRatio, StatP99}},
		},
		{name: "service-stats unknown stat", json: `{"queryType":"service-stats","mesh":"m","stats":["p90"]}`, wantErr: `unknown stat "p90": use some of rps, error_ratio, p50, p95, p99, dataplanes_online, dataplanes_total`},
		{name: "service-stats unknown scope", json: `{"queryType":"service-stats","mesh":"m","scope":"zone"}`, wantErr: `unknown scope "zone": use one of service, edge`},
		{name: "service-stats unknown format", json: `{"queryType":"service-stats","mesh":"m","format":"table"}`, wantErr: `unknown format "table": use instant or timeseries`},
		{name: "service-stats dataplanes of an edge", json: `{"queryType":"service-stats","mesh":"m","scope":"edge","stats":["dataplanes_total"]}`, wantErr: `stat "dataplanes_total" is a service's, not an edge's`},
		{name: "service-stats dataplanes over time", json: `{"queryType":"service-stats","mesh":"m","format":"timeseries","stats":["rps","dataplanes_online"]}`, wantErr: `stat "dataplanes_online" has no history in the control plane: use format "instant"`},
		{name: "service-stats needs a mesh", json: `{"queryType":"service-stats"}`, wantErr: `"service-stats" needs a mesh`},
		{
			name: "callees: the map's join with its defaults, around one service",
			json: `{"queryType":"callees","mesh":"default","service":"frontend","zone":"zone-1"}`,
			want: Query{QueryType: QueryTypeCallees, Mesh: "default", Service: "frontend", Zone: "zone-1", Zones: []string{"zone-1"},
				RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource},
		},
		{name: "callees needs a service", json: `{"queryType":"callees","mesh":"m","service":" "}`, wantErr: `"callees" needs a service`},
		{name: "callees needs a mesh", json: `{"queryType":"callees","service":"frontend"}`, wantErr: `"callees" needs a mesh`},
		{
			name: "focus defaults: one hop, both directions",
			json: `{"queryType":"mesh-graph","mesh":"m","focus":" backend "}`,
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "m", RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource,
				Focus: "backend", Depth: 1, Direction: DirectionBoth},
		},
		{
			name: "focus on callers two hops up",
			json: `{"queryType":"service-stats","mesh":"m","focus":"backend","depth":2,"direction":"in","stats":["rps"]}`,
			want: Query{QueryType: QueryTypeServiceStats, Mesh: "m", RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes, ZoneSide: ZoneSideSource,
				Focus: "backend", Depth: 2, Direction: DirectionIn, Scope: ScopeService, Format: FormatInstant, StatsWanted: []string{StatRPS}},
		},
		{name: "unknown direction", json: `{"queryType":"mesh-graph","mesh":"m","focus":"a","direction":"up"}`, wantErr: `unknown direction "up": use one of both, out, in`},
		{name: "too deep", json: `{"queryType":"mesh-graph","mesh":"m","focus":"a","depth":11}`, wantErr: `depth 11: use 1 to 10 hops`},
		{name: "variable left in focus", json: `{"queryType":"mesh-graph","mesh":"m","focus":"$service"}`, wantErr: `focus "$service" holds $service, which Grafana did not interpolate`},
		{name: "unknown type", json: `{"queryType":"topology"}`, wantErr: `unknown query type "topology"`},
		{name: "missing mesh", json: `{"queryType":"services"}`, wantErr: `"services" needs a mesh`},
		{name: "malformed JSON", json: `{"queryType":`, wantErr: "malformed query JSON"},
		{name: "wrong type", json: `{"queryType":"services","mesh":3}`, wantErr: "malformed query JSON"},
		{name: "bad regex", json: `{"queryType":"mesh-graph","mesh":"m","serviceRegex":"("}`, wantErr: "serviceRegex is not a valid"},
		{name: "bad rollup", json: `{"queryType":"mesh-graph","mesh":"m","rollupRegEx":"("}`, wantErr: "rollupRegEx is not a valid"},
		{name: "rollup without a group", json: `{"queryType":"mesh-graph","mesh":"m","rollupRegEx":"_svc"}`, wantErr: "needs a capture group"},
		{name: "bad rate interval", json: `{"queryType":"mesh-graph","mesh":"m","rateInterval":"five minutes"}`, wantErr: "rateInterval"},
		{name: "too many zones", json: `{"queryType":"mesh-graph","mesh":"m","zones":` + manyZones(300) + `}`, wantErr: "300 zones given"},
		{name: "huge value", json: `{"queryType":"services","mesh":"` + strings.Repeat("a", 2000) + `"}`, wantErr: "mesh is longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadQuery(backend.DataQuery{QueryType: tt.queryType, JSON: []byte(tt.json)}, DefaultScrapeInterval)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The compiled expressions are checked where they are used.
			got.ServicePattern, got.Rollup = nil, naming.Normaliser{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func manyZones(n int) string {
	zones := make([]string, n)
	for i := range zones {
		zones[i] = fmt.Sprintf("zone-%d", i)
	}
	b, _ := json.Marshal(zones)
	return string(b)
}

func TestRateIntervalMacros(t *testing.T) {
	hour := backend.TimeRange{From: time.Unix(0, 0), To: time.Unix(3600, 0)}
	tests := []struct {
		name     string
		value    string
		interval time.Duration
		scrape   time.Duration
		want     string
	}{
		{name: "literal", value: "5m", interval: time.Minute, scrape: 15 * time.Second, want: "5m"},
		{name: "$__interval", value: "$__interval", interval: 2 * time.Minute, scrape: 15 * time.Second, want: "2m"},
		{name: "${__interval}", value: "${__interval}", interval: 30 * time.Second, scrape: 15 * time.Second, want: "30s"},
		{name: "rate interval, interval dominates", value: "$__rate_interval", interval: 2 * time.Minute, scrape: 15 * time.Second, want: "2m15s"},
		{name: "rate interval, four scrapes dominate", value: "$__rate_interval", interval: 15 * time.Second, scrape: 15 * time.Second, want: "1m"},
		{name: "rate interval with a 30s scrape", value: "${__rate_interval}", interval: 20 * time.Second, scrape: 30 * time.Second, want: "2m"},
		{name: "no interval (an API call): the scrape interval", value: "$__rate_interval", scrape: 10 * time.Second, want: "40s"},
		{name: "an alert rule's 1s: no finer than the scrape interval", value: "$__interval", interval: time.Second, scrape: 15 * time.Second, want: "15s"},
		{name: "$__range", value: "$__range", interval: time.Minute, scrape: 15 * time.Second, want: "1h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dq := backend.DataQuery{JSON: []byte(`{"queryType":"mesh-graph","mesh":"m","rateInterval":"` + tt.value + `"}`), Interval: tt.interval, TimeRange: hour}
			q, err := LoadQuery(dq, tt.scrape)
			if err != nil {
				t.Fatal(err)
			}
			if q.RateInterval != tt.want {
				t.Errorf("rateInterval = %q, want %q", q.RateInterval, tt.want)
			}
		})
	}
}

func TestZonePattern(t *testing.T) {
	known := []string{"zone-1", "zone-10", "zone-2", "east"}
	tests := []struct {
		name    string
		zone    string
		zones   []string
		want    []string
		wantErr string
	}{
		{name: "literal name needs no CP", zone: "zone-1", want: []string{"zone-1"}},
		{name: "anchored: zone-1 does not match zone-10", zone: "zone-1|east", want: []string{"zone-1", "east"}},
		{name: "pattern", zone: "zone-.*", want: []string{"zone-1", "zone-10", "zone-2"}},
		{name: "joins zones", zone: "zone-[12]", zones: []string{"east"}, want: []string{"east", "zone-1", "zone-2"}},
		{name: "matches the empty string: no zone filter, as in PromQL", zone: ".*", zones: []string{"east"}, want: nil},
		{name: "matches nothing", zone: "west-.*", wantErr: `zone "west-.*" matches none of the control plane's zones (zone-1, zone-10, zone-2, east)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js, _ := json.Marshal(map[string]any{"queryType": "mesh-graph", "mesh": "m", "zone": tt.zone, "zones": tt.zones})
			q, err := LoadQuery(backend.DataQuery{JSON: js}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if regexp.QuoteMeta(tt.zone) == tt.zone && q.ZonePattern != nil {
				t.Error("a literal zone must not need the CP's zone list")
			}
			err = q.ResolveZones(known)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(q.Zones, tt.want) {
				t.Errorf("zones = %v, want %v", q.Zones, tt.want)
			}
		})
	}
}

func TestQueryHealthOverridesTheDataSource(t *testing.T) {
	base := Health{DegradedErrorRatio: 0.02, FailingErrorRatio: 0.1, DegradedP99Ms: 800}
	tests := []struct {
		name, json string
		want       Health
		wantErr    string
	}{
		{"no override: the data source's", `{"mesh":"m"}`, base, ""},
		{"a stricter map", `{"mesh":"m","healthErrorRatioFailing":0.03,"healthErrorRatioDegraded":0.005,"healthP99DegradedMs":0}`, Health{DegradedErrorRatio: 0.005, FailingErrorRatio: 0.03}, ""},
		{"degraded above the data source's failing", `{"mesh":"m","healthErrorRatioDegraded":0.5}`, Health{}, "healthErrorRatioDegraded (0.5) is above healthErrorRatioFailing (0.1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := LoadQuery(backend.DataQuery{QueryType: QueryTypeMeshGraph, JSON: []byte(tt.json)}, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.Health(base)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("health %+v (%v), want %+v", got, err, tt.want)
			}
		})
	}
	if _, err := LoadQuery(backend.DataQuery{JSON: []byte(`{"queryType":"mesh-graph","mesh":"m","healthErrorRatioFailing":0}`)}, 0); err == nil ||
		!strings.Contains(err.Error(), "healthErrorRatioFailing must be above 0") {
		t.Errorf("a zero ratio: %v", err)
	}
}
