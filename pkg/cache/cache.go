// Package cache keeps CP answers for a short time and lets concurrent callers share one
// fetch: a dashboard refresh fires one query per panel, each wanting the same topology.
package cache

import (
	"context"
	"sync"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// Cache maps keys to values loaded on demand and kept for a TTL.
type Cache[V any] struct {
	ttl        time.Duration
	maxEntries int
	now        func() time.Time

	mu      sync.Mutex
	entries map[string]entry[V]
	calls   map[string]*call[V]
}

type entry[V any] struct {
	val     V
	expires time.Time
}

// call is one load in flight. It is canceled only when every caller waiting for it has
// given up, so one impatient panel does not fail the others, and a canceled dashboard
// stops its CP requests.
type call[V any] struct {
	done    chan struct{}
	val     V
	err     error
	waiters int
	cancel  context.CancelFunc
}

// New returns a cache keeping values for ttl and at most maxEntries of them.
func New[V any](ttl time.Duration, maxEntries int) *Cache[V] {
	return &Cache[V]{ttl: ttl, maxEntries: maxEntries, now: time.Now, entries: map[string]entry[V]{}, calls: map[string]*call[V]{}}
}

// Get returns the cached value for key, or joins or starts a load. Errors are not cached.
func (c *Cache[V]) Get(ctx context.Context, key string, load func(context.Context) (V, error)) (V, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.val, nil
	}
	cl, ok := c.calls[key]
	if ok {
		cl.waiters++
	} else {
		loadCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cl = &call[V]{done: make(chan struct{}), waiters: 1, cancel: cancel}
		c.calls[key] = cl
		go c.run(loadCtx, key, cl, load)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		c.mu.Lock()
		cl.waiters--
		if cl.waiters == 0 {
			cl.cancel()
		}
		c.mu.Unlock()
		var zero V
		return zero, ctx.Err()
	}
}

func (c *Cache[V]) run(ctx context.Context, key string, cl *call[V], load func(context.Context) (V, error)) {
	// The load runs on a goroutine of its own: a panic there would end the process.
	val, err := safe.Do("load "+key, func() (V, error) { return load(ctx) })
	c.mu.Lock()
	delete(c.calls, key)
	if err == nil && c.ttl > 0 {
		c.evictExpired()
		if len(c.entries) < c.maxEntries {
			c.entries[key] = entry[V]{val: val, expires: c.now().Add(c.ttl)}
		}
	}
	cl.val, cl.err = val, err
	close(cl.done)
	c.mu.Unlock()
	cl.cancel()
}

func (c *Cache[V]) evictExpired() {
	now := c.now()
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
}
