package prom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/kumahq/kuma-grafana-datasource/pkg/naming"
)

// The decoder the client uses keeps the labels it reads only: they must be those
// client_golang reads, whether the answer is written as Prometheus writes it (the fast
// path) or spaced out (the generic one).
func TestDecodeAnswerSlotsMatchModelVector(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded answers: %v", err)
	}
	bodies := map[string][]byte{}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies[filepath.Base(f)] = body
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		bodies[fmt.Sprintf("random %d", i)] = randomSlotAnswer(t, rng)
	}
	for name, body := range bodies {
		var spaced bytes.Buffer
		if err := json.Indent(&spaced, body, " ", "\t"); err != nil {
			t.Fatal(err)
		}
		var env struct {
			Data struct{ Result model.Vector } `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		want := fromVector(env.Data.Result)
		for form, b := range map[string][]byte{"as written": body, "spaced": spaced.Bytes()} {
			got, ok := decodeAnswer(b, math.MaxInt, false)
			if !ok || len(got.result) != len(want) {
				t.Fatalf("%s, %s: ok %v, %d series, want %d", name, form, ok, len(got.result), len(want))
			}
			for i := range want {
				g, w := &got.result[i], &want[i]
				if g.labels != nil || g.value != w.value && !(g.value != g.value && w.value != w.value) {
					t.Errorf("%s, %s: series %d: labels %v, value %v, want none and %v", name, form, i, g.labels, g.value, w.value)
				}
				for k := range numSlots {
					if g.at(k) != w.at(k) {
						t.Errorf("%s, %s: series %d: %s=%q, want %q", name, form, i, slotNames[k], g.at(k), w.at(k))
					}
				}
			}
		}
	}
}

// randomSlotAnswer is an answer of series with labels the client reads, others, and
// values of every kind, written by client_golang's encoding.
func randomSlotAnswer(t *testing.T, rng *rand.Rand) []byte {
	names := append(slotNames[:], "instance", "pod", "x_é")
	values := []string{"", "default", "zone-1", "svc-00001", "0.5", "+Inf", "2", "漢字", "a b"}
	vec := model.Vector{}
	for range rng.IntN(20) {
		m := model.Metric{}
		for range rng.IntN(12) {
			m[model.LabelName(names[rng.IntN(len(names))])] = model.LabelValue(values[rng.IntN(len(values))])
		}
		v := []float64{math.NaN(), math.Inf(1), -1.5, 0, 3, 12.25, rng.NormFloat64() * 1e6, float64(rng.Int64())}[rng.IntN(8)]
		vec = append(vec, &model.Sample{Metric: m, Value: model.SampleValue(v), Timestamp: 1764010800123})
	}
	result, err := json.Marshal(vec)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"status":"success","data":{"resultType":"vector","result":` + string(result) + `}}`)
}

// A series with a label longer than maxLabel keeps none: not even those before it.
func TestDecodeAnswerLongLabel(t *testing.T) {
	long := bytes.Repeat([]byte("s"), maxLabel+1)
	body := fmt.Sprintf(`{"status":"success","data":{"resultType":"vector","result":[`+
		`{"metric":{"%s":"requests","x":"%s"},"value":[1,"1"]},{"metric":{"%s":"requests"},"value":[1,"2"]}]}}`,
		recordedLabel, long, recordedLabel)
	env, ok := decodeAnswer([]byte(body), 10, false)
	if !ok || len(env.result) != 2 || !env.result[0].long || env.result[0].get(recordedLabel) != "" ||
		env.result[1].long || env.result[1].get(recordedLabel) != "requests" {
		t.Errorf("got %+v, %v", env.result, ok)
	}
}

