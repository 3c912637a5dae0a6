package dashboards

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// All builds the dashboards.
func All() ([]dashboard.Dashboard, error) {
	var out []dashboard.Dashboard
	for _, build := range []func() (dashboard.Dashboard, error){
		controlPlane, dataplane, gateway, mesh, service, serviceToService, zoneEgress, zoneIngress,
	} {
		d, err := build()
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// FileName is the dashboard's file in dashboards/.
func FileName(d dashboard.Dashboard) string { return *d.Uid + ".json" }

// Marshal renders a dashboard as the committed JSON: indented, HTML characters
// unescaped so that PromQL comparisons and link URLs stay readable.
func Marshal(d dashboard.Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return unescapeHTML(buf.Bytes()), nil
}

// htmlEscapes are the escapes json.Marshal writes for <, > and &. The SDK's panels
// marshal themselves with json.Marshal, which escapes them whatever the encoder says.
var htmlEscapes = map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}

// unescapeHTML turns json.Marshal's HTML escapes back into the characters, leaving
// every other escape (an escaped backslash before "u003c" included) as it is.
func unescapeHTML(js []byte) []byte {
	out := make([]byte, 0, len(js))
	for i := 0; i < len(js); i++ {
		if js[i] != '\\' || i+1 == len(js) {
			out = append(out, js[i])
			continue
		}
		if i+6 <= len(js) {
			if c, ok := htmlEscapes[string(js[i:i+6])]; ok {
				out = append(out, c)
				i += 5
				continue
			}
		}
		out = append(out, js[i], js[i+1])
		i++
	}
	return out
}

// Write writes every dashboard into dir.
func Write(dir string) error {
	all, err := All()
	if err != nil {
		return err
	}
	for _, d := range all {
		b, err := Marshal(d)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, FileName(d)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
