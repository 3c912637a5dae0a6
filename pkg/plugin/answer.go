package plugin

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// maxAnswerBytes bounds what one call sends back to Grafana (for frames, an estimate of
// their encoded size): a peer's names and lists become rows, and no panel shows more.
const maxAnswerBytes = 64 << 20

// budgeted gives one call (a QueryData request with all its queries, a resource call, a
// health check) its read budget: everything it reads from the CP and Prometheus together,
// after decompression, is at most 128 MiB, or prometheusMaxResponseMB when that is larger
// (an operator who allows larger answers allows a call to read them). Per-answer caps do
// not add up to a bound: a request may hold several maps of four Prometheus sub-queries
// and six CP lists each, and a gzip bomb of a megabyte fills any cap. Reading and decoding
// hold up to about three times what was read, so the default keeps a call within 512 MiB
// above the idle process (pkg/e2e TestHostilePeersStayWithinBudget).
func (ds *Datasource) budgeted(ctx context.Context) context.Context {
	return peer.WithBudget(ctx, max(models.DefaultPrometheusMaxResponseBytes, ds.settings.Prometheus.MaxResponseBytes))
}

// withQueryDeadline gives a query one deadline, the longer of the CP and Prometheus
// timeouts: those bound each CP call and Prometheus request, but a query may make several
// in a row (a zone pattern needs the CP's zones first, a service's dataplanes its
// MeshServices; an error asks whether the mesh exists). It starts when the query starts,
// not while it waits for a slot.
func (ds *Datasource) withQueryDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	d := max(ds.settings.CPTimeout, ds.settings.Prometheus.Timeout)
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("the query ran out of its %s deadline (the longer of the CP and Prometheus timeouts): %w", d, context.DeadlineExceeded))
}

// newRedactor knows every secret of the instance: the decrypted secure settings (CP
// token, Prometheus password and token, header values, TLS key) and credentials in the
// URLs, with the basic-auth pairs they travel as.
func newRedactor(s models.Settings) peer.Redactor {
	pairs := [][2]string{{s.Prometheus.User, s.Prometheus.Password}}
	for _, raw := range []string{s.CPURL, s.Prometheus.URL} {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			pw, _ := u.User.Password()
			pairs = append(pairs, [2]string{u.User.Username(), pw})
		}
	}
	return peer.NewRedactor(s.Secrets, pairs...)
}

// finish takes the instance's secrets out of every text of the answer (errors, notices,
// string cells: a peer may echo the request's headers into any of them) and cuts the
// answer to maxAnswerBytes, saying so on the first frame it cuts.
func (ds *Datasource) finish(resp *backend.QueryDataResponse) {
	left := maxAnswerBytes
	// In RefID order, so that the same answer is cut the same way.
	for _, id := range slices.Sorted(maps.Keys(resp.Responses)) {
		r := resp.Responses[id]
		if r.Error != nil {
			if msg := ds.redactor.Redact(r.Error.Error()); msg != r.Error.Error() {
				r.Error = errors.New(msg)
			}
		}
		for _, f := range r.Frames {
			if f.Meta != nil {
				for i := range f.Meta.Notices {
					f.Meta.Notices[i].Text = ds.redactor.Redact(f.Meta.Notices[i].Text)
				}
			}
			left = ds.finishFrame(f, left)
		}
		resp.Responses[id] = r
	}
}

// finishFrame redacts f's strings and keeps the rows that fit in left bytes; it returns
// what is left after f.
func (ds *Datasource) finishFrame(f *data.Frame, left int) int {
	rows := f.Rows()
	for row := range rows {
		size := 0
		for _, field := range f.Fields {
			switch v := field.At(row).(type) {
			case string:
				if r := ds.redactor.Redact(v); r != v {
					field.Set(row, r)
				}
				size += len(v) + 4
			case *string:
				if v != nil {
					if r := ds.redactor.Redact(*v); r != *v {
						field.Set(row, &r)
					}
					size += len(*v)
				}
				size += 4
			default:
				size += 8
			}
		}
		if size > left {
			for f.Rows() > row {
				f.DeleteRow(f.Rows() - 1)
			}
			f.AppendNotices(data.Notice{Severity: data.NoticeSeverityWarning, Text: fmt.Sprintf(
				"the answer was cut at %d MiB: %d of %d rows of %q kept; narrow the query", maxAnswerBytes>>20, row, rows, f.Name)})
			return 0
		}
		left -= size
	}
	return left
}
