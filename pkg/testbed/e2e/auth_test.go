package e2e_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma/kumatest"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/e2e"
)

// TestCPMutualTLS serves the recorded CP over TLS that requires a client certificate and
// checks what the health check tells an operator for each way the setup can be wrong.
func TestCPMutualTLS(t *testing.T) {
	year := time.Now().Add(365 * 24 * time.Hour)
	ca := issue(t, "kuma-ca", nil, true, year, 0)
	otherCA := issue(t, "other-ca", nil, true, year, 0)
	server := issue(t, "kuma-cp", &ca, false, year, x509.ExtKeyUsageServerAuth)
	expired := issue(t, "kuma-cp-expired", &ca, false, time.Now().Add(-time.Hour), x509.ExtKeyUsageServerAuth)
	client := issue(t, "grafana", &ca, false, year, x509.ExtKeyUsageClientAuth)

	fake := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	start := func(cert keyPair) string {
		srv := httptest.NewUnstartedServer(fake.Config.Handler)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.tls(t)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	good, stale := start(server), start(expired)
	mtls := func(url, caPEM string, withClient bool) e2e.Instance {
		secure := map[string]string{"tlsCACert": caPEM}
		if withClient {
			secure["tlsClientCert"], secure["tlsClientKey"] = client.certPEM, client.keyPEM
		}
		return e2e.Instance{URL: url, JSONData: `{"tlsAuth":true,"tlsAuthWithCACert":true}`, Secure: secure}
	}

	var logs bytes.Buffer
	p := e2e.Start(t, &logs)
	tests := []struct {
		name   string
		inst   e2e.Instance
		status backend.HealthStatus
		text   string
	}{
		{"client certificate and CA", mtls(good, ca.certPEM, true), backend.HealthStatusOk, "2.14.3"},
		{"wrong CA", mtls(good, otherCA.certPEM, true), backend.HealthStatusError, "unknown authority"},
		{"expired server certificate", mtls(stale, ca.certPEM, true), backend.HealthStatusError, "expired"},
		{"no client certificate", mtls(good, ca.certPEM, false), backend.HealthStatusError, "client certificate"},
		{"plain http to a TLS port", e2e.Instance{URL: strings.Replace(good, "https://", "http://", 1)}, backend.HealthStatusError, "Control plane"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := p.CheckHealth(ctx(t), tt.inst)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("health: %s", res.Message)
			if res.Status != tt.status || !strings.Contains(res.Message, tt.text) {
				t.Errorf("health %v %q; want %v mentioning %q", res.Status, res.Message, tt.status, tt.text)
			}
		})
	}
	if strings.Contains(logs.String(), "PRIVATE KEY") {
		t.Error("plugin logs contain the client key")
	}
}

// TestCPBearerToken puts the recorded CP behind token authentication as a remote CP has it:
// the index is open, everything else needs the right token.
func TestCPBearerToken(t *testing.T) {
	fake := kumatest.NewServer(t, kumatest.FixtureDir(kumatest.V2_14))
	unauthorized, err := os.ReadFile(filepath.Join(kumatest.FixtureDir(kumatest.V2_14), "global", "auth", "GET_meshes_invalid-bearer-xff_401.json"))
	if err != nil {
		t.Fatal(err)
	}
	const token = "the-right-token"
	cp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write(unauthorized)
			return
		}
		fake.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(cp.Close)

	var logs bytes.Buffer
	p := e2e.Start(t, &logs)
	tests := []struct {
		name   string
		secure map[string]string
		status backend.HealthStatus
		text   string
	}{
		{"right token", map[string]string{"cpToken": token}, backend.HealthStatusOk, "global mode"},
		{"missing token", nil, backend.HealthStatusError, "token"},
		{"wrong token", map[string]string{"cpToken": "a-wrong-token"}, backend.HealthStatusError, "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := e2e.Instance{URL: cp.URL, Secure: tt.secure}
			res, err := p.CheckHealth(ctx(t), inst)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("health: %s", res.Message)
			if res.Status != tt.status || !strings.Contains(res.Message, tt.text) {
				t.Errorf("health %v %q; want %v mentioning %q", res.Status, res.Message, tt.status, tt.text)
			}
			for _, secret := range tt.secure {
				if strings.Contains(res.Message, secret) {
					t.Error("health message leaks the token")
				}
			}
		})
	}
	for _, secret := range []string{token, "a-wrong-token"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("plugin logs contain a token")
		}
	}
}
