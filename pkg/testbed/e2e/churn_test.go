package e2e_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

// connCounter is a peer on 127.0.0.1 that counts the connections open to it.
type connCounter struct {
	*httptest.Server
	mu   sync.Mutex
	open int
}

func newConnCounter(t *testing.T, h http.Handler) *connCounter {
	c := &connCounter{Server: httptest.NewUnstartedServer(h)}
	c.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch s {
		case http.StateNew:
			c.open++
		case http.StateClosed, http.StateHijacked:
			c.open--
		}
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *connCounter) Open() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return float64(c.open)
}

// TestSettingsChurnReleasesConnections saves the data source's settings 200 times, each
// followed by a health check ("Save & test"), so the plugin builds 200 instances that
// each open connections to the CP and Prometheus. The SDK disposes a replaced instance
// 5 s later; after that the plugin's goroutines and open files and the connections open
// at both peers must be back near where they were after the first save. Before Dispose
// reached the transports under the SDK's middlewares, 100 saves left 2,000 goroutines
// and 1,000 open files behind, and a real Prometheus ran out of connections.
func TestSettingsChurnReleasesConnections(t *testing.T) {
	const saves = 200
	cp := newConnCounter(t, kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14)).Config.Handler)
	prom := newConnCounter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"success","data":{"version":"3.0.0"}}`))
	}))
	p := e2e.Start(t, nil)
	save := func(i int) {
		t.Helper()
		inst := e2e.Instance{URL: cp.URL, JSONData: fmt.Sprintf(`{"prometheusUrl":%q,"prometheusAuth":"bearer","timeout":%d}`, prom.URL, 30+i),
			Secure: map[string]string{"cpToken": "cp-token", "prometheusToken": "prom-token"}}
		h, err := p.CheckHealth(ctx(t), inst)
		if err != nil || h.Status.String() != "OK" {
			t.Fatalf("save %d: %v %+v", i, err, h)
		}
	}
	save(0)
	measures := map[string]func() float64{
		"plugin goroutines":              func() float64 { return pluginMetric(t, p, "go_goroutines") },
		"plugin open files":              func() float64 { return pluginMetric(t, p, "process_open_fds") },
		"connections open at the CP":     cp.Open,
		"connections open at Prometheus": prom.Open,
	}
	base := map[string]float64{}
	for name, m := range measures {
		base[name] = m()
	}
	for i := 1; i <= saves; i++ {
		save(i)
	}
	// Each instance opened its own connection; none is disposed yet.
	if n := prom.Open(); n < saves/2 {
		t.Fatalf("only %v connections open at Prometheus after %d saves: the churn was not provoked", n, saves)
	}
	// The SDK disposes each replaced instance 5 s after its replacement; settle polls for 15 s more.
	time.Sleep(5 * time.Second)
	const slack = 10 // the live instance's connections (two goroutines each) and timers
	for name, m := range measures {
		if got := settle(base[name]+slack, m); got > base[name]+slack {
			t.Errorf("%s: %v after %d saves, %v after the first", name, got, saves, base[name])
		}
	}
}
