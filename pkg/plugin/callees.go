package plugin

import (
	"context"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// callees lists the services q.Service sends requests or connections to over the time
// range: the targets of its edges on the map, from the same join as the map and its
// numbers, so a destination variable offers exactly what the map draws from the source.
// Like service-stats it needs both sides: without Prometheus an empty list would read
// as "calls nothing".
func (ds *Datasource) callees(ctx context.Context, q models.Query, dq backend.DataQuery) backend.DataResponse {
	g, err := ds.statsGraph(ctx, q, dq.TimeRange)
	if err != nil {
		return errorResponse(explainMeshError(q.Mesh, err))
	}
	frame := data.NewFrame("callees", data.NewField("name", nil, calleeNames(g, q.Service)))
	frame.RefID = dq.RefID
	return backend.DataResponse{Frames: data.Frames{frame}}
}

// calleeNames are the display names of the nodes service's edges lead to, sorted, once
// each (a service grouped by zone is several nodes, two namespaces may hold one name);
// folded "other" nodes name no service. Display names are what the services list gives
// a $source variable, so $destination holds the same kind of name, which the dashboards'
// PromQL widens to <name>_<namespace>_svc_<port> on Kubernetes. service is a display
// name or a map name (<name>_<namespace> for a namespaced service).
func calleeNames(g graph.Graph, service string) []string {
	nodes := make(map[string]graph.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	names := []string{}
	for _, e := range g.Edges {
		src, dst := nodes[e.Source], nodes[e.Target]
		if src.Name != service && naming.DisplayName(src.Name, src.Namespace) != service || dst.Kind == graph.KindOther {
			continue
		}
		if name := naming.DisplayName(dst.Name, dst.Namespace); !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
