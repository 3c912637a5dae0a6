package dashboards

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
)

// All builds the dashboards.
func All() []*Dashboard {
	return []*Dashboard{controlPlane(), dataplane(), gateway(), mesh(), service(), serviceToService(), zoneEgress(), zoneIngress()}
}

// FileName is the dashboard's file in dashboards/.
func FileName(d *Dashboard) string { return d.UID + ".json" }

// Marshal renders a dashboard as the committed JSON: indented, HTML characters
// unescaped so that PromQL comparisons stay readable.
func Marshal(d *Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes every dashboard into dir.
func Write(dir string) error {
	for _, d := range All() {
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
