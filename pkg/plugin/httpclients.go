package plugin

import (
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// newCPHTTPClient builds the CP's client from its settings.
func (ds *Datasource) newCPHTTPClient(s models.Settings) (*http.Client, error) {
	opts := s.CPHTTP
	// One timeout for the CP: the client's deadline per call (kuma.Options.RequestTimeout,
	// all pages of a list together); an http.Client timeout per page would be a second.
	opts.Timeouts = timeouts(0)
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
