// Package e2e starts the built backend binary the way Grafana does (hashicorp go-plugin
// handshake, protocol 2, gRPC) and talks to it over gRPC. Its tests are black-box: they see
// only what Grafana would see.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// BinaryEnv names a prebuilt backend binary to test (for example dist/gpx_kuma-datasource_linux_amd64);
// without it the harness builds ./pkg once per test binary.
const BinaryEnv = "KUMA_PLUGIN_BINARY"

// Plugin is a running backend process and its three gRPC services.
type Plugin struct {
	Data        grpcplugin.DataClient
	Diagnostics grpcplugin.DiagnosticsClient
	Resource    grpcplugin.ResourceClient
	client      *goplugin.Client
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// Binary returns the backend binary under test, building it once if BinaryEnv is unset.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kuma-plugin-e2e")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "gpx_kuma-datasource_"+runtime.GOOS+"_"+runtime.GOARCH)
		cmd := exec.Command("go", "build", "-o", built, "./pkg")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./pkg: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Start launches the binary with an explicit, minimal environment (never -standalone),
// performs Grafana's handshake and dispenses the data, diagnostics and resource clients.
// Plugin logs go to logs (may be nil).
func Start(t testing.TB, logs io.Writer) *Plugin {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	cmd := exec.Command(Binary(t))
	cmd.Env = []string{
		"HOME=" + t.TempDir(),
		"TMPDIR=" + os.TempDir(),
		"GF_VERSION=12.3.0",
		"GF_EDITION=oss",
		"GF_PLUGIN_VERSION=e2e",
	}
	set := goplugin.PluginSet{
		"data":        &grpcplugin.DataGRPCPlugin{},
		"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
		"resource":    &grpcplugin.ResourceGRPCPlugin{},
	}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: set},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logs, Level: hclog.Debug}),
		Stderr:           logs,
		SyncStdout:       logs,
		SyncStderr:       logs,
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("plugin handshake: %v", err)
	}
	p := &Plugin{client: client}
	for name, into := range map[string]any{"data": &p.Data, "diagnostics": &p.Diagnostics, "resource": &p.Resource} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %s: %v", name, err)
		}
		switch dst := into.(type) {
		case *grpcplugin.DataClient:
			*dst = raw.(grpcplugin.DataClient)
		case *grpcplugin.DiagnosticsClient:
			*dst = raw.(grpcplugin.DiagnosticsClient)
		case *grpcplugin.ResourceClient:
			*dst = raw.(grpcplugin.ResourceClient)
		}
	}
	return p
}

// Pid is the plugin process' id, for what only the operating system knows of it (its
// peak memory, for one).
func (p *Plugin) Pid() int {
	return p.client.ReattachConfig().Pid
}

// Instance is what Grafana sends about one configured data source.
type Instance struct {
	UID      string
	URL      string
	JSONData string
	Secure   map[string]string
}

func (in Instance) pluginContext() *pluginv2.PluginContext {
	uid := in.UID
	if uid == "" {
		uid = "kuma-e2e"
	}
	return &pluginv2.PluginContext{
		OrgId:    1,
		PluginId: "kumahq-kuma-datasource",
		DataSourceInstanceSettings: &pluginv2.DataSourceInstanceSettings{
			Id:                      1,
			Uid:                     uid,
			Name:                    "Kuma",
			Url:                     in.URL,
			JsonData:                []byte(orEmptyObject(in.JSONData)),
			DecryptedSecureJsonData: in.Secure,
			LastUpdatedMS:           in.version(),
		},
	}
}

// version stands for the "updated" time Grafana sends: it changes whenever the settings
// do, so the plugin's instance cache builds a new instance as it would in Grafana.
func (in Instance) version() int64 {
	h := fnv.New64a()
	fmt.Fprint(h, in.URL, in.JSONData, in.Secure)
	return int64(h.Sum64() >> 1)
}

func orEmptyObject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "{}"
	}
	return s
}

// CheckHealth calls the plugin's health check.
func (p *Plugin) CheckHealth(ctx context.Context, in Instance) (*backend.CheckHealthResult, error) {
	resp, err := p.Diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: in.pluginContext()})
	if err != nil {
		return nil, err
	}
	return backend.FromProto().CheckHealthResponse(resp), nil
}

// Query is one query of a QueryData call.
type Query struct {
	RefID string
	JSON  string
	From  int64 // epoch ms
	To    int64 // epoch ms
	// IntervalMS is the panel's interval (Grafana derives it from the range and the
	// panel's width); 0 sends none, as an API call may.
	IntervalMS int64
}

// QueryData sends the queries in one request, as a Grafana panel with several queries does.
func (p *Plugin) QueryData(ctx context.Context, in Instance, queries ...Query) (*backend.QueryDataResponse, error) {
	req := &pluginv2.QueryDataRequest{PluginContext: in.pluginContext()}
	for _, q := range queries {
		req.Queries = append(req.Queries, &pluginv2.DataQuery{
			RefId:         q.RefID,
			Json:          []byte(q.JSON),
			QueryType:     queryType(q.JSON),
			TimeRange:     &pluginv2.TimeRange{FromEpochMS: q.From, ToEpochMS: q.To},
			IntervalMS:    q.IntervalMS,
			MaxDataPoints: 1000,
		})
	}
	resp, err := p.Data.QueryData(ctx, req)
	if err != nil {
		return nil, err
	}
	return backend.FromProto().QueryDataResponse(resp)
}

// queryType copies the JSON's queryType into the request field, as Grafana does.
func queryType(js string) string {
	var q struct {
		QueryType string `json:"queryType"`
	}
	_ = json.Unmarshal([]byte(js), &q)
	return q.QueryType
}

// Resource is the answer of a CallResource.
type Resource struct {
	Status int
	Body   []byte
}

// CallResource calls a resource path (e.g. "services?mesh=default") with a method.
func (p *Plugin) CallResource(ctx context.Context, in Instance, method, pathAndQuery string) (Resource, error) {
	path, rawQuery, _ := strings.Cut(pathAndQuery, "?")
	url := path
	if rawQuery != "" {
		url += "?" + rawQuery
	}
	stream, err := p.Resource.CallResource(ctx, &pluginv2.CallResourceRequest{
		PluginContext: in.pluginContext(), Path: path, Method: method, Url: url,
	})
	if err != nil {
		return Resource{}, err
	}
	var out Resource
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if msg.Code != 0 {
			out.Status = int(msg.Code)
		}
		out.Body = append(out.Body, msg.Body...)
	}
}
