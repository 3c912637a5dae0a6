package frames

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// The map's links to traces and logs are Grafana internal links (a data source uid and a
// query in its language) whose query comes from a field of the row: data links are
// per field, so a per-row query must be a value of the row. The node graph draws only
// the fields it knows; these two stay out of its details.
const (
	tracesQueryField = "traces_query"
	logsQueryField   = "logs_query"
)

// tracesLink opens the configured Tempo or Jaeger data source on the row's query.
func tracesLink(l models.Links, title string) data.DataLink {
	ref := "${__data.fields." + tracesQueryField + "}"
	query := map[string]any{"refId": "A", "queryType": "traceql", "query": ref}
	if l.TracesType == models.TracesJaeger {
		query = map[string]any{"refId": "A", "queryType": "search", "service": ref}
	}
	return data.DataLink{Title: title, Internal: &data.InternalDataLink{DatasourceUID: l.TracesUID, Query: query}}
}

// logsLink opens the configured Loki data source on the row's LogQL.
func logsLink(l models.Links, title string) data.DataLink {
	return data.DataLink{Title: title, Internal: &data.InternalDataLink{DatasourceUID: l.LogsUID,
		Query: map[string]any{"refId": "A", "queryType": "range", "expr": "${__data.fields." + logsQueryField + "}"}}}
}

// proxyNames are the names a node's sidecars are known by in traces and access logs:
// what its proxies report (kuma.io/service before rollup), else its name.
func proxyNames(n graph.Node) []string {
	if len(n.ProxyServices) > 0 {
		return n.ProxyServices
	}
	return []string{n.Name}
}

// traceSelector is a TraceQL span selector for spans of any of the names. Kuma's
// MeshTrace names a span's service after the dataplane's kuma.io/service.
func traceSelector(names []string) string {
	if len(names) == 1 {
		return `{resource.service.name=` + strconv.Quote(names[0]) + `}`
	}
	return `{resource.service.name=~` + strconv.Quote(alternation(names)) + `}`
}

// nodeTracesQuery finds the node's spans: TraceQL for Tempo, a service for Jaeger's
// search (one service: the first of the node's names).
func nodeTracesQuery(l models.Links, n graph.Node) string {
	if l.TracesType == models.TracesJaeger {
		return proxyNames(n)[0]
	}
	return traceSelector(proxyNames(n))
}

// edgeTracesQuery finds traces in which the source calls the destination; Jaeger's
// search cannot say so and gets the source.
func edgeTracesQuery(l models.Links, src, dst graph.Node) string {
	if l.TracesType == models.TracesJaeger {
		return proxyNames(src)[0]
	}
	return traceSelector(proxyNames(src)) + " >> " + traceSelector(proxyNames(dst))
}

// logsQuery filters the sidecars' logs to lines naming each of the groups of names
// (one of a group's names): access logs in the formats that carry
// %KUMA_SOURCE_SERVICE% and %KUMA_DESTINATION_SERVICE% name both ends of a request.
func logsQuery(l models.Links, groups ...[]string) string {
	var b strings.Builder
	b.WriteString(l.LogsMatcher)
	for _, names := range groups {
		if len(names) == 1 {
			b.WriteString(" |= " + strconv.Quote(names[0]))
		} else {
			b.WriteString(" |~ " + strconv.Quote(alternation(names)))
		}
	}
	return b.String()
}

func alternation(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(quoted, "|")
}

// nodeLinkFields are the query fields of the configured links, and the links on id.
func nodeLinkFields(l models.Links) (fields []column[*graph.Node], links []data.DataLink) {
	if l.TracesUID != "" {
		fields = append(fields, textColumn(tracesQueryField, "Traces query", func(n *graph.Node) string { return nodeTracesQuery(l, *n) }))
		links = append(links, tracesLink(l, "Traces"))
	}
	if l.LogsUID != "" {
		fields = append(fields, textColumn(logsQueryField, "Logs query", func(n *graph.Node) string { return logsQuery(l, proxyNames(*n)) }))
		links = append(links, logsLink(l, "Logs"))
	}
	return fields, links
}

// edgeLinkFields are nodeLinkFields for edges: nodes maps ids to the ends.
func edgeLinkFields(l models.Links, nodes map[string]graph.Node) (fields []column[*graph.Edge], links []data.DataLink) {
	ends := func(e *graph.Edge) (graph.Node, graph.Node) { return nodes[e.Source], nodes[e.Target] }
	if l.TracesUID != "" {
		fields = append(fields, textColumn(tracesQueryField, "Traces query", func(e *graph.Edge) string {
			src, dst := ends(e)
			return edgeTracesQuery(l, src, dst)
		}))
		links = append(links, tracesLink(l, "Traces of these calls"))
	}
	if l.LogsUID != "" {
		fields = append(fields, textColumn(logsQueryField, "Logs query", func(e *graph.Edge) string {
			src, dst := ends(e)
			return logsQuery(l, proxyNames(src), proxyNames(dst))
		}))
		links = append(links, logsLink(l, "Logs of these calls"))
	}
	return fields, links
}
