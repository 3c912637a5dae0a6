package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentCallersShareOneLoad(t *testing.T) {
	c := New[int](time.Minute, 10)
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (int, error) {
		loads.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	results := make([]int, 100)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Get(context.Background(), "mesh/default", load)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the callers pile up behind the load
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("loads = %d, want 1", n)
	}
	for _, v := range results {
		if v != 42 {
			t.Fatalf("result %d", v)
		}
	}
	if v, _ := c.Get(context.Background(), "mesh/default", load); v != 42 || loads.Load() != 1 {
		t.Fatal("a fresh entry must be served from the cache")
	}
}

func TestExpiryAndErrors(t *testing.T) {
	c := New[string](time.Second, 10)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	calls := 0
	fail := true
	load := func(context.Context) (string, error) {
		calls++
		if fail {
			return "", errors.New("CP down")
		}
		return "v", nil
	}
	if _, err := c.Get(context.Background(), "k", load); err == nil {
		t.Fatal("want the load error")
	}
	fail = false
	if v, err := c.Get(context.Background(), "k", load); err != nil || v != "v" || calls != 2 {
		t.Fatalf("errors must not be cached: %q %v calls=%d", v, err, calls)
	}
	_, _ = c.Get(context.Background(), "k", load)
	if calls != 2 {
		t.Fatalf("calls = %d, want the cached value", calls)
	}
	now = now.Add(2 * time.Second)
	_, _ = c.Get(context.Background(), "k", load)
	if calls != 3 {
		t.Fatalf("calls = %d, want a reload after expiry", calls)
	}
}

func TestLoadCanceledOnlyWhenEveryCallerLeaves(t *testing.T) {
	c := New[int](time.Minute, 10)
	canceled := make(chan struct{})
	load := func(ctx context.Context) (int, error) {
		<-ctx.Done()
		close(canceled)
		return 0, ctx.Err()
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	for _, ctx := range []context.Context{ctx1, ctx2} {
		go func() {
			_, err := c.Get(ctx, "k", load)
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v", err)
	}
	select {
	case <-canceled:
		t.Fatal("the load was canceled while another caller still waited")
	case <-time.After(20 * time.Millisecond):
	}
	cancel2()
	<-errs
	select {
	case <-canceled:
	case <-time.After(time.Second):
		t.Fatal("the load kept running after every caller left")
	}
}

func TestMaxEntries(t *testing.T) {
	c := New[int](time.Minute, 2)
	for _, k := range []string{"a", "b", "c"} {
		_, _ = c.Get(context.Background(), k, func(context.Context) (int, error) { return 1, nil })
	}
	if len(c.entries) != 2 {
		t.Fatalf("entries = %d, want the cap of 2", len(c.entries))
	}
}
