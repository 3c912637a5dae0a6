package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
)

// meshGraph answers the service map. It is wired to the graph engine once that lands;
// until then it says so instead of drawing an empty map.
func (ds *Datasource) meshGraph(_ context.Context, _ models.Query, _ backend.DataQuery) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusNotImplemented, backend.ErrorSourcePlugin, "the mesh-graph query type is not available in this build yet")
}
