package models

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/prometheus/common/model"
)

// Query types. The names of the community plugin (kumahq/kuma-grafana-datasource v0.1.1) are kept.
const (
	QueryTypeMeshes       = "meshes"
	QueryTypeZones        = "zones"
	QueryTypeServices     = "services"
	QueryTypeDataplanes   = "dataplanes"
	QueryTypeGateways     = "gateways"
	QueryTypeMeshInsights = "mesh-insights"
	QueryTypeMeshGraph    = "mesh-graph"
)

// QueryTypes lists every query type the backend answers, in the order editors show them.
var QueryTypes = []string{
	QueryTypeMeshGraph, QueryTypeMeshes, QueryTypeZones, QueryTypeServices,
	QueryTypeDataplanes, QueryTypeGateways, QueryTypeMeshInsights,
}

// DefaultRollupRegEx folds Kubernetes `<svc>_<ns>_svc_<port>` names onto one service, as the
// community plugin did.
const DefaultRollupRegEx = `(.*)(_svc(_[0-9]+)?)`

// DefaultMaxNodes is the number of nodes Grafana's node graph shows before it cuts.
const DefaultMaxNodes = 200

// maxFieldLength bounds user-supplied strings; longer values are typos or abuse, never names.
const maxFieldLength = 1024

// maxZones bounds the zones of one query: every zone becomes a PromQL alternative.
const maxZones = 256

// Query is the JSON model of one query.
type Query struct {
	QueryType    string   `json:"queryType"`
	Mesh         string   `json:"mesh"`
	Zone         string   `json:"zone"`
	Zones        []string `json:"zones"`
	Service      string   `json:"service"`
	ServiceRegex string   `json:"serviceRegex"`
	HideIdle     bool     `json:"hideIdle"`
	RollupRegEx  string   `json:"rollupRegEx"`
	MaxNodes     int      `json:"maxNodes"`
	GroupByZone  bool     `json:"groupByZone"`
	RateInterval string   `json:"rateInterval"`
}

// NeedsMesh reports whether the query type is scoped to one mesh.
func NeedsMesh(queryType string) bool {
	switch queryType {
	case QueryTypeMeshes, QueryTypeZones:
		return false
	}
	return true
}

// LoadQuery decodes and validates one query. The query type comes from the SDK's field
// (Grafana copies `queryType` there) and falls back to the JSON body.
func LoadQuery(dq backend.DataQuery) (Query, error) {
	var q Query
	if err := json.Unmarshal(dq.JSON, &q); err != nil {
		return Query{}, fmt.Errorf("malformed query JSON: %w", err)
	}
	if dq.QueryType != "" {
		q.QueryType = dq.QueryType
	}
	if q.QueryType == "" {
		q.QueryType = QueryTypeMeshes
	}
	if !knownQueryType(q.QueryType) {
		return Query{}, fmt.Errorf("unknown query type %q: use one of %s", q.QueryType, strings.Join(QueryTypes, ", "))
	}
	q.Mesh = strings.TrimSpace(q.Mesh)
	if NeedsMesh(q.QueryType) && q.Mesh == "" {
		return Query{}, fmt.Errorf("query type %q needs a mesh", q.QueryType)
	}
	if q.Zone != "" && !contains(q.Zones, q.Zone) {
		q.Zones = append(q.Zones, q.Zone)
	}
	q.Zones = dropEmpty(q.Zones)
	if q.MaxNodes <= 0 {
		q.MaxNodes = DefaultMaxNodes
	}
	if q.QueryType == QueryTypeMeshGraph && q.RollupRegEx == "" {
		q.RollupRegEx = DefaultRollupRegEx
	}
	if err := q.validate(); err != nil {
		return Query{}, err
	}
	return q, nil
}

func (q Query) validate() error {
	for name, v := range map[string]string{"mesh": q.Mesh, "service": q.Service, "serviceRegex": q.ServiceRegex, "rollupRegEx": q.RollupRegEx, "rateInterval": q.RateInterval} {
		if len(v) > maxFieldLength {
			return fmt.Errorf("%s is longer than %d characters", name, maxFieldLength)
		}
	}
	if len(q.Zones) > maxZones {
		return fmt.Errorf("%d zones given, at most %d", len(q.Zones), maxZones)
	}
	for _, z := range q.Zones {
		if len(z) > maxFieldLength {
			return fmt.Errorf("zone is longer than %d characters", maxFieldLength)
		}
	}
	if _, err := q.StatsWindow(); err != nil {
		return err
	}
	for name, re := range map[string]string{"serviceRegex": q.ServiceRegex, "rollupRegEx": q.RollupRegEx} {
		if _, err := regexp.Compile(re); err != nil {
			return fmt.Errorf("%s is not a valid regular expression: %w", name, err)
		}
	}
	return nil
}

// StatsWindow is the optional rateInterval as a duration (0 when unset): the map then
// covers only that much time before the range's end instead of the whole range.
func (q Query) StatsWindow() (time.Duration, error) {
	if q.RateInterval == "" {
		return 0, nil
	}
	d, err := model.ParseDuration(q.RateInterval)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("rateInterval %q is not a duration such as 5m or 1h", q.RateInterval)
	}
	return time.Duration(d), nil
}

func knownQueryType(t string) bool { return contains(QueryTypes, t) }

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func dropEmpty(list []string) []string {
	out := list[:0]
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
