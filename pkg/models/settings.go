// Package models decodes what Grafana hands the plugin: instance settings and query JSON.
package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
)

// Defaults chosen so that a slow CP or Prometheus fails one panel, not the whole dashboard.
const (
	DefaultCPTimeout         = 30 * time.Second
	DefaultPrometheusTimeout = 30 * time.Second
	// Prometheus' own default scrape interval: $__rate_interval is derived from it.
	DefaultScrapeInterval = 15 * time.Second
	// A 1,000-service mesh's latency query returns some 165,000 series (about 28 MB):
	// these caps hold it with room to spare and still bound a misbehaving store.
	DefaultPrometheusMaxSeries        = 200_000
	DefaultPrometheusMaxResponseBytes = 128 << 20
	// DefaultIncrementalCacheMB bounds the bodies kept for refreshes of long ranges: a
	// 1,000-service map keeps about 12 MB.
	DefaultIncrementalCacheMB = 64
	// Two shards halve the latency query's evaluation on a two-core Prometheus; eight
	// queries in flight are two maps' worth per data source.
	DefaultPrometheusShards               = 2
	DefaultPrometheusMaxConcurrentQueries = 8
)

// ErrLegacyPrometheusID is returned for provisioning files written for the community plugin,
// which proxied Prometheus through a numeric data source id that Grafana 13 no longer serves.
var ErrLegacyPrometheusID = errors.New("jsonData.prometheusDataSourceId is no longer supported: set jsonData.prometheusUrl to the Prometheus (or Thanos/Mimir/VictoriaMetrics) query URL instead")

// PrometheusAuth says how the plugin authenticates to Prometheus.
type PrometheusAuth string

const (
	PrometheusAuthNone   PrometheusAuth = "none"
	PrometheusAuthBasic  PrometheusAuth = "basic"
	PrometheusAuthBearer PrometheusAuth = "bearer"
)

// Header is one custom HTTP header sent to a peer.
type Header struct {
	Name  string
	Value string
}

// Prometheus holds everything needed to reach the Prometheus-compatible store.
type Prometheus struct {
	URL           string
	Auth          PrometheusAuth
	User          string
	Password      string
	Token         string
	CACert        string
	TLSSkipVerify bool
	Timeout       time.Duration
	Headers       []Header
	// MaxSeries caps the series of one sub-query; the rest is dropped with a notice.
	MaxSeries int
	// MaxResponseBytes caps one answer before decoding, for stores that ignore the limit.
	MaxResponseBytes int64
	// ScrapeInterval is how often the store scrapes the proxies; $__rate_interval needs it.
	ScrapeInterval time.Duration
	// IncrementalCacheBytes bounds what refreshes of long ranges keep (0: nothing).
	IncrementalCacheBytes int64
	// RecordingRules lets the map read the shipped recording rules' series where the
	// store has them (jsonData recordingRules "auto", the default); "off" never does.
	RecordingRules bool
	// Shards is how many concurrent queries the map's latency sub-query is split into.
	Shards int
	// MaxConcurrentQueries bounds the PromQL requests in flight for all panels together.
	MaxConcurrentQueries int
}

// Configured reports whether a Prometheus URL was set at all.
func (p Prometheus) Configured() bool { return p.URL != "" }

// Settings is the decoded instance configuration.
type Settings struct {
	CPURL     string
	CPToken   string
	CPTimeout time.Duration
	// CPHTTP is the CP's HTTP client configuration from Grafana's standard HTTP settings
	// (TLS, mTLS, custom headers, proxy) with the CP token as a bearer header.
	CPHTTP httpclient.Options
	// Secrets are every decrypted secure value, for taking them out of what peers echo.
	Secrets    []string
	Prometheus Prometheus
	// Links are the data sources the map's nodes and edges link to.
	Links Links
	// Health is when the map marks traffic degraded or failing; queries may override it.
	Health Health
}

