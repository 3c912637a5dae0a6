package prom

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/api"
	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// series is one element of an instant vector: the values of the labels the client
// reads (by slot) and its value. A map's result has up to DefaultMaxSeries of them with
// ten labels and more each, so they are decoded straight from the answer instead of
// through model.Vector, whose per-sample UnmarshalJSON parses every sample twice and
// allocates a map per series (this took about nine tenths of the plugin's own time on
// a 1,000-service map), and only the labels read are kept.
type series struct {
	// labels are every label, name, value, ...: client_golang's (fromVector), or the
	// streaming decoder's when asked for them (decodeAnswer).
	labels []string
	// strs holds the streaming decoder's label values, and slots indexes them: the value
	// of the label in slot k is strs.s[slots[k]], "" when absent. nil: labels say.
	strs  *strTable
	slots [numSlots]uint32
	value float64
	// long marks a series with a label longer than maxLabel; its labels are not kept.
	long bool
}

// strTable is an answer's label values, each once; the first is "".
type strTable struct{ s []string }

// The slots of the labels the client reads.
const (
	slotMesh = iota
	slotZone
	slotLegacyZone
	slotService
	slotWorkload
	slotProxyRole
	slotMeshGateway
	slotCluster
	slotInboundPrefix
	slotClass
	slotLE
	slotKind
	slotZoneProxy
	slotRecorded
	numSlots
)

// slotNames are the labels of the slots.
var slotNames = [numSlots]string{naming.LabelMesh, naming.LabelZone, naming.LabelLegacyZone, naming.LabelService,
	naming.LabelWorkload, naming.LabelProxyRole, naming.LabelMeshGateway, naming.LabelCluster, labelInboundPrefix,
	labelClass, "le", kindLabel, labelZoneProxy, recordedLabel}

// labelSlot is the slot of the label name, -1 for a label the client does not read.
func labelSlot(name string) int {
	for k, n := range slotNames {
		if n == name {
			return k
		}
	}
	return -1
}

// minSeriesBytes is less than the JSON of any series a map's sub-query returns (a
// metric object of five labels or more and a value): room for more series than an
// answer's length allows is never reserved.
const minSeriesBytes = 100

// maxLabel caps label names and values, like query fields: longer ones become node ids
// and names in the answer to Grafana, and no mesh, zone or service has them.
const maxLabel = 1024

// at is the value of the label in slot k, "" when absent (the first of a repeated label).
func (s *series) at(k int) string {
	if s.strs != nil {
		return s.strs.s[s.slots[k]]
	}
	name := slotNames[k]
	for i := 0; i+1 < len(s.labels); i += 2 {
		if s.labels[i] == name {
			return s.labels[i+1]
		}
	}
	return ""
}

