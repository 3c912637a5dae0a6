package meshsim

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/apiserver"
)

// cpAPI routes the fake CP. Anything not routed, and what Kuma 3.0 removed, is the
// CP's plain-text 404.
func (s *Sim) cpAPI() http.Handler {
	mux := http.NewServeMux()
	one := func(pattern string, get func(*http.Request) any) {
		mux.HandleFunc("GET "+pattern, func(w http.ResponseWriter, r *http.Request) { apiserver.WriteJSON(w, http.StatusOK, get(r)) })
	}
	one("/{$}", func(*http.Request) any { return s.index() })
	one("/config", func(*http.Request) any { return s.config() })
	mux.HandleFunc("GET /meshes", func(w http.ResponseWriter, r *http.Request) {
		writePage(w, r, s.meshResources(), apiserver.TitleRetrieve)
	})
	mux.HandleFunc("GET /meshes/{mesh}", func(w http.ResponseWriter, r *http.Request) {
		for _, m := range s.meshResources() {
			if m.Name == r.PathValue("mesh") {
				apiserver.WriteJSON(w, http.StatusOK, m)
				return
			}
		}
		writeError(w, errNotFound)
	})
	mux.HandleFunc("GET /mesh-insights", func(w http.ResponseWriter, r *http.Request) {
		var items []kuma.MeshInsight
		for _, m := range s.model.Topology.Meshes {
			items = append(items, s.meshInsight(m.Name))
		}
		writePage(w, r, items, apiserver.TitleRetrieve)
	})
	mux.HandleFunc("GET /mesh-insights/{mesh}", func(w http.ResponseWriter, r *http.Request) {
		if !s.hasMesh(r.PathValue("mesh")) {
			writeError(w, errNotFound)
			return
		}
		apiserver.WriteJSON(w, http.StatusOK, s.meshInsight(r.PathValue("mesh")))
	})
	zones := func(w http.ResponseWriter, r *http.Request) {
		writePage(w, r, s.zoneOverviews(), apiserver.TitleRetrieve)
	}
	mux.HandleFunc("GET /zones+insights", zones)
	mux.HandleFunc("GET /zones/_overview", zones)
	zone := func(w http.ResponseWriter, r *http.Request) {
		for _, z := range s.zoneOverviews() {
			if z.Name == r.PathValue("zone") {
				apiserver.WriteJSON(w, http.StatusOK, z)
				return
			}
		}
		writeError(w, errNotFound)
	}
	mux.HandleFunc("GET /zones+insights/{zone}", zone)
	mux.HandleFunc("GET /zones/{zone}/_overview", zone)

	mux.HandleFunc("GET /meshes/{mesh}/service-insights", s.inMesh(s.listServiceInsights))
	mux.HandleFunc("GET /meshes/{mesh}/service-insights/{service}", s.inMesh(s.getServiceInsight))
	for _, p := range []string{"/meshes/{mesh}/dataplanes+insights", "/meshes/{mesh}/dataplanes/_overview"} {
		mux.HandleFunc("GET "+p, s.inMesh(s.listDataplanes(p)))
	}
	mux.HandleFunc("GET /meshes/{mesh}/dataplanes+insights/{name}", s.inMesh(s.getDataplane))
	mux.HandleFunc("GET /meshes/{mesh}/dataplanes/{name}/_overview", s.inMesh(s.getDataplane))

	handleMeshList(mux, s, "meshservices", s.meshServices, func(v kuma.MeshService) kuma.Meta { return v.Meta })
	handleMeshList(mux, s, "meshmultizoneservices", s.meshMultiZoneServices, func(v kuma.MeshMultiZoneService) kuma.Meta { return v.Meta })
	handleMeshList(mux, s, "meshexternalservices", s.meshExternalServices, func(v kuma.MeshExternalService) kuma.Meta { return v.Meta })
	handleMeshList(mux, s, "workloads", s.workloads, func(v kuma.Workload) kuma.Meta { return v.Meta })
	if s.opts.KumaVersion == 2 {
		handleMeshList(mux, s, "meshgateways", s.meshGateways, func(v kuma.MeshGateway) kuma.Meta { return v.Meta })
		handleMeshList(mux, s, "external-services", s.externalServices, func(v kuma.ExternalService) kuma.Meta { return v.Meta })
	}
	mux.HandleFunc("/", apiserver.NotFound)
	return mux
}

