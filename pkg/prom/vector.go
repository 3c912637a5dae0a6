package prom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/api"
	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// series is one element of an instant vector: its labels in answer order and its value.
// A map's result has up to DefaultMaxSeries of them with ten labels each, so they are
// decoded straight from the answer instead of through model.Vector, whose per-sample
// UnmarshalJSON parses every sample twice and allocates a map per series (this took
// about nine tenths of the plugin's own time on a 1,000-service map).
type series struct {
	labels []string // name, value, name, value, ...
	value  float64
	// long marks a series with a label longer than maxLabel; its labels are not kept.
	long bool
}

// minSeriesBytes is less than the JSON of any series a map's sub-query returns (a
// metric object of nine labels or more and a value).
const minSeriesBytes = 100

// maxLabel caps label names and values, like query fields: longer ones become node ids
// and names in the answer to Grafana, and no mesh, zone or service has them.
const maxLabel = 1024

func (s *series) get(name string) string {
	for i := 0; i+1 < len(s.labels); i += 2 {
		if s.labels[i] == name {
			return s.labels[i+1]
		}
	}
	return ""
}

// Envoy's labels of a response's status class and of an inbound listener's stats.
const (
	labelClass         = "envoy_response_code_class"
	labelInboundPrefix = "envoy_http_conn_manager_prefix"
)

// labelSlot numbers the labels decode reads; -1 for any other.
func labelSlot(name string) int {
	switch name {
	case naming.LabelMesh:
		return 0
	case naming.LabelZone:
		return 1
	case naming.LabelLegacyZone:
		return 2
	case naming.LabelService:
		return 3
	case naming.LabelWorkload:
		return 4
	case naming.LabelProxyRole:
		return 5
	case naming.LabelMeshGateway:
		return 6
	case naming.LabelCluster:
		return 7
	case labelInboundPrefix:
		return 8
	case labelClass:
		return 9
	case "le":
		return 10
	case kindLabel:
		return 11
	case labelZoneProxy:
		return 12
	}
	return -1
}

// fields holds a series' values of the labels decode reads, by labelSlot: one pass over
// the labels instead of one per label read.
type fields struct {
	s      *series
	values [13]string
}

func (s *series) fields() fields {
	f := fields{s: s}
	var seen uint16
	for i := 0; i+1 < len(s.labels); i += 2 {
		if k := labelSlot(s.labels[i]); k >= 0 && seen&(1<<k) == 0 { // the first, as get
			f.values[k], seen = s.labels[i+1], seen|1<<k
		}
	}
	return f
}

// get is series.get.
func (f *fields) get(name string) string {
	if k := labelSlot(name); k >= 0 {
		return f.values[k]
	}
	return f.s.get(name)
}

func fromVector(vec model.Vector) []series {
	out := make([]series, len(vec))
	for i, s := range vec {
		out[i].value = float64(s.Value)
		out[i].labels = make([]string, 0, 2*len(s.Metric))
		for k, v := range s.Metric {
			out[i].labels = append(out[i].labels, string(k), string(v))
			out[i].long = out[i].long || len(k) > maxLabel || len(v) > maxLabel
		}
	}
	return out
}

// vectorClient sits between client_golang's v1 API and its HTTP client. A successful
// vector answer is decoded here in one streaming pass and v1 gets the same answer with
// an empty result, so v1 still handles everything else exactly as before: request
// building and the GET fallback, HTTP and API errors, warnings and infos. Any answer the
// fast path does not fully understand reaches v1 unchanged.
type vectorClient struct {
	api.Client
	answers *answerReader
	// maxSeries is how many series of an answer are kept: the largest (scanner.keep).
	maxSeries int
	decoded   []series
	ok        bool
	// buf holds the answer until release.
	buf *[]byte
}

func (c *vectorClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	c.release() // a retry (v1's GET fallback) reads a new answer
	resp, buf, err := c.answers.do(ctx, req)
	c.buf = buf
	var body []byte
	if buf != nil {
		body = *buf
	}
	if err != nil || resp.StatusCode/100 != 2 {
		return resp, body, err
	}
	env, ok := decodeVector(body, c.maxSeries)
	if !ok {
		// v1 decodes every series, each into a map: a long answer in a form this
		// decoder does not read would take gigabytes.
		if n := bytes.Count(body, []byte(`"metric"`)); n > c.maxSeries {
			return resp, nil, fmt.Errorf("an answer of about %d series that the plugin cannot stream (escaped strings, native histograms or another result type); narrow the query", n)
		}
		return resp, body, nil
	}
	empty, err := json.Marshal(struct {
		Status   string          `json:"status"`
		Data     json.RawMessage `json:"data"`
		Warnings []string        `json:"warnings,omitempty"`
		Infos    []string        `json:"infos,omitempty"`
	}{"success", json.RawMessage(`{"resultType":"vector","result":[]}`), env.warnings, env.infos})
	if err != nil {
		return resp, body, nil
	}
	c.decoded, c.ok = env.result, true
	return resp, empty, nil
}

