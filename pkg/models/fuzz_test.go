package models

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// FuzzLoadQuery feeds arbitrary query JSON: the decoder may refuse it but must never
// panic, and what it accepts must satisfy the invariants the handlers rely on.
func FuzzLoadQuery(f *testing.F) {
	for _, seed := range []string{
		`{"queryType":"mesh-graph","mesh":"default","zone":"zone-1","rollupRegEx":"(.*)(_svc(_[0-9]+)?)"}`,
		`{"queryType":"services","mesh":"de\"fault}","zones":["a","",null]}`,
		`{"queryType":"dataplanes","mesh":"m","service":"x\ny","maxNodes":-3}`,
		`{"queryType":"mesh-graph","mesh":"m","serviceRegex":"(a|b"}`,
		`{"queryType":"mesh-graph","mesh":"m","zone":"zone-(1|2","rateInterval":"${__rate_interval}"}`,
		`{"queryType":"mesh-graph","mesh":"$mesh","zones":["[[zone]]"],"rateInterval":"$__interval_ms"}`,
		`[]`, `null`, `{"queryType":7}`,
	} {
		f.Add(seed, "")
	}
	f.Fuzz(func(t *testing.T, js, queryType string) {
		q, err := LoadQuery(backend.DataQuery{JSON: []byte(js), QueryType: queryType}, DefaultScrapeInterval)
		if err != nil {
			return
		}
		if !knownQueryType(q.QueryType) {
			t.Fatalf("accepted unknown query type %q", q.QueryType)
		}
		if NeedsMesh(q.QueryType) && q.Mesh == "" {
			t.Fatalf("accepted %q without a mesh", q.QueryType)
		}
		if q.MaxNodes <= 0 {
			t.Fatalf("maxNodes %d", q.MaxNodes)
		}
		for _, z := range q.Zones {
			if z == "" {
				t.Fatal("empty zone kept")
			}
		}
		for _, v := range append([]string{q.Mesh, q.Service, q.RateInterval}, q.Zones...) {
			if variableRef.MatchString(v) {
				t.Fatalf("accepted %q, which Grafana did not interpolate", v)
			}
		}
	})
}
