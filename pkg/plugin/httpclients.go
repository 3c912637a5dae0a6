package plugin

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// newCPHTTPClient builds the CP's client from Grafana's standard HTTP settings (TLS, mTLS,
// custom headers, proxy), adding the CP token as a bearer header.
func (ds *Datasource) newCPHTTPClient(ctx context.Context, is backend.DataSourceInstanceSettings, s models.Settings) (*http.Client, error) {
	opts, err := is.HTTPClientOptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("control plane HTTP settings: %w", err)
	}
	if opts.Header == nil {
		opts.Header = http.Header{}
	}
	if s.CPToken != "" {
		opts.Header.Set("Authorization", "Bearer "+s.CPToken)
	}
	opts.Timeouts = timeouts(s.CPTimeout)
	// Grafana's basic-auth fields are meaningless for the CP, which only takes tokens.
	opts.BasicAuth = nil
	return httpclient.New(ds.keepTransport(opts))
}

// newPrometheusHTTPClient builds the client for the Prometheus-compatible store from the
// plugin's own prometheus* keys, so CP and Prometheus can differ in auth and TLS.
func (ds *Datasource) newPrometheusHTTPClient(p models.Prometheus) (*http.Client, error) {
	opts := httpclient.Options{Header: http.Header{}, Timeouts: timeouts(p.Timeout), Middlewares: responseLimit(p.MaxResponseBytes)}
	switch p.Auth {
	case models.PrometheusAuthBasic:
		opts.BasicAuth = &httpclient.BasicAuthOptions{User: p.User, Password: p.Password}
	case models.PrometheusAuthBearer:
		opts.Header.Set("Authorization", "Bearer "+p.Token)
	}
	for _, h := range p.Headers {
		opts.Header.Set(h.Name, h.Value)
	}
	if p.TLSSkipVerify || p.CACert != "" {
		opts.TLS = &httpclient.TLSOptions{InsecureSkipVerify: p.TLSSkipVerify, CACertificate: p.CACert}
	}
	return httpclient.New(ds.keepTransport(opts))
}

// keepTransport has the SDK hand over the *http.Transport it builds under its
// middlewares: the client's own CloseIdleConnections cannot reach through them, so
// Dispose closes the transport's connections itself.
func (ds *Datasource) keepTransport(opts httpclient.Options) httpclient.Options {
	configure := opts.ConfigureTransport
	opts.ConfigureTransport = func(o httpclient.Options, t *http.Transport) {
		if configure != nil {
			configure(o, t)
		}
		ds.transports = append(ds.transports, t)
	}
	return opts
}

// The series cap applies only after an answer is decoded, and a Prometheus that ignores
// the limit parameter (older versions, some proxies) could send gigabytes: the response
// limit cuts it off, the sub-query fails with a notice instead of the plugin running out
// of memory. Grafana's [dataproxy] response_limit, when set, takes precedence.

// responseLimit is the SDK's default middlewares with the response limit set to limit.
func responseLimit(limit int64) []httpclient.Middleware {
	mws := httpclient.DefaultMiddlewares()
	for i, m := range mws {
		if n, ok := m.(httpclient.MiddlewareName); ok && n.MiddlewareName() == httpclient.ResponseLimitMiddlewareName {
			mws[i] = httpclient.ResponseLimitMiddleware(limit)
		}
	}
	return mws
}

func timeouts(total time.Duration) *httpclient.TimeoutOptions {
	t := httpclient.DefaultTimeoutOptions
	t.Timeout = total
	return &t
}
