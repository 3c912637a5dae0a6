package models

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestLoadSettings(t *testing.T) {
	tests := []struct {
		name    string
		in      backend.DataSourceInstanceSettings
		want    func(t *testing.T, s Settings)
		wantErr string
	}{
		{
			name: "data source URL, token and Prometheus with tenant header",
			in: backend.DataSourceInstanceSettings{
				URL:      "http://kuma-cp:5681/",
				JSONData: []byte(`{"prometheusUrl":"https://mimir:9009/prometheus","prometheusAuth":"bearer","prometheusHeaderName1":"X-Scope-OrgID","timeout":5}`),
				DecryptedSecureJSONData: map[string]string{
					"cpToken": "cp-secret", "prometheusToken": "prom-secret", "prometheusHeaderValue1": "tenant-a",
				},
			},
			want: func(t *testing.T, s Settings) {
				if s.CPURL != "http://kuma-cp:5681" || s.CPToken != "cp-secret" || s.CPTimeout != 5*time.Second {
					t.Errorf("CP settings = %+v", s)
				}
				if got := s.CPHTTP.Header.Get("Authorization"); got != "Bearer cp-secret" || s.CPHTTP.BasicAuth != nil {
					t.Errorf("CP HTTP options: Authorization %q, basic auth %v", got, s.CPHTTP.BasicAuth)
				}
				if !slices.Contains(s.Secrets, "tenant-a") || !slices.Contains(s.Secrets, "prom-secret") {
					t.Errorf("secrets to redact = %q", s.Secrets)
				}
				p := s.Prometheus
				if p.URL != "https://mimir:9009/prometheus" || p.Auth != PrometheusAuthBearer || p.Token != "prom-secret" {
					t.Errorf("Prometheus settings = %+v", p)
				}
				if len(p.Headers) != 1 || p.Headers[0] != (Header{Name: "X-Scope-OrgID", Value: "tenant-a"}) {
					t.Errorf("headers = %+v", p.Headers)
				}
				if p.Timeout != DefaultPrometheusTimeout || p.MaxSeries != DefaultPrometheusMaxSeries || p.MaxResponseBytes != DefaultPrometheusMaxResponseBytes || p.ScrapeInterval != DefaultScrapeInterval || !p.RecordingRules {
					t.Errorf("Prometheus defaults = %v, %d, %d, %v, %t", p.Timeout, p.MaxSeries, p.MaxResponseBytes, p.ScrapeInterval, p.RecordingRules)
				}
				if p.Shards != DefaultPrometheusShards || p.MaxConcurrentQueries != DefaultPrometheusMaxConcurrentQueries {
					t.Errorf("Prometheus shards, concurrent queries = %d, %d", p.Shards, p.MaxConcurrentQueries)
				}
			},
		},
		{
			name: "no traces or logs data source: no links, the default matcher",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp:5681"},
			want: func(t *testing.T, s Settings) {
				if s.Links != (Links{LogsMatcher: DefaultLogsMatcher}) {
					t.Errorf("links = %+v", s.Links)
				}
			},
		},
		{
			name: "Jaeger and Loki with a universal deployment's matcher",
			in: backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"tracesDatasourceUid":" jaeger-1 ","tracesDatasourceType":"jaeger",` +
				`"logsDatasourceUid":"loki","logsMatcher":"{job=\"kuma-dp\"}"}`)},
			want: func(t *testing.T, s Settings) {
				if s.Links != (Links{TracesUID: "jaeger-1", TracesType: TracesJaeger, LogsUID: "loki", LogsMatcher: `{job="kuma-dp"}`}) {
					t.Errorf("links = %+v", s.Links)
				}
			},
		},
		{
			name: "a traces uid without a type (provisioned by hand) is Tempo",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"tracesDatasourceUid":"tempo"}`)},
			want: func(t *testing.T, s Settings) {
				if s.Links.TracesType != TracesTempo {
					t.Errorf("links = %+v", s.Links)
				}
			},
		},
		{
			name:    "a traces store we cannot write queries for",
			in:      backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"tracesDatasourceUid":"z","tracesDatasourceType":"zipkin"}`)},
			wantErr: `tracesDatasourceType "zipkin" is not one of tempo, jaeger`,
		},
		{
			name:    "a logs matcher that is no stream selector",
			in:      backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"logsDatasourceUid":"loki","logsMatcher":"container=kuma-sidecar"}`)},
			wantErr: `logsMatcher "container=kuma-sidecar" is not a LogQL stream selector`,
		},
		{
			name: "health thresholds: defaults",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp:5681"},
			want: func(t *testing.T, s Settings) {
				if s.Health != DefaultHealth || DefaultHealth != (Health{DegradedErrorRatio: 0.01, FailingErrorRatio: 0.05}) {
					t.Errorf("health = %+v", s.Health)
				}
			},
		},
		{
			name: "health thresholds: the operator's",
			in: backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(
				`{"healthErrorRatioDegraded":0.02,"healthErrorRatioFailing":0.1,"healthP99DegradedMs":500}`)},
			want: func(t *testing.T, s Settings) {
				if s.Health != (Health{DegradedErrorRatio: 0.02, FailingErrorRatio: 0.1, DegradedP99Ms: 500}) {
					t.Errorf("health = %+v", s.Health)
				}
			},
		},
		{
			name:    "health: degraded above the default failing",
			in:      backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"healthErrorRatioDegraded":0.2}`)},
			wantErr: "healthErrorRatioDegraded (0.2) is above healthErrorRatioFailing (0.05)",
		},
		{
			name:    "health: a ratio above 1",
			in:      backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"healthErrorRatioFailing":5}`)},
			wantErr: "healthErrorRatioFailing must be above 0 and at most 1, got 5",
		},
		{
			name: "community plugin stored the CP URL in jsonData.url",
			in:   backend.DataSourceInstanceSettings{JSONData: []byte(`{"url":"http://127.0.0.1:5681"}`)},
			want: func(t *testing.T, s Settings) {
				if s.CPURL != "http://127.0.0.1:5681" || s.Prometheus.Configured() || s.Prometheus.Auth != PrometheusAuthNone {
					t.Errorf("settings = %+v", s)
				}
			},
		},
		{
			name:    "legacy prometheusDataSourceId is refused with what to set instead",
			in:      backend.DataSourceInstanceSettings{URL: "http://cp:5681", JSONData: []byte(`{"prometheusDataSourceId":"3"}`)},
			wantErr: "prometheusUrl",
		},
		{name: "missing CP URL", in: backend.DataSourceInstanceSettings{}, wantErr: "control plane URL is not set"},
		{name: "relative CP URL", in: backend.DataSourceInstanceSettings{URL: "kuma-cp:5681"}, wantErr: "absolute http"},
		{name: "bad Prometheus URL", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusUrl":"ftp://x"}`)}, wantErr: "Prometheus URL"},
		{name: "bad auth", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusAuth":"kerberos"}`)}, wantErr: "prometheusAuth"},
		{
			name: "Prometheus caps",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxSeries":5000,"prometheusMaxResponseMB":0.5}`)},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.MaxSeries != 5000 || s.Prometheus.MaxResponseBytes != 512<<10 {
					t.Errorf("caps = %d, %d", s.Prometheus.MaxSeries, s.Prometheus.MaxResponseBytes)
				}
			},
		},
		{
			name: "scrape interval",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusScrapeInterval":30}`)},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.ScrapeInterval != 30*time.Second {
					t.Errorf("scrape interval = %v", s.Prometheus.ScrapeInterval)
				}
			},
		},
		{
			name: "recording rules off",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"recordingRules":"off"}`)},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.RecordingRules {
					t.Error("recording rules still on")
				}
			},
		},
		{
			name: "recording rules auto",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"recordingRules":"auto"}`)},
			want: func(t *testing.T, s Settings) {
				if !s.Prometheus.RecordingRules {
					t.Error("recording rules off")
				}
			},
		},
		{name: "bad recording rules", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"recordingRules":"on"}`)}, wantErr: `recordingRules "on" is not one of auto, off`},
		{
			name: "shards and concurrent queries",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusShards":4,"prometheusMaxConcurrentQueries":64}`)},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.Shards != 4 || s.Prometheus.MaxConcurrentQueries != 64 {
					t.Errorf("shards, concurrent queries = %d, %d", s.Prometheus.Shards, s.Prometheus.MaxConcurrentQueries)
				}
			},
		},
		{name: "too many shards", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusShards":17}`)}, wantErr: "prometheusShards must be between 1 and 16, got 17"},
		{name: "fraction of a shard", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusShards":2.5}`)}, wantErr: "prometheusShards must be a whole number, got 2.5"},
		{name: "negative shards", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusShards":-1}`)}, wantErr: "prometheusShards must be a positive number"},
		{name: "too many concurrent queries", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxConcurrentQueries":65}`)}, wantErr: "prometheusMaxConcurrentQueries must be between 1 and 64, got 65"},
		{name: "fraction of a query", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxConcurrentQueries":0.5}`)}, wantErr: "prometheusMaxConcurrentQueries must be between 1 and 64, got 0.5"},
		{
			name: "incremental cache default",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp"},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.IncrementalCacheBytes != DefaultIncrementalCacheMB<<20 {
					t.Errorf("default = %d bytes", s.Prometheus.IncrementalCacheBytes)
				}
			},
		},
		{
			name: "incremental cache off",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"incrementalCacheMB":0}`)},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.IncrementalCacheBytes != 0 {
					t.Errorf("off = %d bytes", s.Prometheus.IncrementalCacheBytes)
				}
			},
		},
		{
			name: "incremental cache bound",
			in:   backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"incrementalCacheMB":256}`)},
			want: func(t *testing.T, s Settings) {
				if s.Prometheus.IncrementalCacheBytes != 256<<20 {
					t.Errorf("bound = %d bytes", s.Prometheus.IncrementalCacheBytes)
				}
			},
		},
		{name: "incremental cache too large", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"incrementalCacheMB":5000}`)}, wantErr: "incrementalCacheMB must be between 1 and 4096"},
		{name: "incremental cache negative", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"incrementalCacheMB":-1}`)}, wantErr: "incrementalCacheMB"},
		{name: "bad scrape interval", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusScrapeInterval":-3}`)}, wantErr: "prometheusScrapeInterval"},
		{name: "bad series cap", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxSeries":-5}`)}, wantErr: "prometheusMaxSeries"},
		{name: "bad timeout", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"timeout":-1}`)}, wantErr: "seconds"},
		{name: "timeout rounding to none", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"timeout":1e-10}`)}, wantErr: "timeout (seconds) must be between 0.001 and 86400, got 1e-10"},
		{name: "timeout overflowing", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"timeout":1e12}`)}, wantErr: "timeout (seconds) must be between 0.001 and 86400, got 1e12"},
		{name: "Prometheus timeout rounding to none", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusTimeout":1e-10}`)}, wantErr: "prometheusTimeout (seconds) must be between"},
		{name: "answer cap rounding to none", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxResponseMB":1e-7}`)}, wantErr: "prometheusMaxResponseMB must be between 0.001 and 1000000, got 1e-7"},
		{name: "answer cap overflowing", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxResponseMB":1e300}`)}, wantErr: "prometheusMaxResponseMB must be between"},
		{name: "series cap rounding to none", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxSeries":1e-7}`)}, wantErr: "prometheusMaxSeries must be between 1 and 100000000"},
		{name: "series cap overflowing", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusMaxSeries":1e20}`)}, wantErr: "prometheusMaxSeries must be between"},
		{name: "scrape interval rounding to none", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusScrapeInterval":1e-10}`)}, wantErr: "prometheusScrapeInterval (seconds) must be between"},
		{
			name:    "CP password with #",
			in:      backend.DataSourceInstanceSettings{URL: "http://u:PW#x@cp:5681/", DecryptedSecureJSONData: map[string]string{"pw": "PW#x"}},
			wantErr: "must be percent-encoded",
		},
		{
			name:    "Prometheus password with / that parses as a port and path",
			in:      backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusUrl":"http://user:1234/secret@prom:9090"}`), DecryptedSecureJSONData: map[string]string{"pw": "1234/secret"}},
			wantErr: "must be percent-encoded",
		},
		{name: "malformed jsonData", in: backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{`)}, wantErr: "invalid jsonData"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadSettings(context.Background(), tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to mention %q", err, tt.wantErr)
				}
				for _, secret := range tt.in.DecryptedSecureJSONData {
					if strings.Contains(err.Error(), secret) {
						t.Fatalf("error leaks a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, s)
		})
	}
	if _, err := LoadSettings(context.Background(), backend.DataSourceInstanceSettings{URL: "http://cp", JSONData: []byte(`{"prometheusDataSourceId":1}`)}); !errors.Is(err, ErrLegacyPrometheusID) {
		t.Errorf("numeric legacy id: error = %v", err)
	}
}
