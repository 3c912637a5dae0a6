package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/cmd/benchmap/bench"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

// pluginProc is the built backend binary, started as Grafana starts it (go-plugin
// handshake, gRPC, an explicit environment; never -standalone), and asked for maps.
type pluginProc struct {
	p     *e2e.Plugin
	pid   int
	cpURL string
	// instances numbers the data-source instances, so that each cold map gets a new
	// one (no cached topology, no incremental cache, new connections) and the SDK
	// disposes of the previous one, as Grafana does when a data source's settings change.
	instances int
}

func startPlugin(tb *bench.TB, cpURL string) *pluginProc {
	p := e2e.Start(tb, nil)
	return &pluginProc{p: p, pid: p.Pid(), cpURL: cpURL}
}

// instance is a new data-source instance on storeURL with the settings (jsonData keys
// of pkg/models/settings.go) on top of the scrape interval of the backfill.
func (pp *pluginProc) instance(storeURL string, settings map[string]any, step time.Duration) e2e.Instance {
	pp.instances++
	js := map[string]any{"prometheusUrl": storeURL, "prometheusScrapeInterval": step.Seconds(), "benchInstance": pp.instances}
	maps.Copy(js, settings)
	b, err := json.Marshal(js)
	if err != nil {
		panic(bench.Failure{Msg: err.Error()})
	}
	return e2e.Instance{UID: "bench", URL: pp.cpURL, JSONData: string(b)}
}

// mapAnswer is what the report keeps of one map.
type mapAnswer struct {
	nodes, edges int
	// cut are the notices of sub-queries cut at the series cap.
	cut []string
}

// queryMap asks for the mesh's map over [to-rng, to], with rateInterval when set.
func (pp *pluginProc) queryMap(ctx context.Context, in e2e.Instance, rng time.Duration, to time.Time, rateInterval string) (mapAnswer, error) {
	js := `{"queryType":"mesh-graph","mesh":"default"`
	if rateInterval != "" {
		js += `,"rateInterval":"` + rateInterval + `"`
	}
	js += "}"
	resp, err := pp.p.QueryData(ctx, in, e2e.Query{RefID: "A", JSON: js, From: to.Add(-rng).UnixMilli(), To: to.UnixMilli()})
	if err != nil {
		return mapAnswer{}, err
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		return mapAnswer{}, r.Error
	}
	if len(r.Frames) < 2 {
		return mapAnswer{}, fmt.Errorf("map: %d frames, want nodes and edges", len(r.Frames))
	}
	return mapAnswer{nodes: r.Frames[0].Rows(), edges: r.Frames[1].Rows(), cut: notices(r.Frames[0], "more than")}, nil
}

// notices are the frame's notices whose text contains substr.
func notices(f *data.Frame, substr string) []string {
	var out []string
	if f.Meta == nil {
		return nil
	}
	for _, n := range f.Meta.Notices {
		if strings.Contains(n.Text, substr) {
			out = append(out, n.Text)
		}
	}
	return out
}
