package meshsim

import (
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/kumahq/kuma-grafana-datasource/pkg/kuma"
	"github.com/kumahq/kuma-grafana-datasource/pkg/testbed/apiserver"
)

// dataplaneFilter is the query of a dataplane list: name substring, gateway kind,
// fuzzy tag matches and exact label filters.
type dataplaneFilter struct {
	name    string
	gateway string
	tags    [][2]string
	labels  map[string]string
}

// parseDataplaneFilter validates the query the way the API server does; route is the
// route pattern its error messages name.
func (s *Sim) parseDataplaneFilter(q url.Values, route string) (dataplaneFilter, *kuma.ErrorBody) {
	f := dataplaneFilter{name: q.Get("name"), gateway: q.Get("gateway")}
	invalid := func(field, reason string) (dataplaneFilter, *kuma.ErrorBody) {
		e := apiserver.Error(http.StatusBadRequest, apiserver.TitleRetrieve, "Resource is not valid", route+"."+field, reason)
		return f, &e
	}
	switch f.gateway {
	case "", "true", "false", "delegated":
	case "builtin":
		if s.opts.KumaVersion == 3 {
			return invalid("gateway", "should use `true`, `false` or `delegated` instead of builtin")
		}
	default:
		if s.opts.KumaVersion == 3 {
			return invalid("gateway", "should use `true`, `false` or `delegated` instead of "+f.gateway)
		}
		return invalid("gateway", "shoud use `true`, `false`, 'builtin' or 'delegated' instead of "+f.gateway)
	}
	for _, t := range q["tag"] {
		k, v, _ := strings.Cut(t, ":")
		f.tags = append(f.tags, [2]string{k, v})
	}
	labels, lerr := parseLabelFilter(q, route)
	f.labels = labels
	return f, lerr
}

// parseLabelFilter reads filter[labels.<key>]=<value>; filters on anything but
// labels are refused as by the API server.
func parseLabelFilter(q url.Values, route string) (map[string]string, *kuma.ErrorBody) {
	labels := map[string]string{}
	for key, vals := range q {
		inner, ok := strings.CutPrefix(key, "filter[")
		if !ok {
			continue
		}
		label, ok := strings.CutPrefix(strings.TrimSuffix(inner, "]"), "labels.")
		if !ok {
			e := apiserver.Error(http.StatusBadRequest, apiserver.TitleRetrieve, "Resource is not valid", route+"."+key, "filters are only supported on labels")
			return nil, &e
		}
		labels[label] = vals[0]
	}
	return labels, nil
}

func (f dataplaneFilter) match(o kuma.DataplaneOverview, kind ProxyKind) bool {
	if !strings.Contains(o.Name, f.name) || !labelsMatch(o.Labels, f.labels) {
		return false
	}
	gatewayOK := map[string]bool{"": true, "true": kind != KindSidecar, "false": kind == KindSidecar,
		"builtin": kind == KindGatewayBuiltin, "delegated": kind == KindGatewayDelegated}
	if !gatewayOK[f.gateway] {
		return false
	}
	for _, t := range f.tags {
		if !strings.Contains(dataplaneTags(o)[t[0]], t[1]) {
			return false
		}
	}
	return true
}

// dataplaneTags are the tags a tag filter looks at: inbound and gateway tags, and in
// 3.0, where inbounds lost their tags, the labels.
func dataplaneTags(o kuma.DataplaneOverview) map[string]string {
	tags := maps.Clone(o.Labels)
	for _, in := range o.Dataplane.Networking.Inbound {
		maps.Copy(tags, in.Tags)
	}
	if gw := o.Dataplane.Networking.Gateway; gw != nil {
		maps.Copy(tags, gw.Tags)
	}
	return tags
}

func labelsMatch(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
