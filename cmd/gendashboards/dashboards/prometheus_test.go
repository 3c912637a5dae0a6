package dashboards_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/cmd/gendashboards/dashboards"
	"github.com/kumahq/kuma-grafana-datasource/pkg/plugin"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/meshsim/meshsimtest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// regime is one simulated deployment the dashboards must answer for.
type regime struct {
	name string
	sim  meshsim.Options
	// kubernetes gives services a namespace: kuma.io/service <name>_<ns>_svc_<port>,
	// dataplanes <pod>.<ns>, KRIs with a namespace.
	kubernetes bool
	// split makes frontend → backend an un-merged traffic split (legacy only).
	split bool
	// meshMetric rewrites the history as Kuma 3.0's MeshMetric (OpenTelemetry) export
	// and an OpenMetrics scrape deliver it: dataplane samples whose value is 0 are
	// omitted (never-incremented counters) and counters gain a _total suffix, so
	// panels must read zeros and both counter spellings.
	meshMetric bool
	// allowEmpty are panels that may show nothing in this regime, with why.
	allowEmpty map[string]string
}

const builtinRow = "kumads-gateway/Builtin gateways: incoming requests (MeshGateway listeners)/"

var noBuiltinGateways = map[string]string{
	builtinRow + "Requests by status": "Kuma 3.0 has no builtin gateways, so no MeshGateway listeners",
	builtinRow + "Latency":            "Kuma 3.0 has no builtin gateways, so no MeshGateway listeners",
	builtinRow + "5xx share":          "Kuma 3.0 has no builtin gateways, so no MeshGateway listeners",
	builtinRow + "Route misses":       "Kuma 3.0 has no builtin gateways, so no MeshGateway listeners",
	builtinRow + "Listener TLS":       "Kuma 3.0 has no builtin gateways, so no MeshGateway listeners",
}

// kuma2Empty: panels Kuma 2.x cannot fill. kuma-cp 2.x exports no certificate expiry
// (Envoy's days_until_first_cert_expiring counts whole days, always 0 for Kuma's 24 h
// certificates), and kuma-dp's DNS metrics are only known through MeshMetric.
var kuma2Empty = map[string]string{
	"kumads-mesh/Overview/Certificate expiry":          "kuma-cp 2.x exports no certificate expiry (xds_cert_expiration_timestamp_seconds is 3.0)",
	"kumads-cp/Certificates (mTLS)/Certificate expiry": "kuma-cp 2.x exports no certificate expiry (xds_cert_expiration_timestamp_seconds is 3.0)",
	dnsRow + "Certificate expiry":                      "kuma-cp 2.x exports no certificate expiry (xds_cert_expiration_timestamp_seconds is 3.0)",
	dnsRow + "DNS latency p99":                         "kuma-dp's DNS metrics come through MeshMetric; no legacy merge is known to carry them",
	dnsRow + "DNS lookups":                             "kuma-dp's DNS metrics come through MeshMetric; no legacy merge is known to carry them",
}

const dnsRow = "kumads-dataplane/mTLS, DNS and load/"

// zeroSamplesDropped: Envoy exports a text readout as a 0-valued sample, and this
// test's MeshMetric history drops every 0-valued dataplane sample.
var zeroSamplesDropped = map[string]string{
	dnsRow + "Connected CP": "the text readout's sample is 0, which the MeshMetric history drops",
}

// kuma3Certs: kuma-cp 3.0 (MeshIdentity) counts no generated certificates and times no
// CA backend (testdata/kuma-cp/head-3.0-dev/zone/cp_metrics.txt has neither).
var kuma3Certs = map[string]string{
	"kumads-cp/Certificates (mTLS)/Certificates issued": "kuma-cp 3.0 exports no cert_generation",
	"kumads-cp/Certificates (mTLS)/CA signing p99":      "kuma-cp 3.0 exports no ca_manager_get_cert",
}