// Health says when a node's or an edge's traffic is degraded (orange) or failing (red).
type Health struct {
	// DegradedErrorRatio and FailingErrorRatio are shares of failed requests (5xx and
	// gRPC failures), 0 to 1.
	DegradedErrorRatio float64
	FailingErrorRatio  float64
	// DegradedP99Ms marks traffic whose p99 latency reaches it as degraded; 0 never.
	DegradedP99Ms float64
}

// DefaultHealth follows common SLO dashboards: 1 % of errors degrade, 5 % fail.
var DefaultHealth = Health{DegradedErrorRatio: 0.01, FailingErrorRatio: 0.05}

// healthOverrides are the optional health fields, read the same way from jsonData (the
// data source's) and from a query (overriding them).
type healthOverrides struct {
	ErrorRatioDegraded *float64 `json:"healthErrorRatioDegraded"`
	ErrorRatioFailing  *float64 `json:"healthErrorRatioFailing"`
	P99DegradedMs      *float64 `json:"healthP99DegradedMs"`
}

// fields lists the overrides with their names, bounds and the Health field each sets.
func (o healthOverrides) fields(h *Health) []healthField {
	return []healthField{
		{"healthErrorRatioDegraded", o.ErrorRatioDegraded, &h.DegradedErrorRatio, 1},
		{"healthErrorRatioFailing", o.ErrorRatioFailing, &h.FailingErrorRatio, 1},
		{"healthP99DegradedMs", o.P99DegradedMs, &h.DegradedP99Ms, 86_400_000},
	}
}

type healthField struct {
	name string
	v    *float64
	to   *float64
	max  float64
}

// validate checks each set override's range: a ratio above 0 and at most 1, a latency
// of 0 (never) up to a day.
func (o healthOverrides) validate() error {
	for _, f := range o.fields(&Health{}) {
		if f.v == nil {
			continue
		}
		if *f.v < 0 || *f.v > f.max || (f.max == 1 && *f.v == 0) {
			return fmt.Errorf("%s must be above 0 and at most %s, got %s", f.name, plain(f.max), plain(*f.v))
		}
	}
	return nil
}

// Over returns base with the set overrides applied, or an error naming the field when
// a value is out of range or degraded would come after failing.
func (o healthOverrides) Over(base Health) (Health, error) {
	if err := o.validate(); err != nil {
		return Health{}, err
	}
	h := base
	for _, f := range o.fields(&h) {
		if f.v != nil {
			*f.to = *f.v
		}
	}
	if h.DegradedErrorRatio > h.FailingErrorRatio {
		return Health{}, fmt.Errorf("healthErrorRatioDegraded (%s) is above healthErrorRatioFailing (%s)", plain(h.DegradedErrorRatio), plain(h.FailingErrorRatio))
	}
	return h, nil
}

// Trace stores the map links to.
const (
	TracesTempo  = "tempo"
	TracesJaeger = "jaeger"
)

// DefaultLogsMatcher selects Kuma's sidecars on Kubernetes; universal deployments label
// their logs otherwise.
const DefaultLogsMatcher = `{container="kuma-sidecar"}`

// Links name the Grafana data sources (by uid) that the map's nodes and edges open as
// internal links; an empty uid is no link.
type Links struct {
	TracesUID  string
	TracesType string // TracesTempo or TracesJaeger
	LogsUID    string
	// LogsMatcher is the LogQL stream selector of the sidecars' logs.
	LogsMatcher string
}