// handleMeshList routes a store-backed list of a mesh with its name and label filters.
func handleMeshList[T any](mux *http.ServeMux, s *Sim, path string, items func(mesh string) []T, meta func(T) kuma.Meta) {
	route := "/meshes/{mesh}/" + path
	mux.HandleFunc("GET "+route, s.inMesh(func(w http.ResponseWriter, r *http.Request) {
		labels, lerr := parseLabelFilter(r.URL.Query(), route)
		if lerr != nil {
			writeError(w, *lerr)
			return
		}
		var out []T
		for _, it := range items(r.PathValue("mesh")) {
			if m := meta(it); strings.Contains(m.Name, r.URL.Query().Get("name")) && labelsMatch(m.Labels, labels) {
				out = append(out, it)
			}
		}
		writePage(w, r, out, apiserver.TitleRetrieve)
	}))
}

// inMesh answers 404 for an unknown mesh before the handler runs.
func (s *Sim) inMesh(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.hasMesh(r.PathValue("mesh")) {
			writeError(w, errMeshNotFound)
			return
		}
		h(w, r)
	}
}

// serviceTypes are the valid ?type= values; 3.0 dropped gateway_builtin.
func (s *Sim) serviceTypes() []string {
	if s.opts.KumaVersion == 3 {
		return []string{kuma.ServiceTypeInternal, kuma.ServiceTypeExternal, kuma.ServiceTypeGatewayDelegated}
	}
	return []string{kuma.ServiceTypeInternal, kuma.ServiceTypeExternal, kuma.ServiceTypeGatewayBuiltin, kuma.ServiceTypeGatewayDelegated}
}

func (s *Sim) listServiceInsights(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var types []string
	if t := q.Get("type"); t != "" {
		types = strings.Split(t, ",")
		for _, typ := range types {
			if !slices.Contains(s.serviceTypes(), typ) {
				writeError(w, apiserver.Error(http.StatusBadRequest, "Bad Request", "bad request: unsupported service type", "", ""))
				return
			}
		}
	}
	var items []kuma.ServiceInsight
	for _, si := range s.serviceInsights(r.PathValue("mesh")) {
		if strings.Contains(si.Name, q.Get("name")) && (types == nil || slices.Contains(types, si.Type())) {
			items = append(items, si)
		}
	}
	writePage(w, r, items, apiserver.TitlePaginate)
}

// getServiceInsight: 2.14's global CP answers an unknown service with empty stats;
// 3.0 answers 404 for every service.
func (s *Sim) getServiceInsight(w http.ResponseWriter, r *http.Request) {
	if s.opts.KumaVersion == 3 {
		writeError(w, errNotFound)
		return
	}
	mesh, name := r.PathValue("mesh"), r.PathValue("service")
	for _, si := range s.serviceInsights(mesh) {
		if si.Name == name {
			apiserver.WriteJSON(w, http.StatusOK, si)
			return
		}
	}
	apiserver.WriteJSON(w, http.StatusOK, kuma.ServiceInsight{Meta: s.meta("ServiceInsight", mesh, name, nil, ""),
		Dataplanes: &kuma.ServiceDataplanes{}, AddressPort: name + ".mesh:80"})
}

func (s *Sim) listDataplanes(route string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, ferr := s.parseDataplaneFilter(r.URL.Query(), route)
		if ferr != nil {
			writeError(w, *ferr)
			return
		}
		var items []kuma.DataplaneOverview
		for _, d := range s.sortedDataplanes(r.PathValue("mesh")) {
			if o := s.dataplaneOverview(d); f.match(o, d.Kind) {
				items = append(items, o)
			}
		}
		writePage(w, r, items, apiserver.TitleRetrieve)
	}
}

// getDataplane answers one overview; a proxy that never connected shows "dataplaneInsight": {}.
func (s *Sim) getDataplane(w http.ResponseWriter, r *http.Request) {
	for _, d := range s.sortedDataplanes(r.PathValue("mesh")) {
		if o := s.dataplaneOverview(d); o.Name == r.PathValue("name") {
			if o.DataplaneInsight == nil {
				o.DataplaneInsight = &kuma.DataplaneInsight{}
			}
			apiserver.WriteJSON(w, http.StatusOK, o)
			return
		}
	}
	writeError(w, errNotFound)
}

// sortedDataplanes lists a mesh's proxies by global name, the store's order.
func (s *Sim) sortedDataplanes(mesh string) []*Dataplane {
	var out []*Dataplane
	for _, d := range s.model.Dataplanes {
		if d.Mesh.Name == mesh {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *Dataplane) int { return strings.Compare(a.GlobalName(), b.GlobalName()) })
	return out
}
