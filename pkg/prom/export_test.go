package prom

// KeptBodies is what c's incremental cache holds: bytes, bodies, and the largest body's
// bytes (its head aside).
func KeptBodies(c *Client) (used int64, n int, largest int64) {
	if c.incr == nil {
		return 0, 0, 0
	}
	s := c.incr.store
	s.mu.Lock()
	defer s.mu.Unlock()
	for e := s.lru.Front(); e != nil; e = e.Next() {
		b := e.Value.(*body)
		largest = max(largest, b.size-b.head.bytes())
	}
	return s.used, s.lru.Len(), largest
}
