package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/inventory"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// errBadResourceRequest marks a resource call with missing or wrong parameters.
var errBadResourceRequest = errors.New("bad request")

// noticeHeader carries what a resource answer leaves out.
const noticeHeader = "X-Kuma-Notice"

// option is what the editors' selects need of a mesh, zone or service.
type option struct {
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
	Type   string `json:"type,omitempty"`
}

type resourceFunc func(ctx context.Context, r *http.Request) ([]option, error)

// newResourceMux serves GET meshes, zones and services?mesh= as JSON; every error is a
// JSON {"error": "..."} with 400, 404, 405 or 502.
func (ds *Datasource) newResourceMux() http.Handler {
	routes := map[string]resourceFunc{
		"meshes":   ds.meshOptions,
		"zones":    ds.zoneOptions,
		"services": ds.serviceOptions,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A panic fails this call alone, with a JSON error like every other, unless the
		// answer had already begun.
		name := strings.Trim(r.URL.Path, "/")
		tw := &trackingWriter{ResponseWriter: w}
		err := safe.Run("resource "+name, func() error {
			ds.serveResource(tw, r, routes)
			return nil
		})
		if err != nil && !tw.wrote {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": fmt.Sprintf("resource %s: %v", name, err)})
		}
	})
}

// trackingWriter notes whether an answer has begun.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) WriteHeader(status int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (ds *Datasource) serveResource(w http.ResponseWriter, r *http.Request, routes map[string]resourceFunc) {
	route, ok := routes[strings.Trim(r.URL.Path, "/")]
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no resource " + r.URL.Path + ": use meshes, zones or services?mesh=<mesh>"})
		return
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method " + r.Method + " not allowed: use GET"})
		return
	case ds.settingsErr != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "data source configuration: " + ds.settingsErr.Error()})
		return
	}
	// A peer may echo the request's credentials into any text it sends.
	opts, err := route(r.Context(), r)
	if err != nil {
		writeJSON(w, resourceStatus(err), map[string]string{"error": ds.redactor.Redact(err.Error())})
		return
	}
	// The answer is a plain array for the editors' selects, so a cut is said in a header.
	left := maxAnswerBytes
	for i, o := range opts {
		o = option{Name: ds.redactor.Redact(o.Name), Status: ds.redactor.Redact(o.Status), Type: ds.redactor.Redact(o.Type)}
		if left -= len(o.Name) + len(o.Status) + len(o.Type) + len(`{"name":"","status":"","type":""},`); left < 0 {
			w.Header().Set(noticeHeader, fmt.Sprintf("the answer was cut at %d MiB: %d of %d kept", maxAnswerBytes>>20, i, len(opts)))
			opts = opts[:i]
			break
		}
		opts[i] = o
	}
	writeJSON(w, http.StatusOK, opts)
}

func resourceStatus(err error) int {
	if errors.Is(err, errBadResourceRequest) {
		return http.StatusBadRequest
	}
	if s := int(statusOf(err)); s != 0 {
		return s
	}
	return http.StatusBadGateway
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (ds *Datasource) meshOptions(ctx context.Context, _ *http.Request) ([]option, error) {
	meshes, err := ds.cp.Meshes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]option, 0, len(meshes))
	for _, m := range meshes {
		out = append(out, option{Name: m.DisplayName()})
	}
	return out, nil
}

func (ds *Datasource) zoneOptions(ctx context.Context, _ *http.Request) ([]option, error) {
	zones, err := inventory.FetchZones(ctx, ds.cp)
	if err != nil {
		return nil, err
	}
	out := make([]option, 0, len(zones))
	for _, z := range zones {
		out = append(out, option{Name: z.Name, Status: z.Status})
	}
	return out, nil
}

func (ds *Datasource) serviceOptions(ctx context.Context, r *http.Request) ([]option, error) {
	mesh := strings.TrimSpace(r.URL.Query().Get("mesh"))
	if mesh == "" || len(mesh) > 1024 {
		return nil, errors.Join(errBadResourceRequest, errors.New("services needs ?mesh=<mesh> (at most 1024 characters)"))
	}
	services, err := ds.serviceInventory(ctx, mesh)
	if err != nil {
		return nil, explainMeshError(mesh, err)
	}
	out := make([]option, 0, len(services))
	for _, s := range services {
		out = append(out, option{Name: s.Name, Status: s.Status, Type: s.Kind})
	}
	return out, nil
}
