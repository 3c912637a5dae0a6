package kumatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/apiserver"
)

// Server is a fake CP answering from recorded responses. It behaves like the real
// one where the plugin can tell: lists page with size/offset and an absolute next link
// built from the request's Host header, unknown paths get the router's plain-text
// "404: Page Not Found".
type Server struct {
	*httptest.Server
	fixtures map[string]fixture
	cfg      config
	meshes   map[string]bool // names of the recorded meshes
	routes   map[string]bool // mesh-scoped routes recorded for some mesh, e.g. "meshservices"

	mu       sync.Mutex
	requests []string
}

type config struct {
	cp, overlay string
	delay       time.Duration
	responses   map[string]fixture                      // by path
	next        map[string]func(r *http.Request) string // by path
}

// Option changes how the fake CP answers.
type Option func(*config)

// WithCP picks the recorded CP: "global" (the default), "zone" or "zone-2".
func WithCP(cp string) Option { return func(c *config) { c.cp = cp } }

// WithOverlay layers a scenario folder of the CP over its main set, e.g.
// "zone-2-stopped" for the global CP after zone-2 went away.
func WithOverlay(name string) Option { return func(c *config) { c.overlay = name } }

// WithDelay delays every answer (until the request is canceled), to test timeouts.
func WithDelay(d time.Duration) Option { return func(c *config) { c.delay = d } }

// WithResponse answers every request for path (any query) with this status,
// content type and body instead of the recording.
func WithResponse(path string, status int, contentType, body string) Option {
	return func(c *config) {
		c.responses[path] = fixture{file: "WithResponse", status: status, contentType: contentType, body: []byte(body)}
	}
}

// WithNext sets the next link of every list answer for path to next(request), even on
// the last page: a hostile or looping next link.
func WithNext(path string, next func(r *http.Request) string) Option {
	return func(c *config) { c.next[path] = next }
}

