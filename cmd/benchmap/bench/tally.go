package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
)

// Tally is a reverse proxy in front of a store that counts the PromQL round trips and
// the series of the answers that pass through it, whoever sends them: the plugin
// process or the baseline. It asks the store for uncompressed answers to count them.
type Tally struct {
	proxy         *httputil.ReverseProxy
	trips, series atomic.Int64
}

// NewTally proxies to the store at target.
func NewTally(target *url.URL) *Tally {
	t := &Tally{proxy: httputil.NewSingleHostReverseProxy(target)}
	t.proxy.ModifyResponse = func(r *http.Response) error {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		t.series.Add(int64(bytes.Count(body, []byte(`"metric":`))))
		r.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	return t
}

func (t *Tally) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.trips.Add(1)
	r.Header.Del("Accept-Encoding")
	t.proxy.ServeHTTP(w, r)
}

// Counts are the round trips and series so far.
func (t *Tally) Counts() (trips, series int64) { return t.trips.Load(), t.series.Load() }
