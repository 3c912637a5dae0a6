package kuma_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
)

// roundTrip decodes a recording into T (or kuma.List[T] when the recording is a list),
// marshals it back and reports where the JSON differs. Fakes build CP answers from
// these types, so any difference is a bug.
func roundTrip[T any](t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var probe struct{ Items json.RawMessage }
	if err := json.Unmarshal(raw, &probe); err != nil {
		t.Fatal(err)
	}
	if probe.Items != nil {
		roundTripAs[kuma.List[T]](t, path, raw)
		return
	}
	roundTripAs[T](t, path, raw)
}

func roundTripAs[T any](t *testing.T, path string, raw []byte) {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %s: %v", path, err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if d := jsonDiff("$", want, got); d != "" {
		t.Errorf("%s: round trip differs: %s", filepath.Base(path), d)
	}
}

// jsonDiff returns the first path where two decoded JSON values differ.
func jsonDiff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want object, got %T", path, got)
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				return fmt.Sprintf("%s.%s: missing", path, k)
			}
			if d := jsonDiff(path+"."+k, w[k], g[k]); d != "" {
				return d
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Sprintf("%s.%s: unexpected %v", path, k, g[k])
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: want %d elements, got %v", path, len(w), got)
		}
		for i := range w {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
		return ""
	}
}

const errorGlob = "*/*/GET_*_[45]0[0-9].json"

var errorFile = regexp.MustCompile(`_[45]0[0-9]\.json$`)

func TestRoundTripRecordings(t *testing.T) {
	cases := []struct {
		files string // glob under testdata/kuma-cp
		check func(*testing.T, string)
	}{
		{"*/*/GET_index.json", roundTrip[kuma.Index]},
		{"*/*/GET_meshes.json", roundTrip[kuma.Mesh]},
		{"*/*/GET_meshes_size1.json", roundTrip[kuma.Mesh]},
		{"*/*/GET_meshes_default.json", roundTrip[kuma.Mesh]},
		{"*/*/GET_meshes_payments.json", roundTrip[kuma.Mesh]},
		{"*/*/GET_mesh-insights*.json", roundTrip[kuma.MeshInsight]},
		{"*/*/*/GET_mesh-insights.json", roundTrip[kuma.MeshInsight]},
		{"*/*/GET_zones+insights*.json", roundTrip[kuma.ZoneOverview]},
		{"*/*/*/GET_zones+insights*.json", roundTrip[kuma.ZoneOverview]},
		{"*/*/*GET_zones*_overview.json", roundTrip[kuma.ZoneOverview]},
		{"*/*/GET_meshes_*_service-insights*.json", roundTrip[kuma.ServiceInsight]},
		{"*/*/*/GET_meshes_*_service-insights.json", roundTrip[kuma.ServiceInsight]},
		{"*/*/GET_service-insights.json", roundTrip[kuma.ServiceInsight]},
		{"*/*/GET_meshes_*_dataplanes+insights*.json", roundTrip[kuma.DataplaneOverview]},
		{"*/*/*/GET_meshes_*_dataplanes+insights.json", roundTrip[kuma.DataplaneOverview]},
		{"*/*/GET_dataplanes+insights.json", roundTrip[kuma.DataplaneOverview]},
		{"*/*/GET_meshes_*_dataplanes__overview*.json", roundTrip[kuma.DataplaneOverview]},
		{"*/*/GET_meshes_*_dataplanes_*__overview.json", roundTrip[kuma.DataplaneOverview]},
		{"*/*/GET_meshes_default_meshgateways*.json", roundTrip[kuma.MeshGateway]},
		{"*/*/GET_meshes_*_meshservices.json", roundTrip[kuma.MeshService]},
		{"*/*/GET_meshes_*_meshservices_*[a-z0-9].json", roundTrip[kuma.MeshService]},
		{"*/*/*/GET_meshes_*_meshservices.json", roundTrip[kuma.MeshService]},
		{"*/*/GET_meshservices.json", roundTrip[kuma.MeshService]},
		{"*/*/GET_meshes_*_meshmultizoneservices*[a-z].json", roundTrip[kuma.MeshMultiZoneService]},
		{"*/*/GET_meshes_*_meshexternalservices*[a-z].json", roundTrip[kuma.MeshExternalService]},
		{"*/*/GET_meshes_*_external-services.json", roundTrip[kuma.ExternalService]},
		{"*/*/GET_meshes_*_workloads*.json", roundTrip[kuma.Workload]},
		{"*/*/*/GET_meshes_*_workloads.json", roundTrip[kuma.Workload]},
		{errorGlob, roundTrip[kuma.ErrorBody]},
	}
	for _, c := range cases {
		files, err := filepath.Glob(filepath.Join(kumatest.TestdataDir(), c.files))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("%s matches no recording", c.files)
		}
		for _, f := range files {
			// error recordings are checked by the ErrorBody case only
			if strings.Contains(f, "_hostnames") || strings.HasSuffix(f, "_dataplanes.json") {
				continue // other endpoints that share the prefix
			}
			isError := errorFile.MatchString(f)
			if isError != (c.files == errorGlob) {
				continue
			}
			rel, _ := filepath.Rel(kumatest.TestdataDir(), f)
			t.Run(rel, func(t *testing.T) { c.check(t, f) })
		}
	}
}