// get is the value of the label name, "" when absent or neither kept nor read.
func (s *series) get(name string) string {
	if k := labelSlot(name); k >= 0 {
		return s.at(k)
	}
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
	env, ok := decodeAnswer(body, c.maxSeries, false)
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

// decodeAnswer reads a successful /api/v1/query answer whose result is a vector of
// float samples. It accepts only what Prometheus writes for such an answer, with
// strings free of escapes and valid UTF-8; anything else (errors, other result types,
// native histograms, escaped strings, malformed JSON) is not ok. It keeps the maxSeries
// series of largest value (keep), with the labels the client reads, and every label as
// well when asked (tests compare them with client_golang's).
func decodeAnswer(body []byte, maxSeries int, labels bool) (envelope, bool) {
	var env envelope
	sc := &scanner{b: body, max: maxSeries, labels: labels, strs: &strTable{s: []string{""}},
		index: map[string]uint32{"": 0}, names: map[string]labelName{}}
	status, vector, results := "", false, 0
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
					// Twice is left to v1 (which keeps the last): the series of both would be merged here.
					if results++; results > 1 {
						return false
					}
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
	// labels keeps every label of each series, not only the slots.
	labels bool
	// strs interns label values, index finds them: series repeat the same few (a
	// latency answer has twenty series per edge), so each is allocated once.
	strs   *strTable
	index  map[string]uint32
	recent [256]uint32 // indices of values recently interned, by a hash of a few bytes
	// names are the label names seen, each checked and copied once.
	names map[string]labelName
	// last is what each label position held in the series before: series share their
	// label names and most values with the one before (Prometheus sorts labels by
	// name), and comparing costs less than hashing. Its bytes are b's.
	last   []position
	beyond position // the position of labels past maxPositions
	// filled marks the slots of the current series set so far: the first of a repeated
	// label counts.
	filled uint16
}

type labelName struct {
	name string
	slot int
}

type position struct {
	name, value []byte
	labelName
	// idx is value's in strs when the slot is read or labels are kept (else value was
	// only checked); valued says value is set.
	idx    uint32
	valued bool
}

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

// rawStr is str without the UTF-8 check, for strings that are checked later (labels,
// once per distinct string) or parsed (numbers, known keys).
func (sc *scanner) rawStr() ([]byte, bool) {
	if !sc.next('"') {
		return nil, false
	}
	end, _, ok := closingQuote(sc.b, sc.i)
	if !ok {
		return nil, false
	}
	s := sc.b[sc.i:end]
	sc.i = end + 1
	return s, true
}

const (
	ones      = 0x0101010101010101
	highBits  = 0x8080808080808080
	quotes    = '"' * ones
	backslash = '\\' * ones
)

// closingQuote finds the quote that ends the string whose contents start at b[i]: its
// index, and whether the contents are ASCII; not ok at an escape or without one. It
// looks at 8 bytes at a time (labels are short: a vectorised search costs more to set up).
func closingQuote(b []byte, i int) (end int, ascii, ok bool) {
	var high uint64
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := zeroByte(x^quotes) | zeroByte(x^backslash); m != 0 {
			n := bits.TrailingZeros64(m) / 8 // the first quote or backslash
			high |= x & (1<<(8*n) - 1) & highBits
			return i + n, high == 0, b[i+n] == '"'
		}
		high |= x & highBits
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i, high == 0, true
		case '\\':
			return i, false, false
		}
		high |= uint64(b[i] & 0x80)
	}
	return i, false, false
}

// closingQuoteLike is closingQuote trying first the string like (the one at the same
// place in the series before): label names and most values repeat. same says it is
// like, and then ascii is false (like was checked when it was new).
func closingQuoteLike(b []byte, i int, like []byte) (end int, ascii, same, ok bool) {
	if n := i + len(like); like != nil && n < len(b) && b[n] == '"' && bytes.Equal(b[i:n], like) {
		return n, false, true, true
	}
	end, ascii, ok = closingQuote(b, i)
	return end, ascii, false, ok
}

// zeroByte has the high bit of the first zero byte of x set, and none below it.
func zeroByte(x uint64) uint64 { return (x - ones) & ^x & highBits }

// label records the label name=value, the at-th of series s.
func (sc *scanner) label(s *series, at int, name, value []byte, nameASCII, valueASCII bool) bool {
	if s.long || len(name) > maxLabel || len(value) > maxLabel {
		if !s.long {
			s.long, s.labels, s.slots = true, nil, [numSlots]uint32{}
		}
		return true // not kept: the series is dropped
	}
	p := sc.position(at)
	if !p.valued || !bytes.Equal(p.name, name) {
		n, ok := sc.names[string(name)] // does not allocate
		if !ok {
			if !nameASCII && !utf8.Valid(name) {
				return false
			}
			n = labelName{string(name), labelSlot(string(name))}
			sc.names[n.name] = n
		}
		p.name, p.labelName, p.valued = name, n, false
	}
	if !p.valued || !bytes.Equal(p.value, value) {
		if p.slot >= 0 || sc.labels {
			idx, ok := sc.intern(value, valueASCII)
			if !ok {
				return false
			}
			p.idx = idx
		} else if !valueASCII && !utf8.Valid(value) {
			return false
		}
		p.value, p.valued = value, true
	}
	sc.fill(s, p)
	return true
}

// maxPositions bounds last: a hostile series of a million labels would otherwise
// hold it at a million positions.
const maxPositions = 64

// position is what the at-th label of the series before held; past maxPositions,
// nothing (a label there is looked up as new).
func (sc *scanner) position(at int) *position {
	if at >= maxPositions {
		sc.beyond = position{}
		return &sc.beyond
	}
	for at >= len(sc.last) {
		sc.last = append(sc.last, position{})
	}
	return &sc.last[at]
}