// NewServer starts a fake CP serving the fixture set in dir (for example
// FixtureDir(V2_14)). It is closed when the test ends.
func NewServer(t testing.TB, dir string, opts ...Option) *Server {
	t.Helper()
	cfg := config{cp: "global", responses: map[string]fixture{}, next: map[string]func(*http.Request) string{}}
	for _, o := range opts {
		o(&cfg)
	}
	fixtures, err := loadFixtures(dir, cfg.cp, cfg.overlay)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{fixtures: fixtures, cfg: cfg, meshes: map[string]bool{}, routes: map[string]bool{}}
	if err := s.indexMeshes(); err != nil {
		t.Fatal(err)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Requests returns the request URIs served so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	s.mu.Unlock()
	if s.cfg.delay > 0 {
		select {
		case <-time.After(s.cfg.delay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodGet {
		writeText(w, http.StatusMethodNotAllowed, "405: Method Not Allowed")
		return
	}
	if f, ok := s.cfg.responses[r.URL.Path]; ok {
		write(w, f.status, f.contentType, f.body)
		return
	}
	q := r.URL.Query()
	if f, ok := s.fixtures[queryKey(r.URL.Path, q)]; ok {
		s.writeRecorded(w, r, f)
		return
	}
	if q.Has("size") || q.Has("offset") {
		s.servePage(w, r, q)
		return
	}
	s.serveMissing(w, r)
}

// serveMissing answers a request nothing was recorded for. Under an unknown mesh the
// CP answers its JSON 404 "Failed to retrieve Mesh" for any route it has; everything
// else is the router's plain-text 404.
func (s *Server) serveMissing(w http.ResponseWriter, r *http.Request) {
	mesh, route, ok := meshRoute(r.URL.Path)
	if !ok || s.meshes[mesh] || !s.routes[route] {
		apiserver.NotFound(w, r)
		return
	}
	apiserver.WriteJSON(w, http.StatusNotFound, &kuma.ErrorBody{Type: "/std-errors", Status: http.StatusNotFound,
		Title: "Failed to retrieve Mesh", Detail: "Not found", Details: "Not found"})
}

// writeRecorded serves a recording byte for byte, except that a list's next link is
// moved to this server's host, as the real CP builds it from the Host header.
func (s *Server) writeRecorded(w http.ResponseWriter, r *http.Request, f fixture) {
	list, ok := decodeList(f)
	_, override := s.cfg.next[r.URL.Path]
	if !ok || (list.Next == nil && !override) {
		write(w, f.status, f.contentType, f.body) // byte for byte
		return
	}
	if list.Next != nil {
		u, err := url.Parse(*list.Next)
		if err != nil {
			http.Error(w, "kumatest: bad recorded next link: "+err.Error(), http.StatusInternalServerError)
			return
		}
		list.Next = ptr(apiserver.NextLink(r, u.Query()))
	}
	s.writeList(w, r, f, list)
}

// servePage pages over the recorded answer to the same request without size and
// offset, with the CP's rules: size 1..1000 (default 100), offset a numeric index,
// total = all items, next = same query with the next offset, null on the last page.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, q url.Values) {
	title := apiserver.TitleRetrieve
	if strings.HasSuffix(r.URL.Path, "/service-insights") {
		title = apiserver.TitlePaginate
	}
	page, bad := apiserver.ParsePage(q, title)
	size, offset := page.Size, page.Offset
	if bad != nil {
		apiserver.WriteJSON(w, http.StatusBadRequest, bad)
		return
	}
	base := url.Values{}
	for k, v := range q {
		if k != "size" && k != "offset" {
			base[k] = v
		}
	}
	gateway := base.Get("gateway")
	f, ok := s.fixtures[queryKey(r.URL.Path, base)]
	if !ok && (gateway == "true" || gateway == "false") {
		// Not recorded with this filter: filter the recorded full list as the CP would.
		base.Del("gateway")
		f, ok = s.fixtures[queryKey(r.URL.Path, base)]
	} else {
		gateway = ""
	}
	if !ok {
		s.serveMissing(w, r)
		return
	}
	list, ok := decodeList(f)
	if !ok { // an error answer (unknown mesh, removed endpoint) does not depend on paging
		write(w, f.status, f.contentType, f.body)
		return
	}
	items := list.Items
	if gateway != "" {
		items = filterGateways(items, gateway == "true")
	}
	list.Items = items[min(offset, len(items)):min(offset+size, len(items))]
	list.Total = len(items)
	list.Next = nil
	if offset+size < len(items) {
		q.Set("offset", strconv.Itoa(offset+size))
		q.Set("size", strconv.Itoa(size))
		list.Next = ptr(apiserver.NextLink(r, q))
	}
	s.writeList(w, r, f, list)
}

func (s *Server) writeList(w http.ResponseWriter, r *http.Request, f fixture, list kuma.List[json.RawMessage]) {
	if next, ok := s.cfg.next[r.URL.Path]; ok {
		list.Next = ptr(next(r))
	}
	body, err := json.Marshal(list)
	if err != nil {
		http.Error(w, "kumatest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	write(w, f.status, f.contentType, body)
}

// decodeList reports whether f is a successful list answer, and decodes it.
func decodeList(f fixture) (kuma.List[json.RawMessage], bool) {
	var list kuma.List[json.RawMessage]
	if f.status != http.StatusOK {
		return list, false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(f.body, &probe) != nil || probe["items"] == nil {
		return list, false
	}
	return list, json.Unmarshal(f.body, &list) == nil
}

// nextLink is what the CP puts in next: scheme and Host of the request, the same
// path and the query re-encoded in sorted order.
func ptr[T any](v T) *T { return &v }

// indexMeshes learns the recorded meshes (from GET /meshes) and the mesh-scoped
// routes, to answer for unknown meshes like the CP.
func (s *Server) indexMeshes() error {
	f, ok := s.fixtures["/meshes"]
	if !ok {
		return errors.New("kumatest: no recording of GET /meshes")
	}
	var meshes kuma.List[kuma.Meta]
	if err := json.Unmarshal(f.body, &meshes); err != nil {
		return fmt.Errorf("kumatest: %s: %w", f.file, err)
	}
	for _, m := range meshes.Items {
		s.meshes[m.Name] = true
	}
	for key, f := range s.fixtures {
		p, _, _ := strings.Cut(key, "?")
		if mesh, route, ok := meshRoute(p); ok && s.meshes[mesh] && f.status == http.StatusOK {
			s.routes[route] = true
		}
	}
	return nil
}

// meshRoute splits /meshes/{mesh}/{route...} into the mesh and the route's first segment.
func meshRoute(p string) (mesh, route string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/meshes/")
	if !ok {
		return "", "", false
	}
	mesh, rest, ok = strings.Cut(rest, "/")
	route, _, _ = strings.Cut(rest, "/")
	return mesh, route, ok && mesh != "" && route != ""
}

// filterGateways keeps the dataplane overviews that are (or are not) gateway proxies: the
// CP's ?gateway=true|false.
func filterGateways(items []json.RawMessage, gateways bool) []json.RawMessage {
	var kept []json.RawMessage
	for _, raw := range items {
		var o kuma.DataplaneOverview
		if json.Unmarshal(raw, &o) == nil && (o.Dataplane.Networking.Gateway != nil) == gateways {
			kept = append(kept, raw)
		}
	}
	return kept
}
