package promtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// Sample is one element of an instant-vector result.
type Sample struct {
	Metric map[string]string
	Value  float64
}

// queryResponse is the /api/v1/query envelope for vector and scalar results.
type queryResponse struct {
	Status    string `json:"status"`
	Error     string `json:"error"`
	ErrorType string `json:"errorType"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// Query evaluates an instant query at a time and returns the vector (a scalar
// result comes back as one sample without labels).
func (s *Server) Query(ctx context.Context, promql string, at time.Time) ([]Sample, error) {
	q := url.Values{"query": {promql}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/v1/query?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var qr queryResponse
	if err := json.NewDecoder(resp.Body).Decode(&qr); err != nil {
		return nil, fmt.Errorf("query %q: %w", promql, err)
	}
	if qr.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", promql, qr.ErrorType, qr.Error)
	}
	return decodeResult(qr.Data.ResultType, qr.Data.Result)
}

func decodeResult(typ string, raw json.RawMessage) ([]Sample, error) {
	switch typ {
	case "scalar":
		v, err := parsePoint(raw)
		return []Sample{{Value: v}}, err
	case "vector":
		var items []struct {
			Metric map[string]string `json:"metric"`
			Value  json.RawMessage   `json:"value"`
		}
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		out := make([]Sample, len(items))
		for i, it := range items {
			v, err := parsePoint(it.Value)
			if err != nil {
				return nil, err
			}
			out[i] = Sample{Metric: it.Metric, Value: v}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported result type %q", typ)
}

// parsePoint reads [<unix time>, "<value>"].
func parsePoint(raw json.RawMessage) (float64, error) {
	var p [2]any
	if err := json.Unmarshal(raw, &p); err != nil {
		return 0, err
	}
	s, ok := p[1].(string)
	if !ok {
		return 0, fmt.Errorf("point %s: value is not a string", raw)
	}
	return strconv.ParseFloat(s, 64)
}

// QueryValue evaluates a query that must return exactly one sample and returns its
// value; anything else fails the test.
func (s *Server) QueryValue(t testing.TB, ctx context.Context, promql string, at time.Time) float64 {
	t.Helper()
	res, err := s.Query(ctx, promql, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("query %q: want one sample, got %d: %v", promql, len(res), res)
	}
	return res[0].Value
}