// noPods: the Service dashboard's resource panels join cAdvisor's pods to legacy
// dataplane names (<pod>.<namespace>); why that fails, per regime.
func noPods(why string) map[string]string {
	return map[string]string{
		"kumads-service/Resources (Kubernetes)/CPU":    why,
		"kumads-service/Resources (Kubernetes)/Memory": why,
		"kumads-gateway/Resources (Kubernetes)/CPU":    why,
		"kumads-gateway/Resources (Kubernetes)/Memory": why,
	}
}

var regimes = []regime{
	{name: "legacy-kubernetes", sim: meshsim.Options{KumaVersion: 2, Regime: meshsim.RegimeLegacy}, kubernetes: true, split: true, allowEmpty: kuma2Empty},
	{name: "meshservice-universal", sim: meshsim.Options{KumaVersion: 2, Regime: meshsim.RegimeMeshService},
		allowEmpty: merged(kuma2Empty, noPods("universal dataplanes run in no Kubernetes pod"))},
	{name: "unified-kuma3", sim: meshsim.Options{KumaVersion: 3}, kubernetes: true, allowEmpty: merged(noBuiltinGateways, noPods(unifiedNoDataplane), kuma3Certs)},
	{name: "unified-kuma3-meshmetric", sim: meshsim.Options{KumaVersion: 3}, kubernetes: true, meshMetric: true, allowEmpty: merged(noBuiltinGateways, noPods(unifiedNoDataplane), kuma3Certs, zeroSamplesDropped)},
}

const unifiedNoDataplane = "unified series carry no dataplane name to join pods on"

