package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
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
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "default", Zone: "zone-1", Zones: []string{"zone-1"}, RollupRegEx: "(.*)(_svc)", MaxNodes: DefaultMaxNodes},
		},
		{
			name: "mesh-graph defaults",
			json: `{"queryType":"mesh-graph","mesh":" default ","zones":["zone-1","","zone-1","zone-2"]}`,
			want: Query{QueryType: QueryTypeMeshGraph, Mesh: "default", Zones: []string{"zone-1", "zone-2"}, RollupRegEx: DefaultRollupRegEx, MaxNodes: DefaultMaxNodes},
		},
		{
			name:      "query type from the SDK field wins",
			queryType: QueryTypeZones,
			json:      `{"queryType":"meshes"}`,
			want:      Query{QueryType: QueryTypeZones, MaxNodes: DefaultMaxNodes},
		},
		{name: "empty query lists meshes", json: `{}`, want: Query{QueryType: QueryTypeMeshes, MaxNodes: DefaultMaxNodes}},
		{name: "unknown type", json: `{"queryType":"topology"}`, wantErr: `unknown query type "topology"`},
		{name: "missing mesh", json: `{"queryType":"services"}`, wantErr: `"services" needs a mesh`},
		{name: "malformed JSON", json: `{"queryType":`, wantErr: "malformed query JSON"},
		{name: "wrong type", json: `{"queryType":"services","mesh":3}`, wantErr: "malformed query JSON"},
		{name: "bad regex", json: `{"queryType":"mesh-graph","mesh":"m","serviceRegex":"("}`, wantErr: "serviceRegex is not a valid"},
		{name: "bad rate interval", json: `{"queryType":"mesh-graph","mesh":"m","rateInterval":"five minutes"}`, wantErr: "rateInterval"},
		{name: "too many zones", json: `{"queryType":"mesh-graph","mesh":"m","zones":` + manyZones(300) + `}`, wantErr: "300 zones given"},
		{name: "huge value", json: `{"queryType":"services","mesh":"` + strings.Repeat("a", 2000) + `"}`, wantErr: "mesh is longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadQuery(backend.DataQuery{QueryType: tt.queryType, JSON: []byte(tt.json)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
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
