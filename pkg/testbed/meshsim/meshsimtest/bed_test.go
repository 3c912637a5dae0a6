package meshsimtest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
)

// TestBed starts a Kuma 3 bed for a generated mesh and checks both halves answer.
func TestBed(t *testing.T) {
	topo, err := meshsim.Generate(meshsim.GenerateOptions{Services: 20, FanOut: 2, Zones: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	bed := meshsimtest.Start(t, topo, meshsimtest.Options{Sim: meshsim.Options{KumaVersion: 3}})
	resp, err := http.Get(bed.CPURL + "/meshes/default/workloads")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("workloads: %s", resp.Status)
	}
	truth := bed.Sim.Truths()[0]
	q := fmt.Sprintf(`sum(rate(envoy_cluster_upstream_rq_total{%s}[5m]))`, truth.Matchers())
	if got := bed.Prometheus.QueryValue(t, context.Background(), q, bed.End); got < truth.RPS*0.99 || got > truth.RPS*1.01 {
		t.Errorf("%s: %g req/s, want %g", q, got, truth.RPS)
	}
}
