package e2e_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestMapLinksToTracesAndLogs: with a Tempo and a Loki data source configured, the map's
// nodes and edges carry internal links to them, and each row's queries name the
// services as the simulated proxies report them (kuma.io/service): the source and
// destination of every edge of the topology. Without them, the dashboard link alone.
func TestMapLinksToTracesAndLogs(t *testing.T) {
	p := e2e.Start(t, nil)
	bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Sim: meshsim.Options{Regime: meshsim.RegimeLegacy}})
	query := e2e.Query{RefID: "A", JSON: `{"queryType":"mesh-graph","mesh":"default"}`,
		From: bed.End.Add(-10 * time.Minute).UnixMilli(), To: bed.End.UnixMilli()}
	graph := func(jsonData string) data.Frames {
		t.Helper()
		resp, err := p.QueryData(ctx(t), e2e.Instance{URL: bed.CPURL, JSONData: jsonData}, query)
		if err != nil {
			t.Fatal(err)
		}
		r := resp.Responses["A"]
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		return r.Frames
	}

	linked := graph(`{"prometheusUrl":"` + bed.PrometheusURL + `","tracesDatasourceUid":"tempo-1","tracesDatasourceType":"tempo","logsDatasourceUid":"loki-1"}`)
	for _, f := range linked {
		uids := map[string]bool{}
		for _, l := range f.Fields[0].Config.Links {
			if l.Internal != nil {
				uids[l.Internal.DatasourceUID] = true
			}
		}
		if !uids["tempo-1"] || !uids["loki-1"] {
			t.Errorf("%s: internal links to %v, want tempo-1 and loki-1", f.Name, uids)
		}
	}
	edges := rows(t, linked[1])
	quoted := regexp.MustCompile(`"([^"]*)"`)
	for _, truth := range bed.Sim.Truths() {
		e, ok := edges[truth.From+"->"+truth.To]
		if !ok || truth.Source["kuma_io_service"] == "" {
			t.Errorf("edge %s->%s missing, or its truth names no kuma.io/service", truth.From, truth.To)
			continue
		}
		src := regexp.MustCompile("^(?:" + truth.Source["kuma_io_service"] + ")$")
		// The source's name is the first quoted string of the TraceQL, the first after
		// the stream selector's of the LogQL.
		for field, at := range map[string]int{"traces_query": 0, "logs_query": 1} {
			q, _ := e[field].(string)
			names := quoted.FindAllStringSubmatch(q, -1)
			if len(names) < at+2 || !src.MatchString(names[at][1]) {
				t.Errorf("%s->%s %s = %s: want the source's kuma.io/service %s, then the destination's", truth.From, truth.To, field, q, truth.Source["kuma_io_service"])
			}
		}
	}

	for _, f := range graph(`{"prometheusUrl":"` + bed.PrometheusURL + `"}`) {
		for _, l := range f.Fields[0].Config.Links {
			if l.Internal != nil {
				t.Errorf("%s: internal link %+v without a traces or logs data source", f.Name, l)
			}
		}
	}
}
