package e2e_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

// Budgets one call must keep whatever its peers send: its peak above the idle process,
// and the size of its answer to Grafana.
const (
	callMemoryBudget = 512 << 20
	answerBudget     = 64 << 20
)

// memory reads the plugin process' resident memory now and at its peak (VmRSS, VmHWM).
func memory(t *testing.T, pid int) (rss, peak int64) {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		name, value, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak
}

// gzipped serves body gzip-encoded: a megabyte or so on the wire.
func gzipped(body func(w *bytes.Buffer)) http.HandlerFunc {
	var raw, zipped bytes.Buffer
	body(&raw)
	zw, _ := gzip.NewWriterLevel(&zipped, gzip.BestSpeed)
	_, _ = zw.Write(raw.Bytes())
	_ = zw.Close()
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(zipped.Bytes())
	}
}

// vector writes a successful vector answer with n series made by series(i).
func vector(n int, series func(w *bytes.Buffer, i int)) func(w *bytes.Buffer) {
	return func(w *bytes.Buffer) {
		w.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
		for i := range n {
			if i > 0 {
				w.WriteByte(',')
			}
			series(w, i)
		}
		w.WriteString(`]}}`)
	}
}

// TestHostilePeersStayWithinBudget: one request or resource call, against peers that send
// small answers that are huge once decoded, keeps the plugin within 512 MiB of its idle
// memory (its peak, from the kernel) and answers Grafana in at most 64 MiB. Each case runs
// in a fresh plugin process so that its peak is its own.
func TestHostilePeersStayWithinBudget(t *testing.T) {
	fixtures := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14)).Config.Handler
	maps := func(n int) []e2e.Query {
		var qs []e2e.Query
		for i := range n { // distinct ranges: concurrent identical maps would share one fetch
			q := recordedRange(e2e.Query{RefID: fmt.Sprintf("map%d", i), JSON: `{"queryType":"mesh-graph","mesh":"default"}`})
			q.To -= int64(i) * 1000
			qs = append(qs, q)
		}
		return qs
	}
	for _, c := range []struct {
		name     string
		cp, prom http.Handler
		queries  []e2e.Query
		resource string
		want     string // in the answer, if set
		unwanted string // not in the answer, if set
	}{
		{
			name: "four maps over Prometheus gzip bombs",
			cp:   fixtures,
			prom: gzipped(func(w *bytes.Buffer) {
				w.WriteString(`{"status":"success","data":{"resultType":"vector","result":[],"x":"`)
				w.Write(bytes.Repeat([]byte("a"), 120<<20))
				w.WriteString(`"}}`)
			}),
			queries: maps(4),
			want:    "exceed the plugin's budget",
		},
		{
			name: "four maps over 500,000 series per sub-query",
			cp:   fixtures,
			prom: gzipped(vector(500_000, func(w *bytes.Buffer, i int) {
				fmt.Fprintf(w, `{"metric":{"envoy_cluster_name":"c%d","kuma_io_service":"s%d","kuma_datasource_kind":"requests"},"value":[1,"%d"]}`, i, i%1000, i)
			})),
			queries: maps(4),
			want:    "exceed the plugin's budget",
		},
		{
			name: "label values of 2 MB",
			cp:   fixtures,
			prom: gzipped(vector(3, func(w *bytes.Buffer, i int) {
				fmt.Fprintf(w, `{"metric":{"envoy_cluster_name":"%d%s","kuma_datasource_kind":"requests"},"value":[1,"1"]}`, i, strings.Repeat("n", 2<<20))
			})),
			// Each of the map's Prometheus requests gets this answer of 6 MB. A first map
			// over an hour sends sixteen: the rules check, then each sub-query's body, head
			// and tail (the incremental cache), latency in two shards. 96 MB stay within
			// the read budget, so every sub-query reads the labels (labels of 10 MB made
			// four answers of 30 MB before; sixteen of them exceed the budget).
			queries:  maps(1),
			want:     "3 series with a label longer than 1024 bytes left out",
			unwanted: "exceed the plugin's budget",
		},
		{
			name: "meshes over a CP page of a million empty items",
			cp: gzipped(func(w *bytes.Buffer) {
				w.WriteString(`{"total":1,"items":[` + strings.Repeat(`{},`, 999_999) + `{}],"next":null}`)
			}),
			resource: "meshes",
			want:     "1000000 items on a page of at most 1000",
		},
		{
			name: "meshes over endless CP pages of long names",
			cp: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"total":100000,"next":"http://%s/meshes?page=%d","items":[`, r.Host, page+1)
				for i := range 1000 {
					if i > 0 {
						w.Write([]byte(","))
					}
					fmt.Fprintf(w, `{"type":"Mesh","name":"%d-%d-%s"}`, page, i, strings.Repeat("m", 30<<10))
				}
				w.Write([]byte("]}"))
			}),
			resource: "meshes",
			want:     "exceed the plugin's budget",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			cp := httptest.NewServer(c.cp)
			defer cp.Close()
			prom := httptest.NewServer(c.prom)
			defer prom.Close()
			inst := e2e.Instance{URL: cp.URL, JSONData: fmt.Sprintf(`{"prometheusUrl":%q,"timeout":60,"prometheusTimeout":60}`, prom.URL)}
			p := e2e.Start(t, nil)
			// Warm up against the well-behaved CP alone: the hostile peers answer
			// every path, the health check's too.
			plain := httptest.NewServer(fixtures)
			defer plain.Close()
			if h, err := p.CheckHealth(ctx(t), e2e.Instance{URL: plain.URL}); err != nil || h.Status.String() != "OK" {
				t.Fatalf("warm-up: %v %+v", err, h)
			}
			time.Sleep(200 * time.Millisecond)
			idle, _ := memory(t, p.Pid())
			var answer []byte
			if c.resource != "" {
				res, err := p.CallResource(ctx(t), inst, "GET", c.resource)
				if err != nil {
					t.Fatal(err)
				}
				answer = res.Body
			} else {
				resp, err := p.QueryData(ctx(t), inst, c.queries...)
				if err != nil {
					t.Fatal(err)
				}
				if answer, err = json.Marshal(resp); err != nil {
					t.Fatal(err)
				}
			}
			_, peak := memory(t, p.Pid())
			t.Logf("peak %d MiB above idle (%d MiB), answer %d KiB: %.300s", (peak-idle)>>20, idle>>20, len(answer)>>10, answer)
			if peak-idle > callMemoryBudget {
				t.Errorf("the plugin peaked %d MiB above idle, over the %d MiB budget", (peak-idle)>>20, callMemoryBudget>>20)
			}
			if !strings.Contains(string(answer), c.want) {
				t.Errorf("the answer does not say %q", c.want)
			}
			if c.unwanted != "" && strings.Contains(string(answer), c.unwanted) {
				t.Errorf("the answer says %q", c.unwanted)
			}
			if len(answer) > answerBudget {
				t.Errorf("answer of %d MiB", len(answer)>>20)
			}
		})
	}
}
