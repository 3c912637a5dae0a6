package plugin

import (
	"errors"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// TestFinish: every text of an answer loses the instance's secrets, and an answer over
// 64 MiB is cut, in RefID order, with a notice on the frame it cut.
func TestFinish(t *testing.T) {
	const secret = "tok-9e107d9d372b"
	ds := &Datasource{redactor: peer.NewRedactor([]string{secret})}
	mib := strings.Repeat("n", 1<<20)
	names := make([]string, 40)
	for i := range names {
		names[i] = mib
	}
	echoed := "echo " + secret
	notice := &data.FrameMeta{Notices: []data.Notice{{Text: "Prometheus said " + secret}}}
	resp := &backend.QueryDataResponse{Responses: backend.Responses{
		"A": {Error: errors.New("401: " + secret)},
		"B": {Frames: data.Frames{
			data.NewFrame("secrets", data.NewField("s", nil, []string{echoed}), data.NewField("p", nil, []*string{&echoed, nil})).SetMeta(notice),
			data.NewFrame("first", data.NewField("name", nil, names)),
		}},
		"C": {Frames: data.Frames{data.NewFrame("second", data.NewField("name", nil, names))}},
	}}
	ds.finish(resp)
	if msg := resp.Responses["A"].Error.Error(); msg != "401: [redacted]" {
		t.Errorf("error %q", msg)
	}
	b := resp.Responses["B"].Frames
	if got := []string{b[0].Fields[0].At(0).(string), *b[0].Fields[1].At(0).(*string), b[0].Meta.Notices[0].Text}; strings.Join(got, "|") != "echo [redacted]|echo [redacted]|Prometheus said [redacted]" {
		t.Errorf("texts %q", got)
	}
	if b[1].Rows() != 40 || b[1].Meta != nil {
		t.Errorf("the first 40 MiB were cut: %d rows", b[1].Rows())
	}
	second := resp.Responses["C"].Frames[0]
	if rows := second.Rows(); rows != 23 || len(second.Meta.Notices) != 1 ||
		second.Meta.Notices[0].Text != `the answer was cut at 64 MiB: 23 of 40 rows of "second" kept; narrow the query` {
		t.Errorf("%d rows, meta %+v", rows, second.Meta)
	}
}
