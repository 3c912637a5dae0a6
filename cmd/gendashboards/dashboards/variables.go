package dashboards

import (
	"encoding/json"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

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
func linksFrom(uid string) []cog.Builder[dashboard.DashboardLink] {
	var out []cog.Builder[dashboard.DashboardLink]
	for _, t := range titles {
		if t.uid == uid {
			continue
		}
		out = append(out, aboveThePanels{dashboard.NewDashboardLinkBuilder(t.title).Type(dashboard.DashboardLinkTypeLink).Url("/d/" + t.uid).
			Icon("dashboard").Tooltip("Open " + t.title).KeepTime(true).IncludeVars(true).Tags([]string{})})
	}
	return out
}

// aboveThePanels shows a link where Grafana shows dashboard links by default, above the
// panels: the SDK's link builder places every link in Grafana 12's controls menu
// (placement inControlsMenu) and has no way to unset it.
type aboveThePanels struct {
	*dashboard.DashboardLinkBuilder
}

func (l aboveThePanels) Build() (dashboard.DashboardLink, error) {
	link, err := l.DashboardLinkBuilder.Build()
	link.Placement = nil
	return link, err
}

// variable is a template variable, built by the SDK's variable builders.
type variable = cog.Builder[dashboard.VariableModel]

// dataSourceVariables are the two data source pickers every dashboard starts with.
func dataSourceVariables() []variable {
	return []variable{
		dashboard.NewDatasourceVariableBuilder("datasource").Label("Prometheus").Type("prometheus").
			Description("Prometheus that scrapes the Kuma control planes and dataplanes"),
		dashboard.NewDatasourceVariableBuilder("kuma").Label("Kuma").Type(PluginID).
			Description("Kuma data source (control-plane inventory and service map)"),
	}
}

// kumaVariable is a variable whose values come from this data source: the backend
// answers with a table whose first field, name, is the value. The SDK stores a
// variable's query as a JSON object; q is ours, typed, and converted to one.
func kumaVariable(name, label, description string, q Query) *dashboard.QueryVariableBuilder {
	q.RefID = name
	v := dashboard.NewQueryVariableBuilder(name).Label(label).Datasource(kumaDS).Definition(q.QueryType).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc)
	if description != "" {
		v.Description(description)
	}
	model, err := asObject(q)
	if err != nil {
		return v.RecordError("query", err)
	}
	return v.Query(dashboard.StringOrMap{Map: model})
}

// asObject is q as a JSON object.
func asObject(q Query) (map[string]any, error) {
	raw, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

// multi lets a variable take several values and "All", its default (every listed
// value, unless allZones says otherwise).
func multi(v *dashboard.QueryVariableBuilder) *dashboard.QueryVariableBuilder {
	return v.Multi(true).IncludeAll(true).Current(dashboard.VariableOption{Selected: cog.ToPtr(true),
		Text: dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}}, Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}}})
}

// allZones makes "All" zones no zone filter at all: .* in PromQL (zone=~".*" matches
// every series, also those without the label) and for this data source's zone pattern,
// which reads a pattern matching "" as no filter. A list of every zone would grow with
// the deployment, miss zones added since the dashboard loaded and lengthen every query.
// Grafana sends a custom all value unescaped (it formats none).
func allZones(v *dashboard.QueryVariableBuilder) *dashboard.QueryVariableBuilder {
	return v.AllValue(".*")
}

// customVariable offers fixed values, the first selected.
func customVariable(name, label, description string, values ...string) *dashboard.CustomVariableBuilder {
	option := func(i int) dashboard.VariableOption {
		return dashboard.VariableOption{Selected: cog.ToPtr(i == 0),
			Text: dashboard.StringOrArrayOfString{String: &values[i]}, Value: dashboard.StringOrArrayOfString{String: &values[i]}}
	}
	options := make([]dashboard.VariableOption, len(values))
	for i := range values {
		options[i] = option(i)
	}
	return dashboard.NewCustomVariableBuilder(name).Label(label).Description(description).
		Values(dashboard.StringOrMap{String: cog.ToPtr(strings.Join(values, ","))}).Options(options).Current(option(0))
}

// Variables shared by the dashboards; functions, for a builder is not a value to share.
func meshVar() variable { return kumaVariable("mesh", "Mesh", "", Query{QueryType: "meshes"}) }

func zoneVar() variable {
	return allZones(multi(kumaVariable("zone", "Zone", "Zones whose proxies (or control planes) are shown", Query{QueryType: "zones"})))
}

// zoneSideVar is the service map's zoneSide: which end of a request $zone selects.
func zoneSideVar() variable {
	return customVariable("zoneside", "Zone side",
		"Service map: $zone selects the requests' sources (the proxies that report them), their destinations (traffic into the zone's services) or either",
		"source", "destination", "any")
}

// serviceVariable lists the services of $mesh.
func serviceVariable(name, label, description string) *dashboard.QueryVariableBuilder {
	return kumaVariable(name, label, description, Query{QueryType: "services", Mesh: "$mesh"})
}

// calleesVariable lists the services $of calls on the map over the dashboard's range
// (this data source's callees): a destination list without services the source never
// reaches, which would only show empty panels. It refreshes on time range change: a
// list drawn from traffic follows the dashboard's range.
func calleesVariable(name, label, description, of string) variable {
	return kumaVariable(name, label, description, Query{QueryType: models.QueryTypeCallees, Mesh: "$mesh", Service: "$" + of}).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged)
}

// workloadVariable holds the kuma.io/workload values behind the service variable named
// of: what Kuma 3.0's unified metrics are labelled with (kuma_workload). On Kubernetes a
// workload is named after a pod label or the ServiceAccount, not after the MeshService;
// for other services the query answers the service's own name. Hidden: it follows of.
func workloadVariable(of string) variable {
	return multi(kumaVariable(workloadOf(of), "Workloads of "+of, "kuma.io/workload values behind $"+of+" (Kuma 3.0 unified naming)",
		Query{QueryType: "workloads", Mesh: "$mesh", Service: "$" + of})).Hide(dashboard.VariableHideHideVariable)
}

// workloadOf names the workload variable of a service variable.
func workloadOf(service string) string {
	if service == "service" {
		return "workload"
	}
	return service + "_workload"
}

func serviceVar() variable {
	return serviceVariable("service", "Service", "kuma.io/service (legacy naming) or MeshService / workload name (unified naming)")
}

func dataplaneVar() variable {
	return multi(kumaVariable("dataplane", "Dataplane", "Dataplanes of $service", Query{QueryType: "dataplanes", Mesh: "$mesh", Service: "$service"}))
}

func gatewayVar() variable {
	return multi(kumaVariable("gateway", "Gateway", "Gateway services (builtin MeshGateway and delegated)", Query{QueryType: "gateways", Mesh: "$mesh"}))
}

func sourceVar() variable {
	return serviceVariable("source", "Source", "Service that sends the traffic")
}

func destinationVar() variable {
	return calleesVariable("destination", "Destination", "Service that receives the traffic: one $source calls over the time range, as on the map", "source")
}