// fill sets the label at p in s.
func (sc *scanner) fill(s *series, p *position) {
	if p.slot >= 0 && sc.filled&(1<<p.slot) == 0 {
		s.slots[p.slot], sc.filled = p.idx, sc.filled|1<<p.slot
	}
	if sc.labels {
		s.labels = append(s.labels, p.labelName.name, sc.strs.s[p.idx])
	}
}

// intern returns the index of b's string in strs, checking its UTF-8 the first time it is seen.
func (sc *scanner) intern(b []byte, ascii bool) (uint32, bool) {
	if len(b) == 0 {
		return 0, true
	}
	// The values that change from one series to the next (le) are a few: found by a
	// guess at their index before the map is asked.
	h := (len(b)*131 + int(b[0])*31 + int(b[len(b)-1])*7 + int(b[len(b)/2])) % len(sc.recent)
	if i := sc.recent[h]; sc.strs.s[i] == string(b) {
		return i, true
	}
	i, ok := sc.index[string(b)] // does not allocate
	if !ok {
		if !ascii && !utf8.Valid(b) {
			return 0, false
		}
		i = uint32(len(sc.strs.s))
		v := string(b)
		sc.strs.s = append(sc.strs.s, v)
		sc.index[v] = i
	}
	sc.recent[h] = i
	return i, true
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
	for sc.i < len(sc.b) && numberByte(sc.b[sc.i]) {
		sc.i++
	}
	return sc.i > start
}

func numberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'
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
		start := sc.i
		s, ok := sc.prometheusSeries()
		if !ok {
			sc.i = start
			if s, ok = sc.anySeries(); !ok {
				return false
			}
		}
		if *out == nil {
			// Sized from the answer's length and its first series' without counting
			// them (a pass over tens of MB): the series of an answer have the same
			// labels, their values differ by a few bytes, and regrowing cost more.
			each := max(sc.i-start, minSeriesBytes)
			*out = make([]series, 0, min((len(sc.b)-start)/each*5/4+1, sc.max))
		}
		sc.keep(out, s)
		return true
	})
}

func (sc *scanner) newSeries() series {
	sc.filled = 0
	return series{strs: sc.strs}
}

// prometheusSeries reads a series written exactly as Prometheus writes it, without
// white space and in this order: {"metric":{"<name>":"<value>",...},"value":[<time>,"<value>"]}.
// Not ok for anything else (anySeries reads it then, or refuses it).
func (sc *scanner) prometheusSeries() (series, bool) {
	s := sc.newSeries()
	b, i := sc.b, sc.i
	if !hasAt(b, i, `{"metric":{`) {
		return s, false
	}
	i += len(`{"metric":{`)
	if hasAt(b, i, "}") {
		i++
	} else {
		for at := 0; ; at++ {
			if !hasAt(b, i, `"`) {
				return s, false
			}
			p := sc.position(at)
			nameEnd, nameASCII, sameName, ok := closingQuoteLike(b, i+1, p.name)
			if !ok || !hasAt(b, nameEnd, `":"`) {
				return s, false
			}
			valueEnd, valueASCII, sameValue, ok := closingQuoteLike(b, nameEnd+3, p.value)
			switch {
			case !ok:
				return s, false
			case sameName && sameValue && p.valued && !s.long:
				sc.fill(&s, p) // the label at this place in the series before
			case !sc.label(&s, at, b[i+1:nameEnd], b[nameEnd+3:valueEnd], nameASCII, valueASCII):
				return s, false
			}
			i = valueEnd + 1
			if hasAt(b, i, ",") {
				i++
				continue
			}
			if !hasAt(b, i, "}") {
				return s, false
			}
			i++
			break
		}
	}
	if !hasAt(b, i, `,"value":[`) {
		return s, false
	}
	i += len(`,"value":[`)
	t := i
	for i < len(b) && numberByte(b[i]) {
		i++
	}
	if i == t || !hasAt(b, i, `,"`) {
		return s, false
	}
	end, _, ok := closingQuote(b, i+2)
	if !ok || !hasAt(b, end, `"]}`) {
		return s, false
	}
	if s.value, ok = parseFloat(b[i+2 : end]); !ok {
		return s, false
	}
	sc.i = end + len(`"]}`)
	return s, true
}

