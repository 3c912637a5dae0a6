package meshsim

import "math"

// statusClasses are Envoy's response code classes in the order metrics list them.
var statusClasses = []string{"2xx", "3xx", "4xx", "5xx"}

// representativeCode is the envoy_response_code reported for each class.
var representativeCode = map[string]string{"2xx": "200", "3xx": "301", "4xx": "404", "5xx": "503"}

// StatusShare is the share of requests in class ("2xx".."5xx"); 2xx takes whatever
// the other classes leave.
func (e *Edge) StatusShare(class string) float64 {
	if class != "2xx" {
		return e.Status[class]
	}
	return max(0, 1-e.Status["3xx"]-e.Status["4xx"]-e.Status["5xx"])
}

// Per-request sizes and connection reuse used when an HTTP edge leaves them out; they
// keep byte and connection families non-zero without asking every file to say so.
const (
	defaultRequestBytes    = 400
	defaultResponseBytes   = 1200
	defaultRequestsPerConn = 100
)

// txBytes, rxBytes, cxRate and cxActive apply those defaults.
func (e *Edge) txBytes(p Protocol) float64 {
	return orRate(e.TxBytesPerSec, p, e.RPS*defaultRequestBytes)
}

func (e *Edge) rxBytes(p Protocol) float64 {
	return orRate(e.RxBytesPerSec, p, e.RPS*defaultResponseBytes)
}

func (e *Edge) cxRate(p Protocol) float64 {
	return orRate(e.ConnectionsPerSec, p, e.RPS/defaultRequestsPerConn)
}

// cxActive defaults to the requests in flight (Little's law), at least one.
func (e *Edge) cxActive(p Protocol) float64 {
	return orRate(e.ActiveConnections, p, math.Max(1, math.Ceil(e.RPS*e.Latency.MeanMs()/1000)))
}

func orRate(v float64, p Protocol, httpDefault float64) float64 {
	if v != 0 || !p.IsHTTP() {
		return v
	}
	return httpDefault
}
