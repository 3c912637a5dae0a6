package prom

import "strings"

// KeptBodies is what c's incremental cache holds: bytes, bodies and heads, and the largest
// body's bytes (heads aside).
func KeptBodies(c *Client) (used int64, n int, largest int64) {
	if c.incr == nil {
		return 0, 0, 0
	}
	s := c.incr.store
	s.mu.Lock()
	defer s.mu.Unlock()
	for e := s.lru.Front(); e != nil; e = e.Next() {
		if b := e.Value.(*body); !strings.HasSuffix(b.key, headSuffix) {
			largest = max(largest, b.size)
		}
	}
	return s.used, s.lru.Len(), largest
}