// hasAt says whether b holds lit at i.
func hasAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// anySeries reads a series in any order and spacing of its JSON.
func (sc *scanner) anySeries() (series, bool) {
	s := sc.newSeries()
	metric, hasValue := false, false
	ok := sc.object(func(key []byte) bool {
		switch string(key) {
		case "metric":
			if metric {
				return false // twice: not Prometheus', left to v1
			}
			metric = true
			at := 0
			return sc.object(func(name []byte) bool {
				value, ok := sc.rawStr()
				ok = ok && sc.label(&s, at, name, value, false, false)
				at++
				return ok
			})
		case "value":
			if !sc.next('[') || !sc.number() || !sc.next(',') {
				return false
			}
			v, ok := sc.rawStr()
			if !ok || !sc.next(']') {
				return false
			}
			s.value, hasValue = parseFloat(v)
			return hasValue
		}
		// "histogram" (native histograms) and anything new: leave it to v1.
		return false
	})
	return s, ok && hasValue
}

// parseFloat is strconv.ParseFloat(b, 64), without its general machinery for the
// plain decimals of up to 19 digits Prometheus writes for most samples (and Envoy's
// bucket bounds); others go to ParseFloat. Both round correctly, so they agree.
func parseFloat[T string | []byte](b T) (float64, bool) {
	i, neg := 0, len(b) > 0 && b[0] == '-'
	if neg {
		i++
	}
	var m uint64
	digits, point := 0, -1
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
		case c == '.' && point < 0 && digits > 0:
			point = digits
		default:
			digits = 20 // not plain
		}
		if digits > 19 { // 10^19 fits in a uint64
			v, err := strconv.ParseFloat(string(b), 64)
			return v, err == nil
		}
	}
	if digits == 0 || point == digits {
		v, err := strconv.ParseFloat(string(b), 64)
		return v, err == nil
	}
	k := 0 // the decimal is m / 10^k
	if point >= 0 {
		k = digits - point
	}
	v := quotient(m, k)
	if neg {
		v = -v
	}
	return v, true
}

// quotient is m / 10^k (k <= 19) rounded to the nearest float64, ties to even.
func quotient(m uint64, k int) float64 {
	if m < 1<<53 && k < len(pow10) {
		return float64(m) / pow10[k] // both exact: one division rounds correctly
	}
	if m == 0 {
		return 0
	}
	// q = m·2^s / 10^k in 64 bits with its top bit set, r the remainder: q's top 53
	// bits are the mantissa, its other 11 bits and r say which way to round.
	d := pow10Int[k]
	s := bits.LeadingZeros64(m) + bits.Len64(d) - 1
	q, r := shiftDiv(m, s, d)
	if q < 1<<63 {
		s++
		q, r = shiftDiv(m, s, d)
	}
	mant, rest := q>>11, q&(1<<11-1)
	if rest > 1<<10 || rest == 1<<10 && (r != 0 || mant&1 == 1) {
		mant++ // 1<<53 at most: still exact
	}
	return math.Ldexp(float64(mant), 11-s)
}

// shiftDiv is m·2^s divided by d, for s < 128 and a quotient below 2^64.
func shiftDiv(m uint64, s int, d uint64) (q, r uint64) {
	var hi, lo uint64
	if s >= 64 {
		hi = m << (s - 64)
	} else {
		hi, lo = m>>(64-s), m<<s
	}
	return bits.Div64(hi, lo, d)
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// pow10Int are the powers of ten a uint64 holds.
var pow10Int = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19}

// keep adds s to out, which holds at most sc.max series: once full, out is a min-heap
// by value and a larger series takes the smallest one's place. Prometheus is asked for
// sc.max series, so only a store that ignores the limit sends more; of its answer the
// largest series are kept (they carry most of the traffic) in bounded memory.
func (sc *scanner) keep(out *[]series, s series) {
	h := *out
	if len(h) < sc.max {
		*out = append(h, s)
		if len(*out) == sc.max {
			for i := sc.max/2 - 1; i >= 0; i-- {
				down(*out, i)
			}
		}
		return
	}
	if len(h) == 0 || !(s.value > h[0].value) {
		return
	}
	h[0] = s
	down(h, 0)
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
