package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// ErrOverBudget is the error of a read that would take a call past its budget.
var ErrOverBudget = errors.New("the answers of this request exceed the plugin's budget")

// budget is what one call (a QueryData request, a resource call) may still read.
type budget struct {
	limit int64
	left  atomic.Int64
}

type budgetKey struct{}

// WithBudget bounds what the calls made with ctx read from peers, all together, to limit
// bytes after decompression. Per-answer caps do not bound a call: four Prometheus
// sub-queries per map, several maps per request and several CP lists run at once, and a
// gzip bomb of a megabyte on the wire fills any one cap. Shared loads (the topology cache,
// identical Prometheus fetches) charge the call that started them.
func WithBudget(ctx context.Context, limit int64) context.Context {
	b := &budget{limit: limit}
	b.left.Store(limit)
	return context.WithValue(ctx, budgetKey{}, b)
}

// Body charges what is read from r to ctx's budget, if it has one; the read that goes
// past it fails with ErrOverBudget.
func Body(ctx context.Context, r io.ReadCloser) io.ReadCloser {
	b, ok := ctx.Value(budgetKey{}).(*budget)
	if !ok {
		return r
	}
	return &budgetBody{ReadCloser: r, b: b}
}

type budgetBody struct {
	io.ReadCloser
	b *budget
}

func (bb *budgetBody) Read(p []byte) (int, error) {
	n, err := bb.ReadCloser.Read(p)
	if bb.b.left.Add(-int64(n)) < 0 {
		return 0, fmt.Errorf("%w (%d MiB from the control plane and Prometheus together)", ErrOverBudget, bb.b.limit>>20)
	}
	return n, err
}

// Transport charges every response body read through next to its request's budget.
func Transport(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil {
			resp.Body = Body(req.Context(), resp.Body)
		}
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