// Of an answer longer than the cap, the largest series are kept, whatever the cap.
func TestDecodeAnswerKeepsTheLargest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for maxSeries := 1; maxSeries <= 9; maxSeries++ {
		var b bytes.Buffer
		b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
		for i, v := range rng.Perm(100) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"metric":{},"value":[1,"%d"]}`, v)
		}
		b.WriteString(`]}}`)
		env, ok := decodeAnswer(b.Bytes(), maxSeries, false)
		if !ok || len(env.result) != maxSeries {
			t.Fatalf("max %d: %d series, %v", maxSeries, len(env.result), ok)
		}
		for _, s := range env.result {
			if s.value < float64(100-maxSeries) {
				t.Errorf("max %d: kept %v, not among the largest", maxSeries, s.value)
			}
		}
	}
}

// parseFloat reads every string as strconv.ParseFloat does, its fast path included.
func TestParseFloat(t *testing.T) {
	cases := []string{"", "-", ".", "0", "-0", "00", "007", "5.", ".5", "-.5", "0.5", "1.2.3", "1e3", "+1", "+Inf", "-Inf",
		"NaN", "Inf", "1_0", "0x10", "123456789012345", "1234567890123456", "12345678901234567890", "999999999999999",
		"0.000000000000001", "0.0000000000000001", "99999999999999.9", "1764010800.123", "2016.0000000000002", "1a", "- 1"}
	cases = append(cases, "9007199254740992", "9007199254740993", "9007199254740995", "18446744073709551615",
		"9999999999999999999", "10000000000000000000", "0.9999999999999999999", "1844674407370955161.5", "0.0000000000000000001",
		"2965.6932975859963", "-0.00000000000000000001")
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20_000 {
		x := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
		digits := strconv.FormatUint(rng.Uint64()%10_000_000_000_000_000_000, 10)
		point := rng.IntN(len(digits) + 1)
		cases = append(cases, strconv.FormatFloat(x, 'f', rng.IntN(18)-1, 64), strconv.FormatFloat(x, 'f', -1, 64),
			strconv.FormatFloat(x, 'g', -1, 64), strconv.FormatFloat(float64(rng.IntN(1<<20))/float64(1+rng.IntN(1000)), 'g', -1, 64),
			digits, digits[:point]+"."+digits[point:], strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10))
	}
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		for _, got := range []struct {
			v  float64
			ok bool
		}{fromParse(parseFloat(c)), fromParse(parseFloat([]byte(c)))} {
			if got.ok != (err == nil) || math.Float64bits(got.v) != math.Float64bits(want) && err == nil {
				t.Errorf("parseFloat(%q) = %v, %v; want %v, %v", c, got.v, got.ok, want, err)
			}
		}
	}
}

func fromParse(v float64, ok bool) struct {
	v  float64
	ok bool
} {
	return struct {
		v  float64
		ok bool
	}{v, ok}
}

// closingQuote finds the first quote or backslash wherever it falls in a word of 8
// bytes, and tells ASCII contents from others.
func TestClosingQuote(t *testing.T) {
	for n := range 20 {
		for _, c := range []struct {
			tail  string
			ok    bool
			ascii bool
		}{{`"`, true, true}, {`\"`, false, false}, {"é\"", true, false}, {"\"é", true, true}} {
			b := []byte(`"` + string(bytes.Repeat([]byte("a"), n)) + c.tail + "xyzxyzxyz")
			for _, cut := range []bool{false, true} {
				if cut {
					b = b[:1+n+len(c.tail)]
				}
				end, ascii, ok := closingQuote(b, 1)
				wantEnd := bytes.IndexAny(b[1:], `"\`) + 1
				if ok != c.ok || end != wantEnd || ok && ascii != c.ascii {
					t.Errorf("%q: %d, %v, %v; want %d, %v, %v", b, end, ascii, ok, wantEnd, c.ascii, c.ok)
				}
			}
		}
	}
	if _, _, ok := closingQuote([]byte(`"abcdefghijklmnop`), 1); ok {
		t.Error("unterminated string ok")
	}
}

// Each regime's reporter reads labels that have slots.
func TestReporterSlots(t *testing.T) {
	for _, r := range []naming.Regime{naming.RegimeAuto, naming.RegimeLegacy, naming.RegimeMeshService, naming.RegimeUnified} {
		rep := reporterOf(r)
		for _, k := range append(rep.source, rep.zone...) {
			if k < 0 || k >= numSlots {
				t.Errorf("%q: slot %d", r, k)
			}
		}
		if l, ok := r.Labels(); ok && (slotNames[rep.source[0]] != l.Source || slotNames[rep.zone[0]] != l.Zone) {
			t.Errorf("%q: %v, want %v", r, rep, l)
		}
	}
}

// FuzzDecodeAnswerSlots: whatever the answer, the slots the client reads are the values
// of the first of their labels among every label the same decoder reads, and both
// accept and keep the same series.
func FuzzDecodeAnswerSlots(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"le":"1","le":"2","mesh":"m"},"value":[1,"1"]},` +
		`{"metric":{"mesh":"m","le":"1"},"value":[1,"2"]},{ "metric" : {"le":"1"}, "value":[1,"3"]},{"value":[1,"4"],"metric":{"mesh":"n"}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		slots, ok := decodeAnswer(body, 3, false)
		labels, labelsOK := decodeAnswer(body, 3, true)
		if ok != labelsOK || len(slots.result) != len(labels.result) {
			t.Fatalf("slots: %v, %d series; labels: %v, %d series", ok, len(slots.result), labelsOK, len(labels.result))
		}
		for i := range slots.result {
			s, l := &slots.result[i], &series{labels: labels.result[i].labels}
			if v, w := s.value, labels.result[i].value; math.Float64bits(v) != math.Float64bits(w) || s.long != labels.result[i].long {
				t.Fatalf("series %d: %v %v, want %v %v", i, v, s.long, w, labels.result[i].long)
			}
			for k := range numSlots {
				if s.at(k) != l.at(k) {
					t.Fatalf("series %d: %s=%q, want %q", i, slotNames[k], s.at(k), l.at(k))
				}
			}
		}
	})
}

// FuzzParseFloat: parseFloat agrees with strconv.ParseFloat on any string.
func FuzzParseFloat(f *testing.F) {
	for _, seed := range []string{"0", "-0.5", "2965.6932975859963", "9007199254740993", "1e3", "+Inf", "0.0000000000000000001"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := parseFloat(s)
		if ok != (err == nil) || ok && math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
			t.Fatalf("parseFloat(%q) = %v, %v; want %v, %v", s, got, ok, want, err)
		}
	})
}

// Labels past maxPositions are read like the others, without a position of their own.
func TestDecodeAnswerManyLabels(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
	for i := range 3 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"metric":{`)
		for l := range 2 * maxPositions {
			fmt.Fprintf(&b, `"l%03d":"v%d",`, l, l%7+i)
		}
		fmt.Fprintf(&b, `"le":"%d","mesh":"m%d"},"value":[1,"%d"]}`, i, i%2, i)
	}
	b.WriteString(`]}}`)
	env, ok := decodeAnswer(b.Bytes(), 10, false)
	if !ok || len(env.result) != 3 {
		t.Fatalf("%v, %d series", ok, len(env.result))
	}
	for i, s := range env.result {
		if s.at(slotLE) != strconv.Itoa(i) || s.at(slotMesh) != fmt.Sprintf("m%d", i%2) || s.value != float64(i) {
			t.Errorf("series %d: le %q, mesh %q, value %v", i, s.at(slotLE), s.at(slotMesh), s.value)
		}
	}
}
