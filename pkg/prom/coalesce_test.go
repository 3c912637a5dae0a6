package prom

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/graph/sample"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promfake"
)

// gate holds every request until it is opened, and counts them.
type gate struct {
	next     http.RoundTripper
	open     chan struct{}
	requests atomic.Int64
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.requests.Add(1)
	<-g.open
	return g.next.RoundTrip(r)
}

// Panels of one dashboard refresh ask for the same map at once: they must share one
// fetch (four round trips) and get the same samples, while a different range is a
// fetch of its own.
func TestFetchMeshSamplesSharesConcurrentIdenticalQueries(t *testing.T) {
	const panels = 20
	p, hc := promfake.Start(t, "testdata", "legacy")
	// Three warnings make three notices, in a slice with room for a fourth.
	p.Warn = map[string]bool{"requests": true, "latency": true, "tcp": true}
	g := &gate{next: hc.Transport, open: make(chan struct{})}
	// Without the recording rules' check, every round trip is a sub-query.
	c, err := New(p.URL, &http.Client{Transport: g}, WithRecordingRules(false))
	if err != nil {
		t.Fatal(err)
	}
	q := MeshQuery{Mesh: "default", From: from, To: to}
	other := MeshQuery{Mesh: "default", From: from, To: to.Add(-time.Minute)}
	sets := make([]sample.Set, panels+1)
	var started, done sync.WaitGroup
	for i := range panels + 1 {
		started.Add(1)
		done.Go(func() {
			qi := q
			if i == panels {
				qi = other
			}
			started.Done()
			var err error
			if sets[i], err = c.FetchMeshSamples(t.Context(), qi); err != nil {
				t.Error(err)
			}
		})
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond) // let every caller reach the shared fetch
	close(g.open)
	done.Wait()
	if n := int(g.requests.Load()); n != 2*len(queries(q)) {
		t.Errorf("%d round trips, want %d: one fetch per distinct query", n, 2*len(queries(q)))
	}
	for i := 1; i < panels; i++ {
		if !slices.Equal(sets[i].Samples, sets[0].Samples) || len(sets[i].Samples) == 0 {
			t.Fatalf("panel %d got %d samples, panel 0 %d", i, len(sets[i].Samples), len(sets[0].Samples))
		}
	}
	if len(sets[0].Notices) != 3 {
		t.Fatalf("notices %v, want the three warnings", sets[0].Notices)
	}
	// Callers append notices to what they got (the plugin does): that must not reach
	// the others.
	a := append(sets[0].Notices, sample.Notice{Text: "mine"})
	b := append(sets[1].Notices, sample.Notice{Text: "yours"})
	if a[len(a)-1].Text != "mine" || b[len(b)-1].Text != "yours" {
		t.Errorf("appends to shared notices collided: %v / %v", a, b)
	}
}
