package graph

import "slices"

// filter applies the zone and service filters, then marks idle nodes and
// drops them when asked. A filter picks "seed" nodes; their direct peers
// stay so that the user sees who a selected service talks to, but edges
// between two peers do not.
func filter(nodes map[string]*Node, edges map[string]*Edge, opts Options) (map[string]*Node, map[string]*Edge) {
	seed := func(n *Node) bool {
		if len(opts.Zones) > 0 && !slices.ContainsFunc(n.Zones, func(z string) bool { return slices.Contains(opts.Zones, z) }) {
			return false
		}
		return opts.ServiceRegex == nil || opts.ServiceRegex.MatchString(n.Name)
	}
	keptNodes, keptEdges := map[string]*Node{}, map[string]*Edge{}
	for id, n := range nodes {
		if seed(n) {
			keptNodes[id] = n
		}
	}
	for id, e := range edges {
		_, src := keptNodes[e.Source]
		_, dst := keptNodes[e.Target]
		if src || dst {
			keptEdges[id] = e
		}
	}
	for _, e := range keptEdges {
		keptNodes[e.Source], keptNodes[e.Target] = nodes[e.Source], nodes[e.Target]
	}

	busy := map[string]bool{}
	for _, e := range keptEdges {
		busy[e.Source], busy[e.Target] = true, true
	}
	for id, n := range keptNodes {
		n.Idle = !busy[id] && !n.Stats.Active()
		if n.Idle && opts.HideIdle {
			delete(keptNodes, id)
		}
	}
	return keptNodes, keptEdges
}
