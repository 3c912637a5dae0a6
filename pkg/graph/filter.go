package graph

import (
	"fmt"
	"slices"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
)

// focus keeps the nodes within opts.Depth hops of the nodes named opts.Focus,
// following edges in opts.Direction, and the edges walked to reach them: an
// edge between two nodes at the last hop is not one. It is a no-op without a
// focus; a focus no node has is an empty map with a notice.
func focus(nodes map[string]*Node, edges map[string]*Edge, opts Options) (map[string]*Node, map[string]*Edge, *sample.Notice) {
	if opts.Focus == "" {
		return nodes, edges, nil
	}
	depth := max(opts.Depth, 1)
	dist := map[string]int{}
	var frontier []string
	for id, n := range nodes {
		if n.Name == opts.Focus {
			dist[id] = 0
			frontier = append(frontier, id)
		}
	}
	if len(frontier) == 0 {
		return map[string]*Node{}, map[string]*Edge{}, &sample.Notice{Severity: sample.SeverityWarning,
			Text: fmt.Sprintf("focus: no service named %q in the map", opts.Focus)}
	}
	out, in := opts.Direction != DirectionIn, opts.Direction != DirectionOut
	// steps are the ways an edge may be walked in the focus' direction.
	steps := func(e *Edge) [][2]string {
		var s [][2]string
		if out {
			s = append(s, [2]string{e.Source, e.Target})
		}
		if in {
			s = append(s, [2]string{e.Target, e.Source})
		}
		return s
	}
	for hop := 1; hop <= depth && len(frontier) > 0; hop++ {
		var next []string
		for _, e := range edges {
			for _, st := range steps(e) {
				if d, seen := dist[st[0]]; seen && d == hop-1 {
					if _, seen := dist[st[1]]; !seen {
						dist[st[1]] = hop
						next = append(next, st[1])
					}
				}
			}
		}
		frontier = next
	}
	// An edge is kept when it was walkable from a node reached in fewer than
	// depth hops (its other end is then reached too).
	walked := func(e *Edge) bool {
		for _, st := range steps(e) {
			if d, seen := dist[st[0]]; seen && d < depth {
				return true
			}
		}
		return false
	}
	keptNodes, keptEdges := map[string]*Node{}, map[string]*Edge{}
	for id := range dist {
		keptNodes[id] = nodes[id]
	}
	for id, e := range edges {
		if walked(e) {
			keptEdges[id] = e
		}
	}
	return keptNodes, keptEdges, nil
}

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
	// Without a filter every node is a seed: nodes and edges are kept as they are.
	keptNodes, keptEdges := nodes, edges
	if len(opts.Zones) > 0 || opts.ServiceRegex != nil {
		keptNodes, keptEdges = map[string]*Node{}, map[string]*Edge{}
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
	}

	// A node is idle without traffic of its own and without a kept edge.
	for _, n := range keptNodes {
		n.Idle = !n.Stats.Active()
	}
	for _, e := range keptEdges {
		keptNodes[e.Source].Idle, keptNodes[e.Target].Idle = false, false
	}
	if opts.HideIdle {
		for id, n := range keptNodes {
			if n.Idle {
				delete(keptNodes, id)
			}
		}
	}
	return keptNodes, keptEdges
}