type jsonSettings struct {
	URL                      string          `json:"url"`
	Timeout                  json.Number     `json:"timeout"`
	PrometheusURL            string          `json:"prometheusUrl"`
	PrometheusAuth           PrometheusAuth  `json:"prometheusAuth"`
	PrometheusUser           string          `json:"prometheusUser"`
	PrometheusTLSSkipVerify  bool            `json:"prometheusTlsSkipVerify"`
	PrometheusTimeout        json.Number     `json:"prometheusTimeout"`
	PrometheusMaxSeries      json.Number     `json:"prometheusMaxSeries"`
	PrometheusMaxResponseMB  json.Number     `json:"prometheusMaxResponseMB"`
	PrometheusScrapeInterval json.Number     `json:"prometheusScrapeInterval"`
	PrometheusShards         json.Number     `json:"prometheusShards"`
	PrometheusMaxConcurrent  json.Number     `json:"prometheusMaxConcurrentQueries"`
	PrometheusDataSourceID   json.RawMessage `json:"prometheusDataSourceId"`
	IncrementalCacheMB       json.Number     `json:"incrementalCacheMB"`
	RecordingRules           string          `json:"recordingRules"`
	TracesDatasourceUID      string          `json:"tracesDatasourceUid"`
	TracesDatasourceType     string          `json:"tracesDatasourceType"`
	LogsDatasourceUID        string          `json:"logsDatasourceUid"`
	LogsMatcher              string          `json:"logsMatcher"`
	healthOverrides
}

// LoadSettings decodes and validates the instance settings: the one place that reads
// them. Secrets are read from the decrypted secure JSON and never appear in returned errors.
func LoadSettings(ctx context.Context, s backend.DataSourceInstanceSettings) (Settings, error) {
	var js jsonSettings
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &js); err != nil {
			return Settings{}, fmt.Errorf("invalid jsonData: %w", err)
		}
	}
	if len(js.PrometheusDataSourceID) > 0 && string(js.PrometheusDataSourceID) != "null" && string(js.PrometheusDataSourceID) != `""` && js.PrometheusURL == "" {
		return Settings{}, ErrLegacyPrometheusID
	}
	secure := s.DecryptedSecureJSONData
	cpURL := s.URL
	if cpURL == "" {
		cpURL = js.URL
	}
	cpURL, err := validURL("control plane URL", cpURL)
	if err != nil {
		return Settings{}, err
	}
	cpTimeout, err := seconds("timeout", js.Timeout, DefaultCPTimeout)
	if err != nil {
		return Settings{}, err
	}
	prom := Prometheus{
		Auth:          js.PrometheusAuth,
		User:          js.PrometheusUser,
		Password:      secure["prometheusPassword"],
		Token:         secure["prometheusToken"],
		CACert:        secure["prometheusCACert"],
		TLSSkipVerify: js.PrometheusTLSSkipVerify,
		Headers:       numberedHeaders(s.JSONData, secure, "prometheusHeaderName", "prometheusHeaderValue"),
	}
	if js.PrometheusURL != "" {
		if prom.URL, err = validURL("Prometheus URL", js.PrometheusURL); err != nil {
			return Settings{}, err
		}
	}
	if prom.Timeout, err = seconds("prometheusTimeout", js.PrometheusTimeout, DefaultPrometheusTimeout); err != nil {
		return Settings{}, err
	}
	if prom.MaxSeries, err = number("prometheusMaxSeries", js.PrometheusMaxSeries, DefaultPrometheusMaxSeries, 1, maxSeries); err != nil {
		return Settings{}, err
	}
	if prom.ScrapeInterval, err = seconds("prometheusScrapeInterval", js.PrometheusScrapeInterval, DefaultScrapeInterval); err != nil {
		return Settings{}, err
	}
	if prom.Shards, err = whole("prometheusShards", js.PrometheusShards, DefaultPrometheusShards, 1, maxShards); err != nil {
		return Settings{}, err
	}
	if prom.MaxConcurrentQueries, err = whole("prometheusMaxConcurrentQueries", js.PrometheusMaxConcurrent, DefaultPrometheusMaxConcurrentQueries, 1, maxConcurrentQueries); err != nil {
		return Settings{}, err
	}
	mb, err := number("prometheusMaxResponseMB", js.PrometheusMaxResponseMB, float64(DefaultPrometheusMaxResponseBytes)/(1<<20), minResponseMB, maxResponseMB)
	if err != nil {
		return Settings{}, err
	}
	prom.MaxResponseBytes = int64(mb * (1 << 20))
	cacheMB, err := incrementalCacheMB(js.IncrementalCacheMB)
	if err != nil {
		return Settings{}, err
	}
	prom.IncrementalCacheBytes = int64(cacheMB) << 20
	switch js.RecordingRules {
	case "", "auto":
		prom.RecordingRules = true
	case "off":
	default:
		return Settings{}, fmt.Errorf("recordingRules %q is not one of auto, off", js.RecordingRules)
	}
	switch prom.Auth {
	case "":
		prom.Auth = PrometheusAuthNone
	case PrometheusAuthNone, PrometheusAuthBasic, PrometheusAuthBearer:
	default:
		return Settings{}, fmt.Errorf("prometheusAuth %q is not one of none, basic, bearer", prom.Auth)
	}
	links, err := loadLinks(js)
	if err != nil {
		return Settings{}, err
	}
	health, err := js.healthOverrides.Over(DefaultHealth)
	if err != nil {
		return Settings{}, err
	}
	cpHTTP, err := cpHTTPOptions(ctx, s, secure["cpToken"])
	if err != nil {
		return Settings{}, err
	}
	return Settings{CPURL: cpURL, CPToken: secure["cpToken"], CPTimeout: cpTimeout, CPHTTP: cpHTTP, Secrets: slices.Collect(maps.Values(secure)),
		Prometheus: prom, Links: links, Health: health}, nil
}

