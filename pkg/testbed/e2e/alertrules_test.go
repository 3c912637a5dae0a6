package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// provisionedRule is what this test reads of Grafana's alert rule provisioning format.
type provisionedRule struct {
	UID       string `yaml:"uid"`
	Condition string `yaml:"condition"`
	Data      []struct {
		RefID             string `yaml:"refId"`
		DatasourceUID     string `yaml:"datasourceUid"`
		RelativeTimeRange struct {
			From, To int64
		} `yaml:"relativeTimeRange"`
		Model map[string]any `yaml:"model"`
	} `yaml:"data"`
}

// threshold is the rule's condition: a threshold expression "A > x" on its query.
func (r provisionedRule) threshold(t *testing.T) float64 {
	t.Helper()
	for _, d := range r.Data {
		if d.RefID != r.Condition {
			continue
		}
		var expr struct {
			Type, Expression string
			Conditions       []struct {
				Evaluator struct {
					Type   string
					Params []float64
				}
			}
		}
		raw, _ := json.Marshal(d.Model)
		if err := json.Unmarshal(raw, &expr); err != nil || expr.Type != "threshold" || expr.Expression != r.Data[0].RefID ||
			len(expr.Conditions) != 1 || expr.Conditions[0].Evaluator.Type != "gt" || len(expr.Conditions[0].Evaluator.Params) != 1 {
			t.Fatalf("rule %s: condition %s is not a threshold A > x: %v %+v", r.UID, r.Condition, err, expr)
		}
		return expr.Conditions[0].Evaluator.Params[0]
	}
	t.Fatalf("rule %s has no condition %s", r.UID, r.Condition)
	return 0
}

func provisionedRules(t *testing.T) map[string]provisionedRule {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "provisioning", "alerting", "kuma.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []provisionedRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]provisionedRule{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			out[r.UID] = r
		}
	}
	return out
}

// TestProvisionedAlertRules evaluates the README's two alert rules as Grafana does: the
// rule's Kuma query as stored (no front end runs), over its relative range, through the
// built binary against the simulated shop mesh; alerting's reading of the answer; the
// rule's threshold on each instance. Which instances fire is held to the simulator's
// truths (entities within half a point of the threshold are left out: sampling noise).
func TestProvisionedAlertRules(t *testing.T) {
	rules := provisionedRules(t)
	p := e2e.Start(t, nil)
	bed := meshsimtest.Start(t, shopTopology(t), meshsimtest.Options{Sim: meshsim.Options{Regime: meshsim.RegimeLegacy}})
	inst := e2e.Instance{URL: bed.CPURL, JSONData: `{"prometheusUrl":"` + bed.PrometheusURL + `"}`}
	truths := bed.Sim.Truths()

	// The error ratio of the traffic into each service, from the edges' truths.
	requests, failures := map[string]float64{}, map[string]float64{}
	for _, e := range truths {
		requests[e.To] += e.RPS
		failures[e.To] += e.RPS * (e.ErrorRatio + e.GRPCFailureRatio)
	}

	var threshold float64 // the rule's, read below
	tests := []struct {
		uid string
		// truth is the entity's true value and whether it is known well enough to say.
		truth     func(labels map[string]string) (float64, bool)
		margin    float64
		wantFires []string
	}{
		{
			uid: "kumads-service-error-ratio", margin: 0.005,
			truth: func(l map[string]string) (float64, bool) {
				// Services with their own inbound stats count what reached them, which the
				// edges' truths approximate; callers-only services have no ratio to hold.
				r := requests[l["service"]]
				return failures[l["service"]] / r, r > 0
			},
			wantFires: []string{"stripe-api"},
		},
		{
			uid: "kumads-edge-p99",
			truth: func(l map[string]string) (float64, bool) {
				for _, e := range truths {
					if e.From == l["service"] && e.To == l["peer"] && e.Protocol != meshsim.ProtocolTCP {
						lo, hi := e.P99()
						return hi, hi <= threshold || lo >= threshold // the bucket must lie on one side
					}
				}
				return 0, false
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			rule, ok := rules[tt.uid]
			if !ok {
				t.Fatalf("rule %s not provisioned", tt.uid)
			}
			threshold = rule.threshold(t)
			q := rule.Data[0]
			if q.DatasourceUID != "kuma" {
				t.Fatalf("rule %s queries %q, not the provisioned Kuma data source", tt.uid, q.DatasourceUID)
			}
			js, err := json.Marshal(q.Model)
			if err != nil {
				t.Fatal(err)
			}
			to := bed.End
			from := to.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second)
			resp, err := p.QueryData(ctx(t), inst, e2e.Query{RefID: q.RefID, JSON: string(js), From: from.UnixMilli(), To: to.UnixMilli()})
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Responses[q.RefID]
			if r.Error != nil {
				t.Fatalf("the rule's query fails: %v", r.Error)
			}
			instances, err := e2e.AlertInstances(r.Frames)
			if err != nil {
				t.Fatalf("alerting refuses the rule's answer: %v", err)
			}
			if len(instances) < 3 {
				t.Fatalf("%d instances, want one per entity of the shop mesh", len(instances))
			}
			var fired []string
			checked := 0
			for _, in := range instances {
				v := *in.Values[0]
				fires := v > threshold
				if fires {
					fired = append(fired, in.Labels["service"])
				}
				want, known := tt.truth(in.Labels)
				if !known || (tt.margin > 0 && want > threshold-tt.margin && want < threshold+tt.margin) {
					continue
				}
				checked++
				if wantFires := want > threshold; fires != wantFires {
					t.Errorf("%v = %v fires %v; the truth %v says %v", in.Labels, v, fires, want, wantFires)
				}
			}
			if checked < 3 {
				t.Errorf("only %d instances held to a truth", checked)
			}
			for _, s := range tt.wantFires {
				if !slices.Contains(fired, s) {
					t.Errorf("%s does not fire; fired: %v", s, fired)
				}
			}
		})
	}
}
