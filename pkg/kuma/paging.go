package kuma

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// listAll fetches every page of a list endpoint. It asks for PageSize items and then
// follows the CP's absolute next links. The CP builds next from the request's Host
// header, so a next link to another origin means a proxy or the CP is misbehaving:
// following it would send the caller's credentials elsewhere, so it is refused. A next
// link seen before (a loop), more than MaxPages pages and a page with more items than
// asked for are errors too. The request timeout bounds the whole list.
func listAll[T any](ctx context.Context, c *Client, q url.Values, segments ...string) ([]T, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	if q == nil {
		q = url.Values{}
	}
	q.Set("size", strconv.Itoa(c.pageSize))
	u := c.url(q, segments...)
	first := endpoint(u)
	requested := map[string]bool{}
	var items []T
	for page := 1; ; page++ {
		requested[u.String()] = true
		// Items are counted before they are decoded: a page of a million empty items
		// is a few megabytes of JSON but gigabytes of decoded overviews.
		var l List[json.RawMessage]
		if err := c.get(ctx, u, &l); err != nil {
			return nil, err
		}
		// The CP always sends "items", [] when empty. Without it the answer is some
		// other JSON (another API behind the URL, a proxy's error document), and
		// reading it as an empty list would show an empty mesh instead of an error.
		if l.Items == nil {
			return nil, fmt.Errorf("kuma CP: %s: the answer has no \"items\" list (is the URL the CP API?)", endpoint(u))
		}
		if len(l.Items) > c.pageSize {
			return nil, fmt.Errorf("kuma CP: %s: %d items on a page of at most %d; refusing the answer", endpoint(u), len(l.Items), c.pageSize)
		}
		for i, raw := range l.Items {
			var item T
			if err := json.Unmarshal(raw, &item); err != nil {
				return nil, fmt.Errorf("kuma CP: %s: item %d is not the expected JSON: %w", endpoint(u), i, err)
			}
			items = append(items, item)
		}
		if l.Next == nil || *l.Next == "" {
			return items, nil
		}
		if page >= c.maxPages {
			return nil, fmt.Errorf("kuma CP: %s: more than %d pages of %d items; stopping (raise MaxPages if the mesh is this large)", first, c.maxPages, c.pageSize)
		}
		next, err := c.nextURL(*l.Next)
		if err != nil {
			return nil, fmt.Errorf("kuma CP: %s: %w", endpoint(u), err)
		}
		if requested[next.String()] {
			return nil, fmt.Errorf("kuma CP: %s: the next link %s was already fetched (a pagination loop); stopping", endpoint(u), endpoint(next))
		}
		u = next
	}
}

// nextURL parses a next link and checks it points at the data source's own CP.
func (c *Client) nextURL(next string) (*url.URL, error) {
	u, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("the next link %q is not a URL", peer.Cut(next))
	}
	u = c.base.ResolveReference(u)
	if peer.Origin(u) != peer.Origin(c.base) {
		return nil, fmt.Errorf("the next link points to %s, not to the CP URL's %s; refusing to follow it (a proxy in front of the CP may rewrite the Host header)", peer.Cut(peer.Origin(u)), peer.Origin(c.base))
	}
	return u, nil
}