// cpHTTPOptions reads the CP's side of Grafana's standard HTTP settings and adds the token.
func cpHTTPOptions(ctx context.Context, s backend.DataSourceInstanceSettings, token string) (httpclient.Options, error) {
	opts, err := s.HTTPClientOptions(ctx)
	if err != nil {
		return httpclient.Options{}, fmt.Errorf("control plane HTTP settings: %w", err)
	}
	if opts.Header == nil {
		opts.Header = http.Header{}
	}
	if token != "" {
		opts.Header.Set("Authorization", "Bearer "+token)
	}
	// Grafana's basic-auth fields are meaningless for the CP, which only takes tokens.
	opts.BasicAuth = nil
	return opts, nil
}

// loadLinks reads the traces and logs data sources. A traces type other than Tempo's or
// Jaeger's is refused: the link's query is written in that store's language.
func loadLinks(js jsonSettings) (Links, error) {
	l := Links{
		TracesUID: strings.TrimSpace(js.TracesDatasourceUID), TracesType: strings.TrimSpace(js.TracesDatasourceType),
		LogsUID: strings.TrimSpace(js.LogsDatasourceUID), LogsMatcher: strings.TrimSpace(js.LogsMatcher),
	}
	if l.TracesUID != "" {
		if l.TracesType == "" {
			l.TracesType = TracesTempo
		}
		if l.TracesType != TracesTempo && l.TracesType != TracesJaeger {
			return Links{}, fmt.Errorf("tracesDatasourceType %q is not one of %s, %s", l.TracesType, TracesTempo, TracesJaeger)
		}
	}
	if l.LogsMatcher == "" {
		l.LogsMatcher = DefaultLogsMatcher
	}
	if !strings.HasPrefix(l.LogsMatcher, "{") || !strings.HasSuffix(l.LogsMatcher, "}") {
		return Links{}, fmt.Errorf("logsMatcher %q is not a LogQL stream selector such as %s", l.LogsMatcher, DefaultLogsMatcher)
	}
	return l, nil
}

func validURL(what, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("%s is not set", what)
	}
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		if _, hidden := hiddenUserinfo(rest); hidden {
			return "", fmt.Errorf("%s %q: a user name or password with /, ? or # must be percent-encoded (%%2F, %%3F, %%23)", what, RedactURL(raw))
		}
	}
	if _, err := peer.BaseURL(raw); err != nil {
		return "", fmt.Errorf("%s %q %w", what, RedactURL(raw), err)
	}
	return strings.TrimRight(raw, "/"), nil
}

