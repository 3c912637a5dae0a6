package e2e_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

// lockedBuffer collects the plugin's logs, written from go-plugin's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// withIndex serves the CP index from the fixtures (so the health check gets past it) and
// every other request with h.
func withIndex(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	index := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			index.Config.Handler.ServeHTTP(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// statusServer answers every request but the CP index with status and body.
func statusServer(t *testing.T, status int, contentType, body string) string {
	t.Helper()
	return withIndex(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
}

// echoServer is a CP (its index from the fixtures) and Prometheus that puts every request
// header it got into its answers: for the CP a list whose item names are the headers
// (status 200) or an error document (any other status), for Prometheus an error.
func echoServer(t *testing.T, status int) string {
	t.Helper()
	return withIndex(t, func(w http.ResponseWriter, r *http.Request) {
		var headers []string
		for name, values := range r.Header {
			headers = append(headers, name+": "+strings.Join(values, ","))
		}
		echo, _ := json.Marshal(strings.Join(headers, "\n"))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v1/"):
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%s,"warnings":[%s]}`, echo, echo)
		case status == http.StatusOK:
			items := []string{}
			for _, h := range headers {
				name, _ := json.Marshal(h)
				items = append(items, `{"type":"Mesh","name":`+string(name)+`}`)
			}
			fmt.Fprintf(w, `{"total":%d,"items":[%s],"next":null}`, len(items), strings.Join(items, ","))
		default:
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"title":"Unauthorized","status":%d,"detail":%s}`, status, echo)
		}
	})
}

