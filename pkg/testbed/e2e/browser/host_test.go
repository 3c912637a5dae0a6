package browser_test

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

const (
	pluginID = "kumahq-kuma-datasource"
	dsUID    = "kuma"
)

// host answers the stand-in page (tests/browser/page.tsx) like Grafana's HTTP API does, with the real
// backend behind it: the page, the built plugin under public/plugins/<id>/, the data source's settings
// (GET and PUT, secrets kept server-side as Grafana keeps them), its health, its resources and /api/ds/query.
type host struct {
	t      testing.TB
	plugin *e2e.Plugin
	dist   string // dist/ with module.js and plugin.json
	page   string // the esbuild bundle of page.tsx
	// uiIcons is @grafana/ui's icon directory in node_modules.
	uiIcons string

	mu       sync.Mutex
	instance e2e.Instance
	jsonData map[string]any
	version  int
	// unexpected lists requests Grafana would not have answered; the test fails on any.
	unexpected []string
}

func newHost(t testing.TB, plugin *e2e.Plugin, root, dist, page string) *host {
	return &host{t: t, plugin: plugin, dist: dist, page: page,
		uiIcons:  filepath.Join(root, "node_modules", "@grafana", "ui", "dist", "public", "img", "icons"),
		instance: e2e.Instance{UID: dsUID}, jsonData: map[string]any{}}
}

// Grafana's index.html sets the boot data and the public path before any script runs; @grafana/runtime reads
// them when it is first imported.
var indexHTML = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<base href="/">
<link rel="icon" href="data:,">
<title>Kuma data source — stand-in page</title>
<script>
window.__grafana_public_path__ = '/public/';
window.grafanaBootData = {
  user: {id: 1, login: 'admin', orgId: 1, orgRole: 'Admin', isSignedIn: true, isGrafanaAdmin: true,
         theme: 'dark', lightTheme: false, timezone: 'utc', weekStart: 'monday', locale: 'en-US', language: 'en-US',
         permissions: {}},
  settings: {appSubUrl: '', appUrl: 'http://127.0.0.1/', defaultDatasource: 'Kuma', datasources: {}, panels: {},
             buildInfo: {version: '13.0.0', commit: 'stand-in', env: 'development', edition: 'Open Source'},
             featureToggles: {}, bootData: {}},
  navTree: [],
  assets: {},
};
</script>
</head>
<body>
<div id="root"></div>
<script src="/public/build/page.js"></script>
</body>
</html>
`))

const spinnerSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="14 42"/></svg>`

func (h *host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := "/api/datasources/uid/" + dsUID
	switch p := r.URL.Path; {
	case p == "/" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = indexHTML.Execute(w, nil)
	case p == "/public/build/page.js":
		http.ServeFile(w, r, h.page)
	case p == "/public/build/img/icons/unicons/spinner.svg":
		// Grafana ships this one icon in its own public/img, not in @grafana/ui.
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = io.WriteString(w, spinnerSVG)
	case strings.HasPrefix(p, "/public/build/img/icons/"):
		// Grafana serves @grafana/ui's icons from its build; the project has the same files.
		http.ServeFile(w, r, filepath.Join(h.uiIcons, strings.TrimPrefix(p, "/public/build/img/icons/")))
	case strings.HasPrefix(p, "/public/fonts/"):
		// Grafana's Inter and Roboto are not on npm; the Debian DejaVu font (fonts-dejavu-core) stands in,
		// so that @grafana/ui's @font-face rules load something and text has a stable shape.
		font := "DejaVuSans.ttf"
		if strings.Contains(p, "Medium") || strings.Contains(p, "Bold") {
			font = "DejaVuSans-Bold.ttf"
		}
		w.Header().Set("Content-Type", "font/ttf")
		http.ServeFile(w, r, filepath.Join("/usr/share/fonts/truetype/dejavu", font))
	case strings.HasPrefix(p, "/public/plugins/"+pluginID+"/"):
		http.ServeFile(w, r, filepath.Join(h.distDir(), strings.TrimPrefix(p, "/public/plugins/"+pluginID+"/")))
	case p == "/api/plugins/"+pluginID+"/settings":
		h.pluginSettings(w)
	case p == base && r.Method == http.MethodGet:
		h.writeJSON(w, http.StatusOK, h.settings())
	case p == base && r.Method == http.MethodPut:
		h.save(w, r)
	case p == base+"/health":
		h.health(w, r)
	case strings.HasPrefix(p, base+"/resources/"):
		h.resource(w, r, strings.TrimPrefix(p, base+"/resources/"))
	case p == "/api/ds/query" && r.Method == http.MethodPost:
		h.query(w, r)
	default:
		h.mu.Lock()
		h.unexpected = append(h.unexpected, r.Method+" "+r.URL.String())
		h.mu.Unlock()
		http.NotFound(w, r)
	}
}

func (h *host) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		h.t.Errorf("encode answer: %v", err)
	}
}