// userinfo is the user:password@ part of a URL that url.Parse refuses.
var userinfo = regexp.MustCompile(`^([^:/?#]*://)[^/?#]*@`)

// RedactURL is raw with any password replaced by xxxxx, for messages and logs: a URL
// may carry credentials (http://user:password@host), and errors and health messages
// that name the URL reach the browser and Grafana's log.
func RedactURL(raw string) string {
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		if at, hidden := hiddenUserinfo(rest); hidden {
			return scheme + "://xxxxx@" + rest[at+1:]
		}
	}
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return userinfo.ReplaceAllString(raw, "${1}xxxxx@")
}

// hiddenUserinfo finds an "@" after the first "/", "?" or "#" of rest (a URL after its
// "://"): a password holding one of those (http://u:pa#ss@host) ends the host part early
// for url.Parse, which then reads the password as host, port, path or fragment, where
// URL.Redacted does not hide it. at is the last "@".
func hiddenUserinfo(rest string) (at int, hidden bool) {
	at = strings.LastIndex(rest, "@")
	return at, at >= 0 && strings.IndexAny(rest[:at], "/?#") >= 0
}

// Bounds of the numeric settings. Each is refused outside them, naming the setting:
// a value that rounds to zero would mean no timeout or no cap, and a huge one overflows.
const (
	minSeconds    = 0.001
	maxSeconds    = 86_400
	maxSeries     = 100_000_000
	minResponseMB = 0.001     // about 1 KiB
	maxResponseMB = 1_000_000 // about 1 TB
	maxShards     = 16
	// More than this many queries of one data source at once floods rather than uses a store.
	maxConcurrentQueries  = 64
	maxIncrementalCacheMB = 4096
)

func seconds(field string, n json.Number, def time.Duration) (time.Duration, error) {
	f, err := number(field+" (seconds)", n, def.Seconds(), minSeconds, maxSeconds)
	return time.Duration(f * float64(time.Second)), err
}

// number reads an optional number: def when unset or zero, else it must lie in [lo, hi].
func number[N int | float64](field string, n json.Number, def, lo, hi N) (N, error) {
	if n == "" {
		return def, nil
	}
	f, err := n.Float64()
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%s must be a positive number, got %q", field, n.String())
	}
	if f == 0 {
		return def, nil
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, fmt.Errorf("%s must be between %s and %s, got %s", field, plain(float64(lo)), plain(float64(hi)), n.String())
	}
	return N(f), nil
}

// incrementalCacheMB reads the bound of the incremental-refresh cache; unlike the other
// numbers, 0 turns it off rather than meaning the default.
func incrementalCacheMB(n json.Number) (int, error) {
	if f, err := n.Float64(); err == nil && f == 0 {
		return 0, nil
	}
	return whole("incrementalCacheMB", n, DefaultIncrementalCacheMB, 1, maxIncrementalCacheMB)
}

// whole is number for counts: a fraction is refused rather than cut.
func whole(field string, n json.Number, def, lo, hi int) (int, error) {
	v, err := number(field, n, def, lo, hi)
	if f, _ := n.Float64(); err == nil && f != float64(int(f)) {
		return 0, fmt.Errorf("%s must be a whole number, got %s", field, n.String())
	}
	return v, err
}

// plain writes f without an exponent.
func plain(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// numberedHeaders reads Grafana's numbered header convention (name in jsonData, value secure).
func numberedHeaders(jsonData json.RawMessage, secure map[string]string, namePrefix, valuePrefix string) []Header {
	var raw map[string]any
	if json.Unmarshal(jsonData, &raw) != nil {
		return nil
	}
	var headers []Header
	for i := 1; ; i++ {
		name, ok := raw[fmt.Sprintf("%s%d", namePrefix, i)].(string)
		if !ok {
			return headers
		}
		if name = strings.TrimSpace(name); name != "" {
			headers = append(headers, Header{Name: name, Value: secure[fmt.Sprintf("%s%d", valuePrefix, i)]})
		}
	}
}
