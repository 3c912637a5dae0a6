package prom

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	jsoniter "github.com/json-iterator/go"
	"github.com/prometheus/client_golang/api"
	"github.com/prometheus/common/model"
)

// series is one element of an instant vector: its labels in answer order and its value.
// A map's result has up to DefaultMaxSeries of them with ten labels each, so they are
// decoded straight from the answer instead of through model.Vector, whose per-sample
// UnmarshalJSON parses every sample twice and allocates a map per series (this took
// about nine tenths of the plugin's own time on a 1,000-service map).
type series struct {
	labels []string // name, value, name, value, ...
	value  float64
}

func (s *series) get(name string) string {
	for i := 0; i+1 < len(s.labels); i += 2 {
		if s.labels[i] == name {
			return s.labels[i+1]
		}
	}
	return ""
}

func fromVector(vec model.Vector) []series {
	out := make([]series, len(vec))
	for i, s := range vec {
		out[i].value = float64(s.Value)
		out[i].labels = make([]string, 0, 2*len(s.Metric))
		for k, v := range s.Metric {
			out[i].labels = append(out[i].labels, string(k), string(v))
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
	decoded []series
	ok      bool
}

func (c *vectorClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	resp, body, err := c.Client.Do(ctx, req)
	if err != nil || resp.StatusCode/100 != 2 {
		return resp, body, err
	}
	env, ok := decodeVector(body)
	if !ok {
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

type envelope struct {
	result          []series
	warnings, infos []string
}

// decodeVector reads a successful /api/v1/query answer whose result is a vector of
// float samples; anything else (errors, other result types, native histograms,
// malformed JSON) is reported as not ok.
func decodeVector(body []byte) (envelope, bool) {
	var env envelope
	it := jsoniter.ParseBytes(jsoniter.ConfigDefault, body)
	status, vector := "", false
	for key := it.ReadObject(); key != ""; key = it.ReadObject() {
		switch key {
		case "status":
			status = it.ReadString()
		case "warnings":
			env.warnings = readStrings(it)
		case "infos":
			env.infos = readStrings(it)
		case "data":
			for key := it.ReadObject(); key != ""; key = it.ReadObject() {
				switch key {
				case "resultType":
					vector = it.ReadString() == model.ValVector.String()
				case "result":
					var ok bool
					if env.result, ok = readSeries(it); !ok {
						return envelope{}, false
					}
				default:
					it.Skip()
				}
			}
		default:
			it.Skip()
		}
	}
	return env, it.Error == nil && status == "success" && vector
}

// readInterned reads a string without copying it when it has no escapes (label values
// rarely do; one that does takes the ordinary path) and returns its interned copy.
func readInterned(it *jsoniter.Iterator, strs map[string]string) (string, bool) {
	if it.WhatIsNext() != jsoniter.StringValue {
		return "", false
	}
	// ReadStringAsSlice stops at the first quote: a backslash before it means the
	// string has escapes and the slice is not its value.
	b := it.ReadStringAsSlice()
	if it.Error != nil || bytes.IndexByte(b, '\\') >= 0 {
		return "", false
	}
	if v, ok := strs[string(b)]; ok {
		return v, true
	}
	v := string(b)
	strs[v] = v
	return v, true
}

func intern(strs map[string]string, s string) string {
	if v, ok := strs[s]; ok {
		return v
	}
	strs[s] = s
	return s
}

func readStrings(it *jsoniter.Iterator) []string {
	var out []string
	for it.ReadArray() {
		out = append(out, it.ReadString())
	}
	return out
}

func readSeries(it *jsoniter.Iterator) ([]series, bool) {
	out := []series{}
	// Series repeat the same few names and values (a latency answer has twenty
	// series per edge), so each distinct string is allocated once per answer, and
	// all labels live in one shared backing array.
	strs := map[string]string{}
	var arena []string
	for it.ReadArray() {
		var s series
		hasValue := false
		for key := it.ReadObject(); key != ""; key = it.ReadObject() {
			switch key {
			case "metric":
				start := len(arena)
				if !it.ReadMapCB(func(it *jsoniter.Iterator, name string) bool {
					v, ok := readInterned(it, strs)
					arena = append(arena, intern(strs, name), v)
					return ok
				}) {
					return nil, false
				}
				// Capped, so that growing the arena never writes into this series.
				s.labels = arena[start:len(arena):len(arena)]
			case "value":
				// [<unix time>, "<value>"]
				if !it.ReadArray() {
					return nil, false
				}
				it.Skip()
				if !it.ReadArray() {
					return nil, false
				}
				v, err := strconv.ParseFloat(it.ReadString(), 64)
				if err != nil || it.ReadArray() {
					return nil, false
				}
				s.value, hasValue = v, true
			default:
				// "histogram" (native histograms) and anything new: leave it to v1.
				return nil, false
			}
		}
		if !hasValue || it.Error != nil {
			return nil, false
		}
		out = append(out, s)
	}
	return out, it.Error == nil
}
