// Package plugin is the Grafana SDK surface of the Kuma data source: instance lifecycle,
// query dispatch, health checks and resources. The work itself lives in other packages.
package plugin

import (
	"context"
	"fmt"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
	"github.com/kumahq/kuma-grafana-datasource/pkg/prom"
)

// ID is the plugin id; existing Kuma provisioning and dashboards refer to it.
const ID = "kumahq-kuma-datasource"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured instance. Settings errors are kept, not returned, so that
// the health check and every query can say what is wrong with the configuration.
type Datasource struct {
	settings    models.Settings
	settingsErr error
	cp          *kuma.Client
	prom        *prom.Client
	// transports are the instance's connection pools, closed by Dispose.
	transports []*http.Transport
	// redactor takes the instance's secrets out of everything it answers.
	redactor   peer.Redactor
	topologies *inventory.Topologies
	handlers   map[string]queryHandler
	resources  backend.CallResourceHandler
}

// NewDatasource is the instance factory Grafana calls when settings are created or change.
func NewDatasource(ctx context.Context, is backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	ds := &Datasource{}
	ds.handlers = ds.queryHandlers()
	ds.resources = httpResources(ds)
	s, err := models.LoadSettings(ctx, is)
	if err != nil {
		ds.settingsErr = err
		return ds, nil
	}
	ds.settings = s
	ds.redactor = newRedactor(s)
	cpHTTP, err := ds.newCPHTTPClient(s)
	if err != nil {
		ds.settingsErr = err
		return ds, nil
	}
	if ds.cp, err = kuma.NewClient(kuma.Options{BaseURL: s.CPURL, HTTPClient: cpHTTP, RequestTimeout: s.CPTimeout}); err != nil {
		ds.settingsErr = fmt.Errorf("control plane client: %w", err)
		return ds, nil
	}
	ds.topologies = inventory.NewTopologies(ds.cp)
	if s.Prometheus.Configured() {
		var promHTTP *http.Client
		if promHTTP, err = ds.newPrometheusHTTPClient(s.Prometheus); err == nil {
			ds.prom, err = prom.New(s.Prometheus.URL, promHTTP, prom.WithMaxSeries(s.Prometheus.MaxSeries),
				prom.WithIncrementalCache(s.Prometheus.IncrementalCacheBytes, s.Prometheus.ScrapeInterval),
				prom.WithRecordingRules(s.Prometheus.RecordingRules),
				prom.WithShards(s.Prometheus.Shards), prom.WithMaxConcurrentQueries(s.Prometheus.MaxConcurrentQueries))
		}
		if err != nil {
			ds.settingsErr = fmt.Errorf("Prometheus client: %w", err)
		}
	}
	return ds, nil
}

func httpResources(ds *Datasource) backend.CallResourceHandler {
	return httpadapter.New(ds.newResourceMux())
}

// Dispose closes the instance's connections when Grafana replaces it (about 5 s after
// the new settings arrive, when its last calls are done): each keep-alive connection
// holds a file, two goroutines and a connection slot at the peer.
func (ds *Datasource) Dispose() {
	for _, t := range ds.transports {
		t.CloseIdleConnections()
	}
}

// QueryData answers each query independently; one failing query never fails the others.
// Everything the queries of one request read from the peers shares one budget, and the
// answer is redacted and cut (finish).
func (ds *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	if ds.settingsErr != nil {
		resp := backend.NewQueryDataResponse()
		for _, q := range req.Queries {
			resp.Responses[q.RefID] = backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "data source configuration: "+ds.settingsErr.Error())
		}
		return resp, nil
	}
	resp, err := ds.answerAll(ds.budgeted(ctx), req)
	if resp != nil {
		ds.finish(resp)
	}
	return resp, err
}

// CallResource serves the editors' look-ups, on the same budget as a request's queries.
func (ds *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return ds.resources.CallResource(ds.budgeted(ctx), req, sender)
}
