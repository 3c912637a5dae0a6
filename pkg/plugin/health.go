package plugin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kumahq/kuma-grafana-datasource/pkg/models"
	"github.com/kumahq/kuma-grafana-datasource/pkg/peer"
	"github.com/kumahq/kuma-grafana-datasource/pkg/safe"
)

// CheckHealth reports the CP's version and mode and, when configured, Prometheus' version.
// Both sides are checked at once, so a slow one does not add its wait to the other's. A
// failure is one sentence per side, the failing side first, each naming the side and the
// class of the failure; the raw error chains go to the details (`verboseMessage`), for
// debugging. Everything is redacted like any answer.
func (ds *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if ds.settingsErr != nil {
		return healthError("Configuration: " + ds.settingsErr.Error()), nil
	}
	ctx = ds.budgeted(ctx)
	var (
		cp, version    string
		cpErr, promErr error
		wg             sync.WaitGroup
	)
	wg.Go(func() {
		cp, cpErr = safe.Do("health check of the CP", func() (string, error) { return ds.checkCP(ctx) })
	})
	if ds.settings.Prometheus.Configured() {
		wg.Go(func() {
			version, promErr = safe.Do("health check of Prometheus", func() (string, error) { return ds.prom.Version(ctx) })
		})
	}
	wg.Wait()
	// facts make the success message; answered are the same facts as sentences after a failure.
	var problems, facts, answered, causes []string
	if cpErr != nil {
		problems = append(problems, fmt.Sprintf("Control plane (%s): %s.", models.RedactURL(ds.settings.CPURL), describe(cpErr)))
		causes = append(causes, "control plane: "+cpErr.Error())
	} else {
		facts = append(facts, cp)
		answered = append(answered, cp+" answered.")
	}
	switch {
	case !ds.settings.Prometheus.Configured():
		facts = append(facts, "no Prometheus URL set: the service map and metric panels need one")
		answered = append(answered, "No Prometheus URL is set: the service map and metric panels need one.")
	case promErr != nil:
		problems = append(problems, fmt.Sprintf("Prometheus (%s): %s.", models.RedactURL(ds.settings.Prometheus.URL), describe(promErr)))
		causes = append(causes, "Prometheus: "+promErr.Error())
	default:
		version = peer.Cut(version)
		facts = append(facts, "Prometheus "+version)
		answered = append(answered, "Prometheus "+version+" answered.")
	}
	if len(problems) > 0 {
		res := healthError(ds.redactor.Redact(strings.Join(append(problems, answered...), " ")))
		res.JSONDetails, _ = json.Marshal(map[string]string{"verboseMessage": ds.redactor.Redact(strings.Join(causes, "\n"))})
		return res, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: ds.redactor.Redact(strings.Join(facts, "; "))}, nil
}

func healthError(msg string) *backend.CheckHealthResult {
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}
}

// checkCP reads the index (never authenticated) and the config (authenticated), so a bad
// token shows here and not only in panels.
func (ds *Datasource) checkCP(ctx context.Context) (string, error) {
	idx, err := ds.cp.Index(ctx)
	if err != nil {
		return "", err
	}
	cfg, err := ds.cp.Config(ctx)
	if err != nil {
		return "", err
	}
	product := idx.Product
	if product == "" {
		product = "Kuma"
	}
	return fmt.Sprintf("%s control plane %s (%s mode)", peer.Cut(product), peer.Cut(idx.Version), peer.Cut(string(cfg.Mode))), nil
}

// describe names the class of a connection failure in words, because "x509:" or "dial tcp"
// do not tell an operator what to fix; the raw chain goes to the health details.
func describe(err error) string {
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var invalidCert x509.CertificateInvalidError
	var hostname x509.HostnameError
	var recordHeader tls.RecordHeaderError
	var certVerify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS lookup of %q failed", dnsErr.Name)
	case errors.As(err, &unknownCA):
		return "TLS: the server certificate is signed by an unknown authority (set the CA certificate or skip TLS verification)"
	case errors.As(err, &invalidCert):
		return "TLS: the server certificate is invalid or expired"
	case errors.As(err, &hostname):
		return "TLS: the server certificate does not match the host name"
	case errors.As(err, &certVerify):
		return "TLS: the server certificate could not be verified"
	case errors.As(err, &recordHeader):
		return "TLS: the server does not speak TLS (use http://)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the URL and port right, is the server running?)"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case strings.Contains(err.Error(), "remote error: tls"):
		return "TLS: the server rejected the client certificate (check the client certificate and key)"
	default:
		return err.Error()
	}
}
