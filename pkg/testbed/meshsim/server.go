package meshsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Handler serves the fake CP API and, under /sim/, the simulator's own endpoints:
// scrape targets (/sim/sd, Prometheus HTTP service discovery) and their metrics.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathSD, s.serveSD)
	mux.HandleFunc("GET /sim/metrics/", s.serveMetrics)
	mux.Handle("/", s.cpAPI())
	return mux
}

// sdGroup is one entry of Prometheus' HTTP service discovery format.
type sdGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

// serveSD lists every target on the simulator's own address (taken from the request,
// so it works behind any listener); labels carry the path, job and scrape labels.
func (s *Sim) serveSD(w http.ResponseWriter, r *http.Request) {
	groups := []sdGroup{}
	for _, t := range s.Targets() {
		labels := map[string]string{"__metrics_path__": t.Path, "job": t.Job}
		for _, l := range t.Labels {
			labels[l.Name] = l.Value
		}
		groups = append(groups, sdGroup{Targets: []string{r.Host}, Labels: labels})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(groups)
}

func (s *Sim) serveMetrics(w http.ResponseWriter, r *http.Request) {
	for _, t := range s.Targets() {
		if t.Path == r.URL.EscapedPath() || t.Path == r.URL.Path {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
			WriteText(w, t.Families(s.opts.Now()).List())
			return
		}
	}
	http.NotFound(w, r)
}

// ScrapeConfig returns a prometheus.yml that scrapes everything the simulator at
// hostPort (for example 127.0.0.1:5681) serves, every interval.
func ScrapeConfig(hostPort, interval string) string {
	return strings.TrimLeft(fmt.Sprintf(`
global:
  scrape_interval: %[2]s
  evaluation_interval: %[2]s
scrape_configs:
  - job_name: meshsim
    http_sd_configs:
      - url: http://%[1]s%[3]s
        refresh_interval: 30s
`, hostPort, interval, PathSD), "\n")
}
