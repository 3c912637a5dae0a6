package plugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// errBadQuery marks a query the CP's answer showed to be wrong.
var errBadQuery = errors.New("bad query")

// explainMeshError says plainly that the mesh does not exist when the CP said so (its
// "Failed to retrieve Mesh", kuma.ErrUnknownMesh); a 404 for other reasons (an endpoint
// missing on a zone CP or in another Kuma version) keeps the CP's own words.
func explainMeshError(mesh string, err error) error {
	if mesh == "" || !errors.Is(err, kuma.ErrUnknownMesh) {
		return err
	}
	return fmt.Errorf("unknown mesh %q: the control plane has no such mesh (%w)", mesh, err)
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
	case errors.Is(err, kuma.ErrNotFound):
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
