package kumatest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// indexFile is the shape of <set>/index.json.
type indexFile struct {
	Entries []indexEntry `json:"entries"`
}

type indexEntry struct {
	File           string `json:"file"`
	CP             string `json:"cp"`
	Method         string `json:"method"`
	Request        string `json:"request"`
	Status         int    `json:"status"`
	ContentType    string `json:"contentType"`
	RequestHeaders string `json:"requestHeaders"`
}

// fixture is one recorded answer, loaded into memory.
type fixture struct {
	file        string
	status      int
	contentType string
	body        []byte
}

// loadFixtures reads the recorded GET answers of one CP from a fixture set. The main
// set is <cp>/; an overlay (e.g. "zone-2-stopped") is <cp>/<overlay>/ and replaces main
// answers for the same request. Recordings that needed special request headers (the
// auth scenarios) and diagnostics-port URLs are left out: they answer other requests.
func loadFixtures(dir, cp, overlay string) (map[string]fixture, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("kumatest: %w", err)
	}
	var idx indexFile
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("kumatest: %s/index.json: %w", dir, err)
	}
	main, over := map[string]fixture{}, map[string]fixture{}
	for _, e := range idx.Entries {
		if e.CP != cp || e.Method != "GET" || e.RequestHeaders != "" || !strings.HasPrefix(e.Request, "/") {
			continue
		}
		var into map[string]fixture
		switch path.Dir(e.File) {
		case cp:
			into = main
		case cp + "/" + overlay:
			into = over
		default:
			continue
		}
		key, err := requestKey(e.Request)
		if err != nil {
			return nil, fmt.Errorf("kumatest: %s: %w", e.File, err)
		}
		if prev, dup := into[key]; dup {
			return nil, fmt.Errorf("kumatest: %s and %s both answer %s", prev.file, e.File, key)
		}
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.File)))
		if err != nil {
			return nil, fmt.Errorf("kumatest: %w", err)
		}
		into[key] = fixture{file: e.File, status: e.Status, contentType: e.ContentType, body: body}
	}
	if len(main) == 0 {
		return nil, fmt.Errorf("kumatest: no recordings for cp %q in %s", cp, dir)
	}
	if overlay != "" && len(over) == 0 {
		return nil, fmt.Errorf("kumatest: no recordings in %s/%s/%s", dir, cp, overlay)
	}
	for k, f := range over {
		main[k] = f
	}
	return main, nil
}

// requestKey normalises "path?query" so that parameter order does not matter.
func requestKey(request string) (string, error) {
	p, rawQuery, _ := strings.Cut(request, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("query of %q: %w", request, err)
	}
	return queryKey(p, q), nil
}

func queryKey(p string, q url.Values) string {
	if len(q) == 0 {
		return p
	}
	sorted := url.Values{}
	for k, vs := range q {
		sorted[k] = slices.Sorted(slices.Values(vs))
	}
	return p + "?" + sorted.Encode()
}
