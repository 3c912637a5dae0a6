package prom_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/promtest"
)

// hostileValues are meshes and zones that would change a naively built query: quote
// and brace breakouts, backslashes (one trailing), "or", newlines, regex
// metacharacters that would widen a regex matcher, and the longest value a query may
// carry (models caps fields at 1024 bytes).
var hostileValues = []string{
	`x"} or vector(1) or up{a="`,
	`back\slash\`,
	"}{",
	" or ",
	"line\nbreak",
	".*",
	"a|b",
	`(x)+[y]^$?\d`,
	"tab\tand unicode ☃\u2028",
	strings.Repeat("long-", 204),
}

// decoys are values a broken escape or an unquoted regex would also select.
var decoys = []string{"", "a", "b", "x", "line", "default", "zone-1", "backslash"}

// TestHostileValuesSelectExactlyTheirLiteral stores one requests series per hostile
// mesh and one per hostile zone in a real Prometheus, next to decoys, and runs the
// plugin's queries for each: every query must be valid PromQL (an error would fail the
// fetch) and must select exactly the series carrying that literal value.
func TestHostileValuesSelectExactlyTheirLiteral(t *testing.T) {
	ctx := context.Background()
	end := time.Now().Truncate(time.Minute)
	values := append(append([]string{}, hostileValues...), decoys...)
	data := promtest.Backfill(t, ctx, func(w io.Writer) error {
		for i, v := range values {
			// Mesh i in zone-1, and zone i in mesh "zones"; each series' source names it.
			for _, labels := range []string{
				fmt.Sprintf(`mesh="%s",kuma_io_zone="zone-1",kuma_io_service="mesh-%d"`, escapeOpenMetrics(v), i),
				fmt.Sprintf(`mesh="zones",kuma_io_zone="%s",kuma_io_service="zone-%d"`, escapeOpenMetrics(v), i),
			} {
				for j, ts := range []time.Time{end.Add(-time.Minute), end} {
					if _, err := fmt.Fprintf(w, "envoy_cluster_upstream_rq_xx{%s,envoy_cluster_name=\"backend\",envoy_response_code_class=\"2\"} %d %d\n",
						labels, 60*j, ts.Unix()); err != nil {
						return err
					}
				}
			}
		}
		_, err := io.WriteString(w, "# EOF\n")
		return err
	})
	server := promtest.Start(t, promtest.Options{DataDir: data})
	client, err := prom.New(server.URL, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range hostileValues {
		for _, c := range []struct {
			what string
			q    prom.MeshQuery
		}{
			{"mesh", prom.MeshQuery{Mesh: v}},
			{"zone", prom.MeshQuery{Mesh: "zones", Zones: []string{v}}},
		} {
			t.Run(fmt.Sprintf("%s %d", c.what, i), func(t *testing.T) {
				c.q.Regime, c.q.From, c.q.To = naming.RegimeLegacy, end.Add(-time.Hour), end
				set, err := client.FetchMeshSamples(ctx, c.q)
				if err != nil {
					t.Fatal(err)
				}
				if len(set.Notices) != 0 {
					t.Errorf("notices %v", set.Notices)
				}
				want := fmt.Sprintf("%s-%d", c.what, i)
				if len(set.Samples) != 1 || set.Samples[0].Proxy.Source != want {
					t.Fatalf("%q selected %+v, want only the series of %s", v, set.Samples, want)
				}
				if got := set.Samples[0].Proxy; got.Mesh != c.q.Mesh || (c.what == "zone" && got.Zone != v) {
					t.Errorf("selected %+v", got)
				}
			})
		}
	}
}

// escapeOpenMetrics escapes a label value for the OpenMetrics text format.
func escapeOpenMetrics(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