// TestSecretsNeverLeak configures every secret a data source can hold, provokes every
// kind of failure (401 and 403 from the CP, 401, 422 and an HTML 500 from Prometheus,
// refused connections, a TLS handshake the CP rejects, invalid settings, a password in
// the URL) through the real binary, and scans its logs and everything it answers for
// the secrets.
func TestSecretsNeverLeak(t *testing.T) {
	year := time.Now().Add(365 * 24 * time.Hour)
	ca := issue(t, "kuma-ca", nil, true, year, 0)
	otherCA := issue(t, "other-ca", nil, true, year, 0)
	server := issue(t, "kuma-cp", &ca, false, year, x509.ExtKeyUsageServerAuth)
	client := issue(t, "grafana", &ca, false, year, x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	tlsCP := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsCP.TLS = &tls.Config{Certificates: []tls.Certificate{server.tls(t)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	tlsCP.StartTLS()
	t.Cleanup(tlsCP.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	secrets := map[string]string{
		"cpToken":                "cp-token-d41d8cd98f00",
		"httpHeaderValue1":       "cp-header-6f1ed002ab55",
		"prometheusPassword":     "prom-password-9e107d9d372b",
		"prometheusToken":        "prom-token-e4d909c29024",
		"prometheusHeaderValue1": "prom-header-a87ff679a2f3",
		"tlsClientKey":           client.keyPEM,
		"tlsClientCert":          client.certPEM,
		"tlsCACert":              otherCA.certPEM, // the wrong CA: the TLS case fails
	}
	// The key's PEM body, line by line: any of its lines in the output is a leak.
	needles := map[string]string{"tlsClientKey header": "PRIVATE KEY"}
	for name, v := range secrets {
		if name == "tlsClientKey" {
			for i, line := range strings.Split(v, "\n") {
				if len(line) > 20 && !strings.HasPrefix(line, "-----") {
					needles["tlsClientKey line "+strconv.Itoa(i)] = line
				}
			}
		} else if name != "tlsClientCert" && name != "tlsCACert" {
			needles[name] = v
		}
	}
	const urlPassword = "url-password-8277e0910d75"
	needles["password in the URL"] = urlPassword
	// Basic auth travels base64-encoded; a peer echoing the header echoes that.
	needles["prometheusPassword as basic auth"] = base64.StdEncoding.EncodeToString([]byte("grafana:" + secrets["prometheusPassword"]))
	needles["password in the URL as basic auth"] = base64.StdEncoding.EncodeToString([]byte("admin:" + urlPassword))

	cp401 := statusServer(t, http.StatusUnauthorized, "application/json", `{"title":"Unauthorized","detail":"invalid token"}`)
	cp403 := statusServer(t, http.StatusForbidden, "application/json", `{"title":"Access Denied","detail":"user has no access"}`)
	prom401 := statusServer(t, http.StatusUnauthorized, "text/plain", "Unauthorized")
	prom422 := statusServer(t, http.StatusUnprocessableEntity, "application/json", `{"status":"error","errorType":"execution","error":"query failed"}`)
	prom500 := statusServer(t, http.StatusInternalServerError, "text/html", "<html><body>upstream failed</body></html>")

	settings := func(extra string) string {
		return `{"httpHeaderName1":"X-Kuma-Tenant","prometheusHeaderName1":"X-Scope-OrgID","tlsAuth":true,"tlsAuthWithCACert":true,"prometheusUser":"grafana"` + extra + `}`
	}
	cases := map[string]e2e.Instance{
		"401s, bearer":                         {URL: cp401, JSONData: settings(`,"prometheusUrl":"` + prom401 + `","prometheusAuth":"bearer"`)},
		"403 and 422, basic":                   {URL: cp403, JSONData: settings(`,"prometheusUrl":"` + prom422 + `","prometheusAuth":"basic"`)},
		"connections refused":                  {URL: closed.URL, JSONData: settings(`,"prometheusUrl":"` + closed.URL + `","prometheusAuth":"basic"`)},
		"TLS rejected, HTML 500":               {URL: tlsCP.URL, JSONData: settings(`,"prometheusUrl":"` + prom500 + `","prometheusAuth":"bearer"`)},
		"password in the URLs":                 {URL: strings.Replace(closed.URL, "http://", "http://admin:"+urlPassword+"@", 1), JSONData: settings(`,"prometheusUrl":"` + strings.Replace(prom401, "http://", "http://admin:"+urlPassword+"@", 1) + `"`)},
		"invalid settings":                     {URL: cp401, JSONData: settings(`,"prometheusUrl":"` + prom401 + `","prometheusAuth":"digest"`)},
		"a CP URL with a password and a query": {URL: strings.Replace(cp401, "http://", "http://admin:"+urlPassword+"@", 1) + "/?x=1", JSONData: settings("")},
		"not a URL with a password":            {URL: "ftp://admin:" + urlPassword + "@cp:5681", JSONData: settings("")},
		"passwords with #, ? and /":            {URL: strings.Replace(cp401, "http://", "http://admin:"+urlPassword+"#x@", 1), JSONData: settings(`,"prometheusUrl":"` + strings.Replace(prom401, "http://", "http://admin:"+urlPassword+"/x?y@", 1) + `"`)},
		"not a Prometheus URL with a password": {URL: cp401, JSONData: settings(`,"prometheusUrl":"ftp://admin:` + urlPassword + `@prom"`)},
		// Peers that echo the request's headers into their answers.
		"echoed in errors, bearer":     {URL: echoServer(t, http.StatusUnauthorized), JSONData: settings(`,"prometheusUrl":"` + echoServer(t, http.StatusBadRequest) + `","prometheusAuth":"bearer"`)},
		"echoed in errors, basic":      {URL: echoServer(t, http.StatusForbidden), JSONData: settings(`,"prometheusUrl":"` + echoServer(t, http.StatusBadRequest) + `","prometheusAuth":"basic"`)},
		"echoed as mesh names":         {URL: echoServer(t, http.StatusOK), JSONData: settings(`,"prometheusUrl":"` + echoServer(t, http.StatusUnauthorized) + `","prometheusAuth":"basic"`)},
		"echoed, password in the URLs": {URL: echoServer(t, http.StatusOK), JSONData: settings(`,"prometheusUrl":"` + strings.Replace(echoServer(t, http.StatusBadRequest), "http://", "http://admin:"+urlPassword+"@", 1) + `"`)},
	}

	logs := &lockedBuffer{}
	p := e2e.Start(t, logs)
	var answers strings.Builder
	for name, inst := range cases {
		inst.Secure = secrets
		health, err := p.CheckHealth(ctx(t), inst)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: health %q", name, health.Message)
		answers.WriteString(health.Message + "\n")
		resp, err := p.QueryData(ctx(t), inst,
			recordedRange(e2e.Query{RefID: "map", JSON: `{"queryType":"mesh-graph","mesh":"default"}`}),
			e2e.Query{RefID: "services", JSON: `{"queryType":"services","mesh":"default"}`},
			e2e.Query{RefID: "meshes", JSON: `{"queryType":"meshes"}`},
		)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		js, err := json.Marshal(resp)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		answers.Write(js)
		for _, path := range []string{"meshes", "zones", "services?mesh=default"} {
			res, err := p.CallResource(ctx(t), inst, "GET", path)
			if err != nil {
				t.Fatalf("%s: %s: %v", name, path, err)
			}
			answers.Write(res.Body)
		}
	}
	if !strings.Contains(answers.String(), "token") || !strings.Contains(answers.String(), "TLS") ||
		!strings.Contains(answers.String(), "Authorization: Bearer ") || !strings.Contains(answers.String(), "X-Scope-Orgid: ") {
		t.Fatalf("the failures were not provoked: %s", answers.String())
	}
	for what, text := range map[string]string{"logs": logs.String(), "answers": answers.String()} {
		for name, needle := range needles {
			if strings.Contains(text, needle) {
				// Show where, so the leaking message can be found.
				at := strings.Index(text, needle)
				t.Errorf("the plugin's %s contain the %s: …%s…", what, name, text[max(0, at-200):at])
			}
		}
	}
}
