package dashboards

import (
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/frames"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// The dashboards' uids; other code (front end, README, plugin links) links to them.
// They carry the kumads- prefix: Kuma's own dashboards use kuma-mesh, kuma-cp-v2,
// kuma-service-health…, and Grafana replaces a dashboard imported under a uid it has.
// The map's data links are decided in frames; the generator follows them.
const (
	UIDControlPlane     = "kumads-cp"
	UIDDataplane        = "kumads-dataplane"
	UIDGateway          = "kumads-gateway"
	UIDMesh             = "kumads-mesh"
	UIDService          = frames.ServiceDashboardUID
	UIDServiceToService = frames.ServiceToServiceDashboardUID
	UIDZoneIngress      = "kumads-zone-ingress"
	UIDZoneEgress       = "kumads-zone-egress"
)

// titles are the dashboards' titles by uid, in the order the links list them.
var titles = []struct{ uid, title string }{
	{UIDMesh, "Kuma Mesh"},
	{UIDService, "Kuma Service"},
	{UIDServiceToService, "Kuma Service to Service"},
	{UIDDataplane, "Kuma Dataplane"},
	{UIDGateway, "Kuma Gateway"},
	{UIDZoneIngress, "Kuma Zone Ingress"},
	{UIDZoneEgress, "Kuma Zone Egress"},
	{UIDControlPlane, "Kuma CP"},
}

func titleOf(uid string) string {
	for _, t := range titles {
		if t.uid == uid {
			return t.title
		}
	}
	panic("no dashboard " + uid)
}

// linksFrom links a dashboard to every other one, keeping the time range and the
// variables (mesh, zone, service… carry over where the names match).
func linksFrom(uid string) []Link {
	var out []Link
	for _, t := range titles {
		if t.uid == uid {
			continue
		}
		out = append(out, Link{Type: "link", Title: t.title, URL: "/d/" + t.uid, Icon: "dashboard",
			Tooltip: "Open " + t.title, KeepTime: true, IncludeVars: true, Tags: []string{}})
	}
	return out
}

// dataSourceVariables are the two data source pickers every dashboard starts with.
func dataSourceVariables() []Variable {
	return []Variable{
		{Type: "datasource", Name: "datasource", Label: "Prometheus", Query: "prometheus",
			Description: "Prometheus that scrapes the Kuma control planes and dataplanes", Refresh: 1, Options: []any{}, Current: map[string]any{}},
		{Type: "datasource", Name: "kuma", Label: "Kuma", Query: PluginID,
			Description: "Kuma data source (control-plane inventory and service map)", Refresh: 1, Options: []any{}, Current: map[string]any{}},
	}
}

// VariableQuery is the query model of a variable answered by this data source.
type VariableQuery struct {
	QueryType string `json:"queryType"`
	Mesh      string `json:"mesh,omitempty"`
	Service   string `json:"service,omitempty"`
	RefID     string `json:"refId"`
}

// hideVariable is Grafana's "hide variable" (0 shows label and value, 2 neither).
const hideVariable = 2

// kumaVariable is a variable whose values come from this data source: the backend
// answers with a table whose first field, name, is the value.
func kumaVariable(name, label, description string, q VariableQuery) Variable {
	q.RefID = name
	return Variable{
		Type: "query", Name: name, Label: label, Description: description, Datasource: kumaDS, Query: q,
		Definition: q.QueryType, Refresh: 1, Sort: 1, Options: []any{}, Current: map[string]any{},
	}
}

// multi lets a variable take several values and "All", its default (every listed
// value, unless allZones says otherwise).
func multi(v Variable) Variable {
	v.Multi, v.IncludeAll = true, true
	v.Current = map[string]any{"selected": true, "text": []string{"All"}, "value": []string{"$__all"}}
	return v
}

// allZones makes "All" zones no zone filter at all: .* in PromQL (zone=~".*" matches
// every series, also those without the label) and for this data source's zone pattern,
// which reads a pattern matching "" as no filter. A list of every zone would grow with
// the deployment, miss zones added since the dashboard loaded and lengthen every query.
func allZones(v Variable) Variable {
	v.AllValue = ".*"
	return v
}

// customVariable offers fixed values, the first selected.
func customVariable(name, label, description string, values ...string) Variable {
	options := make([]any, len(values))
	for i, v := range values {
		options[i] = map[string]any{"text": v, "value": v, "selected": i == 0}
	}
	return Variable{
		Type: "custom", Name: name, Label: label, Description: description, Query: strings.Join(values, ","),
		Options: options, Current: map[string]any{"selected": true, "text": values[0], "value": values[0]},
	}
}

var (
	meshVar = kumaVariable("mesh", "Mesh", "", VariableQuery{QueryType: "meshes"})
	zoneVar = allZones(multi(kumaVariable("zone", "Zone", "Zones whose proxies (or control planes) are shown", VariableQuery{QueryType: "zones"})))
	// zoneSideVar is the service map's zoneSide: which end of a request $zone selects.
	zoneSideVar = customVariable("zoneside", "Zone side",
		"Service map: $zone selects the requests' sources (the proxies that report them), their destinations (traffic into the zone's services) or either",
		"source", "destination", "any")
)

// serviceVariable lists the services of $mesh.
func serviceVariable(name, label, description string) Variable {
	return kumaVariable(name, label, description, VariableQuery{QueryType: "services", Mesh: "$mesh"})
}

// refreshOnTimeRange is Grafana's "On time range change" (1 is "On dashboard load"): a
// list drawn from traffic follows the dashboard's range.
const refreshOnTimeRange = 2

// calleesVariable lists the services $of calls on the map over the dashboard's range
// (this data source's callees): a destination list without services the source never
// reaches, which would only show empty panels.
func calleesVariable(name, label, description, of string) Variable {
	v := kumaVariable(name, label, description, VariableQuery{QueryType: models.QueryTypeCallees, Mesh: "$mesh", Service: "$" + of})
	v.Refresh = refreshOnTimeRange
	return v
}

// workloadVariable holds the kuma.io/workload values behind the service variable named
// of: what Kuma 3.0's unified metrics are labelled with (kuma_workload). On Kubernetes a
// workload is named after a pod label or the ServiceAccount, not after the MeshService;
// for other services the query answers the service's own name. Hidden: it follows of.
func workloadVariable(of string) Variable {
	v := multi(kumaVariable(workloadOf(of), "Workloads of "+of, "kuma.io/workload values behind $"+of+" (Kuma 3.0 unified naming)",
		VariableQuery{QueryType: "workloads", Mesh: "$mesh", Service: "$" + of}))
	v.Hide = hideVariable
	return v
}

// workloadOf names the workload variable of a service variable.
func workloadOf(service string) string {
	if service == "service" {
		return "workload"
	}
	return service + "_workload"
}

var (
	serviceVar   = serviceVariable("service", "Service", "kuma.io/service (legacy naming) or MeshService / workload name (unified naming)")
	dataplaneVar = multi(kumaVariable("dataplane", "Dataplane", "Dataplanes of $service",
		VariableQuery{QueryType: "dataplanes", Mesh: "$mesh", Service: "$service"}))
	gatewayVar = multi(kumaVariable("gateway", "Gateway", "Gateway services (builtin MeshGateway and delegated)",
		VariableQuery{QueryType: "gateways", Mesh: "$mesh"}))
	sourceVar         = serviceVariable("source", "Source", "Service that sends the traffic")
	destinationVar    = calleesVariable("destination", "Destination", "Service that receives the traffic: one $source calls over the time range, as on the map", "source")
	workloadVar       = workloadVariable("service")
	sourceWorkloadVar = workloadVariable("source")
	// destinationWorkloadVar selects $destination's own proxies (its inbound side).
	destinationWorkloadVar = workloadVariable("destination")
)
