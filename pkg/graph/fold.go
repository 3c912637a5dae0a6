package graph

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// otherName names folded nodes; parentheses never occur in Kuma names, so
// it cannot clash with a service.
const otherName = "(other)"

// fold keeps the busiest nodes and folds the rest into one "other" node per
// zone, so that a mesh of thousands of services still renders. Edges are
// re-pointed and merged; traffic inside a folded group is dropped because an
// edge cannot loop on one node.
func fold(nodes map[string]*Node, edges map[string]*Edge, maxNodes int) (map[string]*Node, map[string]*Edge, *sample.Notice) {
	if len(nodes) <= maxNodes {
		return nodes, edges, nil
	}
	ranked := rank(nodes, edges)
	keep := keptCount(ranked, maxNodes)

	kept, moved := map[string]*Node{}, map[string]string{}
	for _, n := range ranked[:keep] {
		kept[n.ID] = n
		moved[n.ID] = n.ID
	}
	for _, n := range ranked[keep:] {
		zone := foldZone(n)
		id := nodeID(otherName, zone)
		other, ok := kept[id]
		if !ok {
			other = &Node{ID: id, Name: otherName, Zone: zone, Info: Info{Kind: KindOther, Zones: addSorted(nil, zone)}}
			kept[id] = other
		}
		other.Folded = append(other.Folded, n.Name)
		other.Stats.add(&n.Stats)
		other.SourceZones = addSorted(other.SourceZones, n.SourceZones...)
		moved[n.ID] = id
	}
	for _, n := range kept {
		if n.Kind == KindOther {
			slices.Sort(n.Folded)
			n.Idle = !n.Stats.Active()
		}
	}

	merged := map[string]*Edge{}
	// The ID is built in buf and looked up without a string of its own: most edges
	// merge into one made before.
	var buf []byte
	for _, e := range edges {
		src, dst := moved[e.Source], moved[e.Target]
		if src == dst {
			continue
		}
		buf = append(append(append(buf[:0], src...), edgeArrow...), dst...)
		m, ok := merged[string(buf)]
		if !ok {
			m = &Edge{ID: string(buf), Source: src, Target: dst}
			merged[m.ID] = m
		}
		m.add(e)
	}
	for _, e := range merged {
		kept[e.Source].Idle, kept[e.Target].Idle = false, false
	}
	notice := &sample.Notice{Severity: sample.SeverityInfo, Text: fmt.Sprintf(
		"%d of %d services folded into %q nodes (maxNodes %d)", len(ranked)-keep, len(ranked), otherName, maxNodes)}
	return kept, merged, notice
}

// rank orders nodes by traffic in and out: requests first, bytes second,
// then by ID so that equal nodes fold the same way on every refresh. Weights
// sit next to their node so that sorting a large mesh makes no map look-ups.
func rank(nodes map[string]*Node, edges map[string]*Edge) []*Node {
	type weighted struct {
		n               *Node
		requests, bytes float64
	}
	list := make([]weighted, 0, len(nodes))
	at := make(map[string]int, len(nodes))
	for id, n := range nodes {
		at[id] = len(list)
		list = append(list, weighted{n, n.Stats.Requests.Total(), n.Stats.RxBytes + n.Stats.TxBytes})
	}
	for _, e := range edges {
		w := &list[at[e.Source]]
		w.requests += e.Stats.Requests.Total()
		w.bytes += e.Stats.RxBytes + e.Stats.TxBytes
	}
	slices.SortFunc(list, func(a, b weighted) int {
		return cmp.Or(cmp.Compare(b.requests, a.requests), cmp.Compare(b.bytes, a.bytes), cmp.Compare(a.n.ID, b.n.ID))
	})
	ranked := make([]*Node, len(list))
	for i, w := range list {
		ranked[i] = w.n
	}
	return ranked
}

// keptCount is how many ranked nodes fit when each zone of the rest needs
// an "other" node too.
func keptCount(ranked []*Node, maxNodes int) int {
	for keep := min(maxNodes, len(ranked)) - 1; keep > 0; keep-- {
		zones := map[string]bool{}
		for _, n := range ranked[keep:] {
			zones[foldZone(n)] = true
		}
		if keep+len(zones) <= maxNodes {
			return keep
		}
	}
	return 0
}

// foldZone is the zone an unkept node is folded into: its own, or its first.
func foldZone(n *Node) string {
	if n.Zone != "" || len(n.Zones) == 0 {
		return n.Zone
	}
	return n.Zones[0]
}