// pluginSettings is the plugin's meta as Grafana serves it: plugin.json plus where its files are.
func (h *host) pluginSettings(w http.ResponseWriter) {
	raw, err := os.ReadFile(filepath.Join(h.distDir(), "plugin.json"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	meta := map[string]any{}
	if err := json.Unmarshal(raw, &meta); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	meta["enabled"] = true
	meta["baseUrl"] = "public/plugins/" + pluginID
	meta["module"] = "public/plugins/" + pluginID + "/module.js"
	meta["jsonData"] = map[string]any{}
	h.writeJSON(w, http.StatusOK, meta)
}

// settings is the data source as GET /api/datasources/uid/<uid> returns it: secrets only as secureJsonFields.
func (h *host) settings() map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	fields := map[string]bool{}
	for k := range h.instance.Secure {
		fields[k] = true
	}
	return map[string]any{
		"id": 1, "uid": dsUID, "orgId": 1, "name": "Kuma", "type": pluginID, "typeName": "Kuma",
		"access": "proxy", "url": h.instance.URL, "basicAuth": false, "isDefault": true,
		"jsonData": h.jsonData, "secureJsonFields": fields, "readOnly": false, "version": h.version,
	}
}

// save stores what the config editor sends, as Grafana's PUT does: a secret sent replaces the stored one,
// an empty one deletes it, one not sent is kept.
func (h *host) save(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL            string            `json:"url"`
		JSONData       map[string]any    `json:"jsonData"`
		SecureJSONData map[string]string `json:"secureJsonData"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		h.writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	jsonData, err := json.Marshal(in.JSONData)
	if err != nil {
		h.writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	h.mu.Lock()
	secure := map[string]string{}
	for k, v := range h.instance.Secure {
		secure[k] = v
	}
	for k, v := range in.SecureJSONData {
		if v == "" {
			delete(secure, k)
		} else {
			secure[k] = v
		}
	}
	h.instance = e2e.Instance{UID: dsUID, URL: in.URL, JSONData: string(jsonData), Secure: secure}
	h.jsonData = in.JSONData
	if h.jsonData == nil {
		h.jsonData = map[string]any{}
	}
	h.version++
	h.mu.Unlock()
	h.writeJSON(w, http.StatusOK, map[string]any{"datasource": h.settings(), "id": 1, "message": "Datasource updated", "name": "Kuma"})
}

// reset forgets the saved settings: each run of the driver starts from a new data source.
func (h *host) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.instance = e2e.Instance{UID: dsUID}
	h.jsonData = map[string]any{}
	h.version++
}

// setDist points the host at another build of the front end (the broken bundles).
func (h *host) setDist(dist string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dist = dist
}

func (h *host) distDir() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dist
}

func (h *host) current() e2e.Instance {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.instance
}

// health answers like Grafana: 200 with the result when OK, 400 when the check reports an error.
func (h *host) health(w http.ResponseWriter, r *http.Request) {
	res, err := h.plugin.CheckHealth(r.Context(), h.current())
	if err != nil {
		h.writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Plugin health check failed"})
		return
	}
	body := map[string]any{"status": res.Status.String(), "message": res.Message}
	if len(res.JSONDetails) > 0 {
		body["details"] = json.RawMessage(res.JSONDetails)
	}
	status := http.StatusOK
	if res.Status != backend.HealthStatusOk {
		status = http.StatusBadRequest
	}
	h.writeJSON(w, status, body)
}

func (h *host) resource(w http.ResponseWriter, r *http.Request, path string) {
	target := path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	res, err := h.plugin.CallResource(r.Context(), h.current(), r.Method, target)
	if err != nil {
		h.writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.Status)
	_, _ = w.Write(res.Body)
}

// query turns Grafana's /api/ds/query body into one QueryData call: each query's JSON whole, its
// queryType copied, the range from the body's from/to (epoch ms as strings).
func (h *host) query(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Queries []json.RawMessage `json:"queries"`
		From    string            `json:"from"`
		To      string            `json:"to"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		h.writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	from, errFrom := strconv.ParseInt(in.From, 10, 64)
	to, errTo := strconv.ParseInt(in.To, 10, 64)
	if errFrom != nil || errTo != nil {
		h.writeJSON(w, http.StatusBadRequest, map[string]string{"message": fmt.Sprintf("bad range %q..%q", in.From, in.To)})
		return
	}
	var queries []e2e.Query
	for _, raw := range in.Queries {
		var q struct {
			RefID string `json:"refId"`
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			h.writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		queries = append(queries, e2e.Query{RefID: q.RefID, JSON: string(raw), From: from, To: to})
	}
	res, err := h.plugin.QueryData(r.Context(), h.current(), queries...)
	if err != nil {
		h.writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
		return
	}
	// Grafana answers 207 when a query of the request failed.
	status := http.StatusOK
	for _, dr := range res.Responses {
		if dr.Error != nil {
			status = http.StatusMultiStatus
		}
	}
	h.writeJSON(w, status, res)
}

func (h *host) unexpectedRequests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.unexpected...)
}