func merged(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// built is every dashboard as the generator builds it.
func built(t *testing.T) []dashboard.Dashboard {
	t.Helper()
	all, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// panel is what the tests read of a built panel: its targets, by data source.
type panel struct {
	// key is "<uid>/<row>/<title>"; titles repeat across rows ("Active connections"
	// incoming and outgoing).
	key, typ, title string
	prom            []dashboards.PromQuery
	kuma            []dashboards.Query
}

// flat lists a dashboard's panels in order, those of collapsed rows included.
func flat(t *testing.T, d dashboard.Dashboard) []panel {
	t.Helper()
	var out []panel
	row := ""
	add := func(p dashboard.Panel) {
		v := panel{typ: p.Type, title: *p.Title, key: *d.Uid + "/" + row + "/" + *p.Title}
		for _, q := range p.Targets {
			switch q := q.(type) {
			case dashboards.PromQuery:
				v.prom = append(v.prom, q)
			case dashboards.Query:
				v.kuma = append(v.kuma, q)
			default:
				t.Fatalf("%s: target of type %T", v.key, q)
			}
		}
		out = append(out, v)
	}
	for _, p := range d.Panels {
		if r := p.RowPanel; r != nil {
			row = *r.Title
			for _, c := range r.Panels {
				add(c)
			}
			continue
		}
		add(*p.Panel)
	}
	return out
}

// allowedEmpty are panels that may show nothing at all in any regime, with why.
var allowedEmpty = map[string]string{
	"kumads-cp/Go runtime/OS threads":                     "the simulated CP exports no go_threads",
	"kumads-cp/Go runtime/GC pause":                       "the simulated CP exports no go_gc_duration_seconds",
	"kumads-cp/HDS (health discovery)/HDS generation p99": "the simulated CP exports no HDS histograms",
	"kumads-cp/Resources and store/Store cache hit ratio": "the simulated CP exports no store_cache counters",
}

// notSimulated are metric families the simulator does not export. A target reading
// only such families still has to evaluate, and its zero fallback has to answer, but
// its series may be missing.
var notSimulated = regexp.MustCompile(`health_check_|upstream_cx_overflow|upstream_rq_pending_failure_eject|` +
	`upstream_cx_destroy_|hds_|grpc_server_|store_cache|kds_resources_sync|go_threads|go_gc_duration|go_memstats_heap|` +
	`container_`)

// topology is the shop demo mesh adjusted for a regime.
func topology(t *testing.T, r regime) *meshsim.Topology {
	t.Helper()
	topo, err := meshsim.Load("../../../examples/topologies/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range topo.Services {
		if r.kubernetes {
			topo.Services[i].Namespace = "shop"
		}
		if r.sim.KumaVersion == 3 && r.kubernetes {
			// On Kubernetes a workload is named after a pod label or the ServiceAccount,
			// not after the MeshService: dashboards must not confuse the two.
			topo.Services[i].Workload = topo.Services[i].Name + "-sa"
		}
	}
	for i := range topo.Gateways {
		if r.kubernetes {
			topo.Gateways[i].Namespace = "shop"
		}
	}
	for i := range topo.Edges {
		e := &topo.Edges[i]
		e.Split = r.split && e.From == "frontend" && e.To == "backend"
	}
	return topo
}

// serviceName is what the dashboards' service variables hold for a service of the
// simulated mesh (the services query): kuma.io/service in legacy regimes, the
// MeshService's name under unified naming.
func serviceName(m *meshsim.Model, name string) string {
	for _, d := range m.Dataplanes {
		if d.Service == nil || d.Service.Name != name {
			continue
		}
		if d.Mesh.Naming == meshsim.RegimeUnified {
			return d.Service.Name
		}
		return d.KumaService()
	}
	panic("no service " + name)
}

// workloadName is what a workload variable holds for a service (the workloads query):
// the kuma.io/workload its proxies carry under unified naming, the service's own name
// otherwise.
func workloadName(m *meshsim.Model, name string) string {
	for _, d := range m.Dataplanes {
		if d.Service != nil && d.Service.Name == name && d.Mesh.Naming == meshsim.RegimeUnified {
			return d.Service.Workload
		}
	}
	return serviceName(m, name)
}

// variables are the values Grafana would substitute, formatted as the Prometheus data
// source formats them: multi-value variables as an escaped regex alternation.
func variables(m *meshsim.Model) map[string]string {
	alternation := func(values []string) string {
		quoted := make([]string, len(values))
		for i, v := range values {
			// A PromQL string literal: regex backslashes are doubled.
			quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(v), `\`, `\\`)
		}
		return "(" + strings.Join(quoted, "|") + ")"
	}
	var dataplanes, gateways []string
	for _, d := range m.Dataplanes {
		if d.Service != nil && d.Service.Name == "frontend" && d.Online {
			dataplanes = append(dataplanes, d.Name)
		}
		if d.Gateway != nil && !slices.Contains(gateways, d.Gateway.Name) {
			gateways = append(gateways, d.Gateway.Name)
		}
	}
	return map[string]string{
		"__rate_interval":      "1m",
		"mesh":                 "default",
		"zone":                 ".*", // "All": the zone variable's custom all value, sent as it is
		"service":              serviceName(m, "frontend"),
		"dataplane":            alternation(dataplanes),
		"gateway":              alternation(gateways),
		"workload":             workloadName(m, "frontend"),
		"source":               serviceName(m, "frontend"),
		"source_workload":      workloadName(m, "frontend"),
		"destination":          serviceName(m, "backend"),
		"destination_workload": workloadName(m, "backend"),
		"zoneside":             "source", // the Mesh dashboard's default
	}
}

// grafanaVariable is how Grafana finds variables: $name or ${name}, where name is a run
// of word characters (so $mesh_x is the variable mesh_x). Unknown names stay as they are.
var grafanaVariable = regexp.MustCompile(`\$\{(\w+)\}|\$(\w+)`)

func interpolate(expr string, vars map[string]string) string {
	return grafanaVariable.ReplaceAllStringFunc(expr, func(m string) string {
		name := strings.Trim(m, "${}")
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}

// TestPanelsAgainstPrometheus evaluates every PromQL target of every panel against a
// real Prometheus holding the simulated shop mesh, once per naming regime.
func TestPanelsAgainstPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	for _, r := range regimes {
		t.Run(r.name, func(t *testing.T) {
			topo := topology(t, r)
			if r.meshMetric {
				prom, sim, end := startAsMeshMetric(t, topo, r.sim)
				checkPanels(t, r, prom, end, variables(sim.Model()))
				return
			}
			bed := meshsimtest.Start(t, topo, meshsimtest.Options{Sim: r.sim})
			vars := variables(bed.Sim.Model())
			checkPanels(t, r, bed.Prometheus, bed.End, vars)
			checkTruths(t, bed, vars)
			checkServiceMap(t, bed, vars)
		})
	}
}

// checkPanels evaluates every target: it must not fail, every panel must show data
// unless allowed empty, and a target's series must exist without the zero fallback
// (unless the simulator does not export them or zeros are omitted).
func checkPanels(t *testing.T, r regime, prom *promtest.Server, at time.Time, vars map[string]string) {
	ctx := context.Background()
	evaluated := 0
	for _, d := range built(t) {
		for _, p := range flat(t, d) {
			key := p.key
			mayBeEmpty := allowedEmpty[key] != "" || r.allowEmpty[key] != ""
			panelHasData := false
			for _, target := range p.prom {
				full, core := interpolate(target.Expr, vars), interpolate(target.Core(), vars)
				if strings.Contains(full, "$") && !strings.Contains(full, `"$1"`) {
					t.Errorf("%s %s: variable left after substitution: %s", key, *target.RefId, full)
				}
				evaluated++
				got, err := prom.Query(ctx, full, at)
				if err != nil {
					t.Errorf("%s %s: %v", key, *target.RefId, err)
					continue
				}
				panelHasData = panelHasData || len(got) > 0
				if core == full {
					continue
				}
				coreGot, err := prom.Query(ctx, core, at)
				if err != nil {
					t.Errorf("%s %s (without zero fallback): %v", key, *target.RefId, err)
				} else if len(coreGot) == 0 && !mayBeEmpty && !r.meshMetric && !notSimulated.MatchString(core) {
					t.Errorf("%s %s: only the zero fallback answers; the real series are missing:\n%s", key, *target.RefId, core)
				}
			}
			if len(p.prom) > 0 && !panelHasData && !mayBeEmpty {
				t.Errorf("%s: no data in %s (first query: %s)", key, r.name, interpolate(p.prom[0].Expr, vars))
			}
			if panelHasData && r.allowEmpty[key] != "" {
				t.Errorf("%s has data in %s: drop it from allowEmpty", key, r.name)
			}
		}
	}
	t.Logf("%s: %d PromQL targets evaluated", r.name, evaluated)
}

// startAsMeshMetric backfills the simulation as MeshMetric would have exported it:
// zero-valued dataplane samples dropped, counters renamed to <name>_total.
func startAsMeshMetric(t *testing.T, topo *meshsim.Topology, o meshsim.Options) (*promtest.Server, *meshsim.Sim, time.Time) {
	const history, step = 20 * time.Minute, 15 * time.Second
	end := time.Now().Truncate(step)
	o.Start = end.Add(-history)
	sim, err := meshsim.New(topo, o)
	if err != nil {
		t.Fatal(err)
	}
	counters := map[string]bool{}
	for _, target := range sim.Targets() {
		for _, f := range target.Families(end).List() {
			counters[f.Name] = f.Type == "counter" && !strings.HasSuffix(f.Name, "_total")
		}
	}
	ctx := context.Background()
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		var all bytes.Buffer
		if err := sim.WriteOpenMetrics(ctx, &all, meshsim.BackfillOptions{End: end, Duration: history, Step: step}); err != nil {
			return err
		}
		for line := range strings.Lines(all.String()) {
			// A sample line is "<name>{<labels>} <value> <timestamp>"; kuma-cp's own
			// client exports zeros, only kuma-dp's MeshMetric omits them.
			fields := strings.Fields(line)
			if len(fields) >= 3 && fields[len(fields)-2] == "0" && strings.Contains(line, `job="`+meshsim.JobDataplanes+`"`) {
				continue
			}
			if name, rest, ok := strings.Cut(line, "{"); ok && counters[name] {
				line = name + "_total{" + rest
			}
			if _, err := io.WriteString(w, line); err != nil {
				return err
			}
		}
		return nil
	})
	return promtest.Start(t, promtest.Options{DataDir: data}), sim, end
}

// TestInterpolateLikeGrafana pins the substitution the test relies on.
func TestInterpolateLikeGrafana(t *testing.T) {
	vars := map[string]string{"mesh": "default", "zone": "(zone-1|zone-2)"}
	for in, want := range map[string]string{
		`{mesh="$mesh",zone=~"$zone"}`: `{mesh="default",zone=~"(zone-1|zone-2)"}`,
		`kri_${mesh}_x`:                `kri_default_x`,
		`$mesh_x`:                      `$mesh_x`,
		`label_replace(a, "p", "$1", "d", "(.*)")`: `label_replace(a, "p", "$1", "d", "(.*)")`,
	} {
		if got := interpolate(in, vars); got != want {
			t.Errorf("interpolate(%s) = %s, want %s", in, got, want)
		}
	}
}

// checkTruths compares panels with the values the simulation was configured with, so
// that a selector that double counts (both regimes' forms matching) or lets internal
// clusters in shows up as a wrong number, not only as data.
func checkTruths(t *testing.T, bed *meshsimtest.Bed, vars map[string]string) {
	t.Helper()
	queryWith := func(vars map[string]string, key, refID string) []promtest.Sample {
		t.Helper()
		for _, d := range built(t) {
			for _, p := range flat(t, d) {
				if p.key != key {
					continue
				}
				for _, target := range p.prom {
					if *target.RefId != refID {
						continue
					}
					res, err := bed.Prometheus.Query(context.Background(), interpolate(target.Expr, vars), bed.End)
					if err != nil || len(res) == 0 {
						t.Fatalf("%s %s: %v, %d samples", key, refID, err, len(res))
					}
					return res
				}
			}
		}
		t.Fatalf("no panel %s target %s", key, refID)
		return nil
	}
	sumWith := func(vars map[string]string, key, refID string) float64 {
		t.Helper()
		total := 0.0
		for _, smp := range queryWith(vars, key, refID) {
			total += smp.Value
		}
		return total
	}
	sum := func(key, refID string) float64 { return sumWith(vars, key, refID) }
	near := func(key, refID string, want float64) {
		t.Helper()
		if got := sum(key, refID); math.Abs(got-want) > 1e-6+0.01*math.Abs(want) {
			t.Errorf("%s %s = %g, want %g", key, refID, got, want)
		}
	}
	within := func(key, refID string, bounds func() (float64, float64)) {
		t.Helper()
		got := sum(key, refID)
		if lo, hi := bounds(); got < lo || got > hi {
			t.Errorf("%s %s = %g ms, want within the bucket [%g, %g]", key, refID, got, lo, hi)
		}
	}
	edge, ok := bed.Sim.Truth("default", "frontend", "backend")
	if !ok {
		t.Fatal("no frontend → backend truth")
	}
	const s2s = "kumads-service-to-service/Traffic/"
	near(s2s+"Request rate", "A", edge.RPS)
	near(s2s+"5xx share", "A", edge.ErrorRatio)
	within(s2s+"HTTP latency", "A", edge.P50)
	within(s2s+"HTTP latency", "C", edge.P99)
	near(s2s+"Bytes", "A", edge.TxBytesPerSec)
	near(s2s+"Bytes", "B", edge.RxBytesPerSec)
	// backend's only caller is frontend, so its own side counts the same requests.
	near("kumads-service-to-service/$destination's side: everything it receives/Requests received by status", "A", edge.RPS)
	// The service map links with bare service names (backend, not backend_shop_svc_9090).
	bare := maps.Clone(vars)
	bare["source"], bare["destination"] = "frontend", "backend"
	if got := sumWith(bare, s2s+"Request rate", "A"); math.Abs(got-edge.RPS) > 0.01*edge.RPS {
		t.Errorf("with bare service names: %g req/s, want %g", got, edge.RPS)
	}

	// Sums of the configured edges: the whole mesh, into frontend, out of the gateways.
	var meshRPS, frontendIn, fromGateways, fromBuiltin float64
	for _, e := range bed.Sim.Truths() {
		meshRPS += e.RPS
		if e.To == "frontend" {
			frontendIn += e.RPS
		}
		if e.From == "edge-gateway" || e.From == "kong-gateway" {
			fromGateways += e.RPS
		}
		if e.From == "edge-gateway" {
			fromBuiltin += e.RPS
		}
	}
	near("kumads-mesh/Overview/Request rate", "A", meshRPS)
	near("kumads-dataplane/Incoming traffic/Requests by status", "A", frontendIn)
	near("kumads-gateway/Instances/Request rate", "A", fromGateways)
	if bed.Sim.KumaVersion() == 2 {
		near(builtinRow+"Requests by status", "A", fromBuiltin)
	}
	// Each zone's share, selected by kuma_io_zone or zone, adds up to the whole mesh.
	perZone := 0.0
	for _, z := range bed.Sim.Model().Topology.Zones {
		inZone := maps.Clone(vars)
		inZone["zone"] = z
		v := sumWith(inZone, "kumads-mesh/Overview/Request rate", "A")
		if v == 0 {
			t.Errorf("no traffic from %s", z)
		}
		perZone += v
	}
	if math.Abs(perZone-meshRPS) > 0.01*meshRPS {
		t.Errorf("zones add up to %g req/s, want %g", perZone, meshRPS)
	}
	// Zone ingresses carry what other zones send into theirs; egresses what leaves for
	// external services (the shop mesh routes it through egresses). In the shop mesh
	// only zone-1 receives cross-zone traffic and sends external traffic.
	for _, z := range bed.Sim.Model().Topology.Zones[:1] {
		var crossing, external, externalRPS float64
		for _, e := range bed.Sim.Truths() {
			for _, zt := range e.Zones {
				switch {
				case zt.To == z && zt.From != z:
					crossing += zt.BytesPerSec
				case zt.To == "" && zt.From == z:
					external += zt.BytesPerSec
					externalRPS += zt.RPS
				}
			}
		}
		if crossing == 0 || externalRPS == 0 {
			t.Fatalf("%s: the shop mesh should send traffic into it across zones and out to stripe-api", z)
		}
		inZone := maps.Clone(vars)
		inZone["zone"] = z
		const ingress, egress = "kumads-zone-ingress/Cross-zone traffic into $zone/", "kumads-zone-egress/Traffic leaving $zone/"
		if got := sumWith(inZone, ingress+"Bytes", "A") + sumWith(inZone, ingress+"Bytes", "B"); math.Abs(got-crossing) > 1e-6+0.01*crossing {
			t.Errorf("%s: ingress bytes %g/s, want %g", z, got, crossing)
		}
		if got := sumWith(inZone, egress+"Bytes", "A") + sumWith(inZone, egress+"Bytes", "B"); math.Abs(got-external) > 1e-6+0.01*external {
			t.Errorf("%s: egress bytes %g/s, want %g", z, got, external)
		}
		if got := sumWith(inZone, egress+"Request rate", "A"); math.Abs(got-externalRPS) > 1e-6+0.01*externalRPS {
			t.Errorf("%s: egress %g req/s, want %g", z, got, externalRPS)
		}
		// Per destination service: each ingress cluster carries what crosses into the
		// zone for that service (no service name is part of another's).
		wantPerService := map[string]float64{}
		for _, e := range bed.Sim.Truths() {
			for _, zt := range e.Zones {
				if zt.To == z && zt.From != z {
					wantPerService[e.To] += zt.BytesPerSec
				}
			}
		}
		gotPerService := map[string]float64{}
		for _, refID := range []string{"A", "B"} {
			for _, smp := range queryWith(inZone, "kumads-zone-ingress/Per destination service/Bytes per service", refID) {
				for service := range wantPerService {
					if strings.Contains(smp.Metric["envoy_cluster_name"], service) {
						gotPerService[service] += smp.Value
					}
				}
			}
		}
		for service, want := range wantPerService {
			if got := gotPerService[service]; math.Abs(got-want) > 1e-6+0.01*want {
				t.Errorf("%s: ingress bytes to %s %g/s, want %g", z, service, got, want)
			}
		}
	}
	stripe, ok := bed.Sim.Truth("default", "backend", "stripe-api")
	if !ok {
		t.Fatal("no backend → stripe-api truth")
	}
	near("kumads-zone-egress/Traffic leaving $zone/5xx share", "A", stripe.ErrorRatio)

	// Kuma 3.0 certificates live 24 h and rotate at 4/5 of that; the history is shorter.
	if bed.Sim.KumaVersion() == 3 {
		within("kumads-mesh/Overview/Certificate expiry", "A", func() (float64, float64) { return 24*3600 - 2*3600, 24 * 3600 })
	}

	// On Kubernetes the resource panels join cAdvisor's and kube-state-metrics' pods to
	// the legacy dataplanes of the service (also from a bare service name, as the services
	// list gives it, and from the map's name, as its links send it) or of the gateways.
	cores, memory, coresLimit, memoryLimit := meshsim.PodUsage()
	bareService, mapName := maps.Clone(vars), maps.Clone(vars)
	bareService["service"] = "frontend"
	// The map names a Kubernetes service <name>_<namespace>: its rollup cuts _svc_<port>.
	mapName["service"], _, _ = strings.Cut(vars["service"], "_svc_")
	for _, c := range []struct {
		dashboard string
		vars      map[string]string
		pods      float64
	}{
		{"kumads-service", vars, kubernetesPods(bed.Sim.Model(), "frontend")},
		{"kumads-service", bareService, kubernetesPods(bed.Sim.Model(), "frontend")},
		{"kumads-service", mapName, kubernetesPods(bed.Sim.Model(), "frontend")},
		{"kumads-gateway", vars, kubernetesPods(bed.Sim.Model(), "edge-gateway") + kubernetesPods(bed.Sim.Model(), "kong-gateway")},
	} {
		if c.pods == 0 {
			continue
		}
		for _, p := range []struct {
			panel, refID string
			perPod       float64
		}{{"CPU", "A", cores}, {"CPU", "B", coresLimit}, {"Memory", "A", memory}, {"Memory", "B", memoryLimit}} {
			want := c.pods * p.perPod
			if got := sumWith(c.vars, c.dashboard+"/Resources (Kubernetes)/"+p.panel, p.refID); math.Abs(got-want) > 0.01*want {
				t.Errorf("%s with service %s: %s %s = %g, want %g", c.dashboard, c.vars["service"], p.panel, p.refID, got, want)
			}
		}
	}

	// Every dataplane and zone proxy holds an ADS stream to its zone CP.
	online := float64(len(bed.Sim.Model().ZoneProxies))
	for _, d := range bed.Sim.Model().Dataplanes {
		if d.Online {
			online++
		}
	}
	near("kumads-cp/xDS (proxy configuration)/Active xDS streams", "A", online)
	near("kumads-service/Incoming: requests to $service/Request rate by status", "A", frontendIn)
	near("kumads-service/Dataplanes/Request rate", "A", frontendIn)
	// The callers' proxies count the same requests (every caller of frontend is online).
	near("kumads-service/Callers: who sends requests to $service/Requests by caller", "A", frontendIn)
}

// kubernetesPods counts the online legacy Kubernetes dataplanes of a service or
// gateway: the pods the resource panels can name.
func kubernetesPods(m *meshsim.Model, name string) float64 {
	n := 0.0
	for _, d := range m.Dataplanes {
		named := d.Service != nil && d.Service.Name == name && d.Service.Namespace != "" ||
			d.Gateway != nil && d.Gateway.Name == name && d.Gateway.Namespace != ""
		if d.Online && named && d.Mesh.Naming != meshsim.RegimeUnified {
			n++
		}
	}
	return n
}

// checkServiceMap sends the Mesh dashboard's service-map query, as the front end
// would resolve it, to the plugin configured for the bed's CP and Prometheus.
func checkServiceMap(t *testing.T, bed *meshsimtest.Bed, vars map[string]string) {
	t.Helper()
	var target dashboards.Query
	for _, d := range built(t) {
		for _, p := range flat(t, d) {
			if p.typ == "nodeGraph" {
				target = p.kuma[0]
			}
		}
	}
	raw, err := json.Marshal(target)
	if err != nil {
		t.Fatal(err)
	}
	model := interpolate(string(raw), vars)
	inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "kuma", URL: bed.CPURL, JSONData: []byte(`{"prometheusUrl":"` + bed.PrometheusURL + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*plugin.Datasource)
	defer ds.Dispose()
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: target.QueryType, JSON: []byte(model),
		TimeRange: backend.TimeRange{From: bed.End.Add(-10 * time.Minute), To: bed.End}, Interval: 15 * time.Second,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		t.Fatalf("service map %s: %v", model, r.Error)
	}
	rows := map[string]int{}
	for _, f := range r.Frames {
		rows[f.Name] = f.Rows()
	}
	if rows["nodes"] == 0 || rows["edges"] == 0 {
		t.Errorf("service map %s: frames %v, want nodes and edges", model, rows)
	}
}

// TestScrapeHealthShowsADownCP: a zone CP that stops answering its scrapes must lower
// the CP dashboard's scrape health, though its cp_info series stop with it.
func TestScrapeHealthShowsADownCP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	const history, step, outage = 20 * time.Minute, 15 * time.Second, 10 * time.Minute
	end := time.Now().Truncate(step)
	sim, err := meshsim.New(topology(t, regimes[0]), meshsim.Options{Start: end.Add(-history)})
	if err != nil {
		t.Fatal(err)
	}
	down := func(target meshsim.Target, at time.Time) bool {
		return target.Job == meshsim.JobCP && slices.Contains(target.Labels, meshsim.Label{Name: "instance", Value: "kuma-zone-1-cp:5680"}) &&
			at.After(end.Add(-outage))
	}
	ctx := context.Background()
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		return sim.WriteOpenMetrics(ctx, w, meshsim.BackfillOptions{End: end, Duration: history, Step: step, Down: down,
			Family: func(name string) bool { return name == "up" || name == "cp_info" }})
	})
	prom := promtest.Start(t, promtest.Options{DataDir: data})
	var expr string
	for _, d := range built(t) {
		for _, p := range flat(t, d) {
			if p.key == "kumads-cp/Overview/Scrape health" {
				expr = interpolate(p.prom[0].Expr, variables(sim.Model()))
			}
		}
	}
	got, err := prom.Query(ctx, expr, end)
	if err != nil || len(got) != 1 {
		t.Fatalf("%s: %v, %d samples", expr, err, len(got))
	}
	// The global CP and zone-2's answer, zone-1's does not.
	if want := 2.0 / 3; math.Abs(got[0].Value-want) > 1e-9 {
		t.Errorf("scrape health with zone-1's CP down = %g, want %g", got[0].Value, want)
	}
}