// release gives the answer's buffer back once v1 is done with it: what was decoded
// holds copies (interned strings), never the answer's bytes.
func (c *vectorClient) release() {
	if c.buf != nil {
		c.answers.buffers.Put(c.buf)
		c.buf = nil
	}
}

// answerReader does what client_golang's HTTP client does with a request, reading the
// answer into a buffer that is used again for later answers: a map's answers run to
// tens of MB, and growing a new buffer for each cost more than decoding it.
type answerReader struct {
	hc      *http.Client
	buffers sync.Pool // of *[]byte
}

// do sends req and reads its answer. When ctx ends first, the answer is left to the
// reading goroutine and its buffer is not reused.
func (a *answerReader) do(ctx context.Context, req *http.Request) (*http.Response, *[]byte, error) {
	resp, err := a.hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	buf, _ := a.buffers.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	done := make(chan error, 1)
	go func() { done <- readAll(resp.Body, buf) }()
	select {
	case <-ctx.Done():
		resp.Body.Close()
		return resp, nil, ctx.Err()
	case err := <-done:
		resp.Body.Close()
		return resp, buf, err
	}
}

// minRead is the first buffer's size: most answers but the map's are smaller.
const minRead = 64 << 10

// readAll reads r into *buf from its start, growing it as needed. Content-Length does
// not size it: a peer's header is no reason to allocate.
func readAll(r io.Reader, buf *[]byte) error {
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			// Doubling, as bytes.Buffer does: append grows large slices by a quarter,
			// which copies a 30 MB answer some twenty times over.
			nb := make([]byte, len(b), max(2*cap(b), minRead))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			*buf = b
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

type envelope struct {
	result          []series
	warnings, infos []string
}

// decodeVector reads a successful /api/v1/query answer whose result is a vector of
// float samples. It accepts only what Prometheus writes for such an answer, with
// strings free of escapes and valid UTF-8; anything else (errors, other result types,
// native histograms, escaped strings, malformed JSON) is not ok. It keeps the maxSeries
// series of largest value (keep).
func decodeVector(body []byte, maxSeries int) (envelope, bool) {
	var env envelope
	sc := &scanner{b: body, max: maxSeries}
	status, vector := "", false
	ok := sc.object(func(key []byte) bool {
		switch string(key) {
		case "status":
			v, ok := sc.str()
			status = string(v)
			return ok
		case "warnings":
			return sc.strings(&env.warnings)
		case "infos":
			return sc.strings(&env.infos)
		case "data":
			return sc.object(func(key []byte) bool {
				switch string(key) {
				case "resultType":
					v, ok := sc.str()
					vector = string(v) == model.ValVector.String()
					return ok
				case "result":
					// Sized from the answer's length without counting its series (a pass
					// over tens of MB): Prometheus writes more than 100 bytes per series
					// of the map's, so this is enough room, and regrowing cost more.
					env.result = make([]series, 0, min(len(body)/minSeriesBytes+1, maxSeries))
					return sc.series(&env.result)
				}
				return sc.skip()
			})
		}
		return sc.skip()
	})
	sc.space()
	return env, ok && sc.i == len(body) && status == "success" && vector
}

// scanner reads JSON from b at i.
type scanner struct {
	b   []byte
	i   int
	max int // series kept
	// live and wasted count the label strings of kept and of replaced series (keep).
	live, wasted int
	// strs interns names and values: series repeat the same few (a latency answer
	// has twenty series per edge), so each distinct string is allocated once.
	strs map[string]string
	// last is the name and value of each label position in the series before: series
	// share their label names and most values with the one before (Prometheus sorts
	// labels by name), and comparing costs less than hashing (intern).
	last []string
	// chunk holds labels; a new one is started when fewer than chunkReserve are
	// left, so it never has to be copied to grow (a series with more labels still
	// fits: append moves the chunk and the series read before keep the old one).
	chunk []string
}

const (
	chunkSize    = 8192
	chunkReserve = 64
)

func (sc *scanner) space() {
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case ' ', '\n', '\t', '\r':
			sc.i++
		default:
			return
		}
	}
}

