package plugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

var (
	// errUnknownMesh marks a query for a mesh the CP does not have.
	errUnknownMesh = errors.New("unknown mesh")
	// errBadQuery marks a query the CP's answer showed to be wrong.
	errBadQuery = errors.New("bad query")
)

// explainMeshError turns a 404 from a mesh-scoped endpoint into "the mesh does not exist"
// when that is the reason; a CP answers 404 for other reasons too (an endpoint missing on a
// zone CP or in another Kuma version), and those keep the CP's own words.
func (ds *Datasource) explainMeshError(ctx context.Context, mesh string, err error) error {
	if mesh == "" || !errors.Is(err, kuma.ErrNotFound) {
		return err
	}
	if _, meshErr := ds.cp.Mesh(ctx, mesh); errors.Is(meshErr, kuma.ErrNotFound) {
		return fmt.Errorf("%w %q: the control plane has no such mesh", errUnknownMesh, mesh)
	}
	return err
}

// errorResponse maps an error to the status Grafana shows. Failures of the CP or
// Prometheus are downstream errors: the plugin worked, its peer did not.
// A recovered panic is the plugin's own fault. The error is kept whole, so callers can
// still tell what it wraps.
func errorResponse(err error) backend.DataResponse {
	source := backend.ErrorSourceDownstream
	if errors.Is(err, safe.ErrPanic) {
		source = backend.ErrorSourcePlugin
	}
	return backend.DataResponse{Error: err, Status: statusOf(err), ErrorSource: source}
}

func statusOf(err error) backend.Status {
	switch {
	case errors.Is(err, safe.ErrPanic):
		return backend.StatusInternal
	case errors.Is(err, errBadQuery):
		return backend.StatusBadRequest
	case errors.Is(err, errUnknownMesh), errors.Is(err, kuma.ErrNotFound):
		return backend.StatusNotFound
	case errors.Is(err, kuma.ErrUnauthorized):
		return backend.StatusUnauthorized
	case errors.Is(err, kuma.ErrForbidden):
		return backend.StatusForbidden
	case errors.Is(err, context.DeadlineExceeded):
		return backend.StatusTimeout
	default:
		return backend.StatusBadGateway
	}
}
