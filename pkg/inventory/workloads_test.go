package inventory

import (
	"reflect"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
)

func workloadService(name, zone string, sel *kuma.MeshServiceSelector) kuma.MeshService {
	var ms kuma.MeshService
	ms.Name = name + "-" + zone
	ms.Labels = map[string]string{kuma.LabelDisplayName: name, kuma.LabelZone: zone}
	ms.Spec.Selector = sel
	return ms
}

func byLabels(l map[string]string) *kuma.MeshServiceSelector {
	return &kuma.MeshServiceSelector{DataplaneLabels: &kuma.LabelSelector{MatchLabels: l}}
}

func TestServiceWorkloads(t *testing.T) {
	res := MeshResources{MeshServices: []kuma.MeshService{
		workloadService("backend", "zone-1", byLabels(map[string]string{kuma.LabelWorkload: "shop-backend-sa"})),
		workloadService("backend", "zone-2", byLabels(map[string]string{kuma.LabelWorkload: "backend"})),
		workloadService("billing", "zone-1", byLabels(map[string]string{"app": "billing"})),
		workloadService("billing", "zone-2", byLabels(map[string]string{"app": "billing"})),
		workloadService("legacy", "zone-1", &kuma.MeshServiceSelector{DataplaneTags: map[string]string{kuma.TagService: "legacy_ns_svc_80"}}),
		workloadService("manual", "zone-1", nil),
	}}
	named, lookups := ServiceWorkloads(res, "")
	wantNamed := []Workload{{Name: "shop-backend-sa", Service: "backend", Zones: []string{"zone-1"}}, {Name: "backend", Service: "backend", Zones: []string{"zone-2"}}}
	if !reflect.DeepEqual(named, wantNamed) {
		t.Errorf("named = %+v", named)
	}
	wantLookups := []WorkloadLookup{
		{Service: "billing", Filter: kuma.DataplaneFilter{Labels: map[string]string{"app": "billing"}}},
		{Service: "legacy", Filter: kuma.DataplaneFilter{Tags: map[string]string{kuma.TagService: "legacy_ns_svc_80"}}},
	}
	if !reflect.DeepEqual(lookups, wantLookups) {
		t.Errorf("lookups = %+v (one per selector, not per zone)", lookups)
	}
	if named, lookups := ServiceWorkloads(res, "billing"); len(named) != 0 || len(lookups) != 1 {
		t.Errorf("billing: %+v, %+v", named, lookups)
	}

	dp := func(zone, workload string) kuma.DataplaneOverview {
		var o kuma.DataplaneOverview
		o.Labels = map[string]string{kuma.LabelZone: zone}
		if workload != "" {
			o.Labels[kuma.LabelWorkload] = workload
		}
		return o
	}
	found := DataplaneWorkloads(lookups[0], []kuma.DataplaneOverview{dp("zone-1", "billing-sa"), dp("zone-2", "billing-sa"), dp("zone-1", "")})
	got := MergeWorkloads("billing", found)
	if want := []Workload{{Name: "billing-sa", Service: "billing", Zones: []string{"zone-1", "zone-2"}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("merged = %+v, want %+v", got, want)
	}
}

func TestMergeWorkloadsFallsBackToTheServiceName(t *testing.T) {
	if got := MergeWorkloads("backend_kuma-demo_svc_8080", nil); !reflect.DeepEqual(got, []Workload{{Name: "backend_kuma-demo_svc_8080", Service: "backend_kuma-demo_svc_8080"}}) {
		t.Errorf("got %+v", got)
	}
	if got := MergeWorkloads("", nil); len(got) != 0 {
		t.Errorf("no service, no workloads: %+v", got)
	}
}