// next consumes c (after white space) if it comes next.
func (sc *scanner) next(c byte) bool {
	if sc.i < len(sc.b) && sc.b[sc.i] == c { // Prometheus writes no white space
		sc.i++
		return true
	}
	sc.space()
	if sc.i < len(sc.b) && sc.b[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// str reads a string without escapes and returns its bytes (not copied).
func (sc *scanner) str() ([]byte, bool) {
	s, ok := sc.rawStr()
	return s, ok && utf8.Valid(s)
}

// rawStr is str without the UTF-8 check, for strings that are checked later (interned
// labels, once per distinct string) or parsed (numbers, known keys).
func (sc *scanner) rawStr() ([]byte, bool) {
	if !sc.next('"') {
		return nil, false
	}
	// One pass for the closing quote and escapes: labels are short, and a byte loop
	// beats two vectorised searches on short strings.
	for j := sc.i; j < len(sc.b); j++ {
		switch sc.b[j] {
		case '"':
			s := sc.b[sc.i:j]
			sc.i = j + 1
			return s, true
		case '\\':
			return nil, false
		}
	}
	return nil, false
}

// intern returns the one copy of b's string, checking its UTF-8 the first time it is seen.
func (sc *scanner) intern(b []byte) (string, bool) {
	if v, ok := sc.strs[string(b)]; ok { // does not allocate
		return v, true
	}
	if !utf8.Valid(b) {
		return "", false
	}
	if sc.strs == nil {
		sc.strs = map[string]string{}
	}
	v := string(b)
	sc.strs[v] = v
	return v, true
}

// internAt is intern for the string at position at of a series' labels, looked up
// first in the series before.
func (sc *scanner) internAt(at int, b []byte) (string, bool) {
	if at < len(sc.last) && sc.last[at] == string(b) { // does not allocate
		return sc.last[at], true
	}
	v, ok := sc.intern(b)
	if ok {
		if at >= len(sc.last) {
			sc.last = append(sc.last, make([]string, at+1-len(sc.last))...)
		}
		sc.last[at] = v
	}
	return v, ok
}

// object reads {"key": value, ...}, field calling read for each value.
func (sc *scanner) object(field func(key []byte) bool) bool {
	if !sc.next('{') {
		return false
	}
	if sc.next('}') {
		return true
	}
	for {
		key, ok := sc.rawStr() // keys are matched or interned, which checks them
		if !ok || !sc.next(':') || !field(key) {
			return false
		}
		if sc.next('}') {
			return true
		}
		if !sc.next(',') {
			return false
		}
	}
}

// array reads [value, ...], elem reading each value.
func (sc *scanner) array(elem func() bool) bool {
	if !sc.next('[') {
		return false
	}
	if sc.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if sc.next(']') {
			return true
		}
		if !sc.next(',') {
			return false
		}
	}
}

func (sc *scanner) strings(out *[]string) bool {
	return sc.array(func() bool {
		s, ok := sc.str()
		*out = append(*out, string(s))
		return ok
	})
}

// maxDepth bounds the nesting of skipped values, as encoding/json does: a 20 MB answer
// of ten million "[" is a valid prefix, and a recursive skip overflowed the stack on it.
const maxDepth = 10_000

// skip reads any value it does not need: strings of any kind, numbers, literals,
// objects and arrays nested at most maxDepth deep. It keeps its own stack of the
// brackets still open instead of recursing.
func (sc *scanner) skip() bool {
	var open []byte // the closing bracket of each container still open
	for {
		// A value.
		sc.space()
		if sc.i >= len(sc.b) {
			return false
		}
		switch c := sc.b[sc.i]; c {
		case '{', '[':
			if len(open) == maxDepth {
				return false
			}
			sc.i++
			closing := byte(']')
			if c == '{' {
				closing = '}'
			}
			if sc.next(closing) {
				break // empty: the value is complete
			}
			open = append(open, closing)
			if closing == '}' && !sc.key() {
				return false
			}
			continue
		case '"':
			if !sc.skipString() {
				return false
			}
		default:
			start := sc.i
			for sc.i < len(sc.b) && bytes.IndexByte([]byte(",]} \n\t\r"), sc.b[sc.i]) < 0 {
				sc.i++
			}
			if sc.i == start {
				return false
			}
		}
		// After a value: close what ends here, then expect the next element.
		for {
			if len(open) == 0 {
				return true
			}
			top := open[len(open)-1]
			if sc.next(top) {
				open = open[:len(open)-1]
				continue
			}
			if !sc.next(',') || (top == '}' && !sc.key()) {
				return false
			}
			break
		}
	}
}

// number reads a JSON number (the sample's time) without parsing it.
func (sc *scanner) number() bool {
	sc.space()
	start := sc.i
	for sc.i < len(sc.b) && (sc.b[sc.i] >= '0' && sc.b[sc.i] <= '9' || sc.b[sc.i] == '.' || sc.b[sc.i] == '-' ||
		sc.b[sc.i] == '+' || sc.b[sc.i] == 'e' || sc.b[sc.i] == 'E') {
		sc.i++
	}
	return sc.i > start
}

// key reads an object key and its colon.
func (sc *scanner) key() bool {
	sc.space()
	return sc.i < len(sc.b) && sc.b[sc.i] == '"' && sc.skipString() && sc.next(':')
}

// skipString reads a string of any kind, escapes included, starting at its quote.
func (sc *scanner) skipString() bool {
	for sc.i++; sc.i < len(sc.b); sc.i++ {
		switch sc.b[sc.i] {
		case '\\':
			sc.i++
		case '"':
			sc.i++
			return true
		}
	}
	return false
}

// series reads the result array: {"metric": {...}, "value": [<time>, "<value>"]}.
func (sc *scanner) series(out *[]series) bool {
	return sc.array(func() bool {
		var s series
		hasValue, start := false, -1
		ok := sc.object(func(key []byte) bool {
			switch string(key) {
			case "metric":
				if start >= 0 {
					return false // twice: its first labels could not be reclaimed
				}
				if cap(sc.chunk)-len(sc.chunk) < chunkReserve {
					sc.chunk = make([]string, 0, chunkSize)
				}
				start = len(sc.chunk)
				ok := sc.object(func(name []byte) bool {
					value, ok := sc.rawStr()
					if s.long = s.long || len(name) > maxLabel || len(value) > maxLabel; s.long {
						return ok // not interned: the series is dropped
					}
					at := len(sc.chunk) - start
					n, nameOK := sc.internAt(at, name)
					v, valueOK := sc.internAt(at+1, value)
					sc.chunk = append(sc.chunk, n, v)
					return ok && nameOK && valueOK
				})
				s.labels = sc.chunk[start:len(sc.chunk):len(sc.chunk)]
				if s.long {
					s.labels, sc.chunk = nil, sc.chunk[:start]
				}
				return ok
			case "value":
				if !sc.next('[') || !sc.number() || !sc.next(',') {
					return false
				}
				v, ok := sc.rawStr()
				if !ok || !sc.next(']') {
					return false
				}
				var err error
				s.value, err = strconv.ParseFloat(string(v), 64)
				hasValue = err == nil
				return hasValue
			}
			// "histogram" (native histograms) and anything new: leave it to v1.
			return false
		})
		if ok && hasValue {
			sc.keep(out, s, start)
		}
		return ok && hasValue
	})
}

// keep adds s to out, which holds at most sc.max series: once full, out is a min-heap
// by value and a larger series takes the smallest one's place. Prometheus is asked for
// sc.max series, so only a store that ignores the limit sends more; of its answer the
// largest series are kept (they carry most of the traffic) in bounded memory. start is
// where s's labels begin in the current chunk, so a refused series gives its room back.
func (sc *scanner) keep(out *[]series, s series, start int) {
	h := *out
	if len(h) < sc.max {
		*out = append(h, s)
		sc.live += len(s.labels)
		if len(*out) == sc.max {
			for i := len(h)/2 - 1; i >= 0; i-- {
				down(*out, i)
			}
		}
		return
	}
	if len(h) == 0 || !(s.value > h[0].value) {
		if start >= 0 && len(s.labels) > 0 {
			sc.chunk = sc.chunk[:start]
		}
		return
	}
	sc.live += len(s.labels) - len(h[0].labels)
	sc.wasted += len(h[0].labels)
	h[0] = s
	down(h, 0)
	// Replaced series leave their labels in the chunks; once that is more than what
	// is kept, the kept labels move to one new block and the old chunks are freed.
	if sc.wasted > chunkSize && sc.wasted > sc.live {
		block := make([]string, 0, sc.live)
		for i := range h {
			from := len(block)
			block = append(block, h[i].labels...)
			h[i].labels = block[from:len(block):len(block)]
		}
		sc.chunk, sc.wasted = nil, 0
	}
}

// down restores the min-heap order of h below i.
func down(h []series, i int) {
	for {
		least := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < len(h) && h[c].value < h[least].value {
				least = c
			}
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}
