package meshsim

import (
	"net/http"
	"strconv"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/apiserver"
)

func writeError(w http.ResponseWriter, e kuma.ErrorBody) { apiserver.WriteJSON(w, e.Status, e) }

var (
	errNotFound     = apiserver.Error(http.StatusNotFound, "Could not retrieve a resource", "Not found", "", "")
	errMeshNotFound = apiserver.Error(http.StatusNotFound, "Failed to retrieve Mesh", "Not found", "", "")
)

// writePage answers a list request with one page of items and an absolute next URL.
func writePage[T any](w http.ResponseWriter, r *http.Request, items []T, offsetTitle string) {
	p, perr := apiserver.ParsePage(r.URL.Query(), offsetTitle)
	if perr != nil {
		writeError(w, *perr)
		return
	}
	list := kuma.List[T]{Total: len(items)}
	if p.Offset < len(items) {
		list.Items = items[p.Offset:min(len(items), p.Offset+p.Size)]
	}
	if p.Offset+p.Size < len(items) {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(p.Offset+p.Size))
		q.Set("size", strconv.Itoa(p.Size))
		next := apiserver.NextLink(r, q)
		list.Next = &next
	}
	apiserver.WriteJSON(w, http.StatusOK, list)
}
