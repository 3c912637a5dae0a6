/*
 * A stand-in for the Grafana page that hosts a data source plugin's editors. It loads the built
 * dist/module.js the way Grafana 13 does (SystemJS with the AMD extra, shared modules registered as
 * `package:<name>` behind an import map, public path and boot data set by the HTML the Go host serves)
 * and renders one editor inside @grafana/ui's theme. Everything the editors ask of Grafana goes to the Go
 * host (pkg/testbed/e2e/browser), which answers like Grafana's HTTP API with the real backend behind it.
 *
 * The URL picks the editor: ?editor=config, ?editor=query&queryType=<type>, ?editor=variable.
 */
import 'systemjs/dist/system.js';
import 'systemjs/dist/extras/amd.js';

import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import {
  CoreApp,
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  DataSourcePlugin,
  DataSourceSettings,
  dateTime,
  makeTimeRange,
} from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import { BackendSrv, BackendSrvRequest, config, FetchError, FetchResponse, TemplateSrv } from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import { Alert, Button, GlobalStyles, ThemeContext } from '@grafana/ui';
import * as lodash from 'lodash';
import * as React from 'react';
import { useState } from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
import { from, lastValueFrom, Observable } from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

const PLUGIN_ID = 'kumahq-kuma-datasource';

/** The plugin as the page sees it: any data source plugin, known only at run time. */
type Plugin = DataSourcePlugin<DataSourceApi>;
const UID = 'kuma';

// What Grafana 13 shares with plugins (public/app/features/plugins/loader/sharedDependencies.ts) that this
// project has in node_modules. A plugin importing anything else fails to load here, as it would in Grafana.
const SHARED: Record<string, unknown> = {
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  lodash,
  react: React,
  'react/jsx-runtime': jsxRuntime,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

interface SystemJSLike {
  set(id: string, module: unknown): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  import(id: string): Promise<Record<string, unknown>>;
}

function registerSharedModules(system: SystemJSLike) {
  const imports: Record<string, string> = {};
  for (const [name, module] of Object.entries(SHARED)) {
    // Grafana uses the `package:` prefix so the name acts as a URL, not a bare specifier.
    system.set(`package:${name}`, module);
    imports[name] = `package:${name}`;
  }
  system.addImportMap({ imports });
}

class HttpError extends Error implements FetchError {
  constructor(
    public status: number,
    public statusText: string,
    public data: { message?: string },
    public config: BackendSrvRequest
  ) {
    super(`${status} ${statusText}: ${data?.message ?? ''}`);
  }
}

/** Grafana's backend service, reduced to what a data source plugin calls, over window.fetch. */
async function request<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
  const params = options.params ? `?${new URLSearchParams(options.params).toString()}` : '';
  const res = await fetch(`${options.url}${params}`, {
    method: options.method ?? 'GET',
    headers: options.data === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: options.data === undefined ? undefined : JSON.stringify(options.data),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    throw new HttpError(res.status, res.statusText, data, options);
  }
  return {
    data,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    headers: res.headers,
    redirected: res.redirected,
    type: res.type,
    url: res.url,
    config: options,
  };
}

const backendSrv = {
  fetch: <T,>(options: BackendSrvRequest): Observable<FetchResponse<T>> => from(request<T>(options)),
  datasourceRequest: request,
  request: async (options: BackendSrvRequest) => (await request(options)).data,
  get: async (url: string, params?: BackendSrvRequest['params']) => (await request({ url, params })).data,
  post: async (url: string, data?: unknown) => (await request({ url, method: 'POST', data })).data,
  put: async (url: string, data?: unknown) => (await request({ url, method: 'PUT', data })).data,
} as unknown as BackendSrv;

/** One dashboard variable, `$mesh`, a query variable of this data source listing meshes (as the dashboards have). */
const templateSrv: TemplateSrv = {
  getVariables: () =>
    [
      {
        type: 'query',
        name: 'mesh',
        datasource: { type: PLUGIN_ID, uid: UID },
        query: { refId: 'variable', queryType: 'meshes' },
        current: { text: 'default', value: 'default' },
      },
      {
        type: 'query',
        name: 'service',
        datasource: { type: PLUGIN_ID, uid: UID },
        query: { refId: 'variable', queryType: 'services', mesh: '$mesh' },
        current: { text: 'frontend', value: 'frontend' },
      },
    ] as unknown as ReturnType<TemplateSrv['getVariables']>,
  replace: (target?: string) =>
    (target ?? '').replace(/\$mesh\b|\$\{mesh\}/g, 'default').replace(/\$service\b/g, 'frontend'),
  containsTemplate: (target?: string) => Boolean(target?.includes('$')),
  updateTimeRange: () => {},
};

const range = () => makeTimeRange(dateTime().subtract(15, 'minutes'), dateTime());

function instanceSettings(settings: DataSourceSettings, meta: Plugin['meta']): DataSourceInstanceSettings {
  return {
    id: settings.id,
    uid: settings.uid,
    type: settings.type,
    name: settings.name,
    url: settings.url,
    access: 'proxy',
    jsonData: settings.jsonData,
    readOnly: false,
    meta: meta as DataSourceInstanceSettings['meta'],
  };
}

/**
 * Grafana's data source service, as its data source pickers use it: the data sources of the org. Besides this
 * plugin's own, the stand-in org has a Prometheus, a Tempo, a Jaeger and a Loki, so the config page's traces and
 * logs pickers have something to offer.
 */
function dataSourceSrv(own: () => DataSourceInstanceSettings): grafanaRuntime.DataSourceSrv {
  const other = (uid: string, type: string, name: string, extra: Partial<DataSourceInstanceSettings['meta']> = {}) =>
    ({
      id: 0,
      uid,
      type,
      name,
      access: 'proxy',
      jsonData: {},
      readOnly: false,
      meta: { id: type, name, type: 'datasource', info: { logos: {} }, ...extra },
    }) as unknown as DataSourceInstanceSettings;
  const list = () => [
    own(),
    other('prometheus', 'prometheus', 'Prometheus', { metrics: true }),
    other('tempo', 'tempo', 'Tempo', { tracing: true }),
    other('jaeger', 'jaeger', 'Jaeger', { tracing: true }),
    other('loki', 'loki', 'Loki', { logs: true }),
  ];
  const find = (ref?: grafanaData.DataSourceRef | string | null) => {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return list().find((d) => d.uid === key || d.name === key);
  };
  return {
    get: async (ref) => {
      throw new Error(`the stand-in Grafana instantiates no data source (${JSON.stringify(ref)})`);
    },
    getList: (filters = {}) =>
      list().filter(
        (d) =>
          (!filters.type || ([] as string[]).concat(filters.type).includes(d.type)) &&
          (!filters.tracing || d.meta.tracing) &&
          (!filters.logs || d.meta.logs) &&
          (!filters.metrics || d.meta.metrics) &&
          (!filters.filter || filters.filter(d))
      ),
    getInstanceSettings: (ref) => find(ref),
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  };
}

/** Columns shown per frame: enough for the test's texts, narrow enough for a screenshot. */
const MAX_COLUMNS = 9;

function cell(value: unknown): string {
  return typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(2) : String(value ?? '');
}

/** Frames as text tables: the test reads names and values; a user would see a table panel. */
function Frames({ frames }: { frames: DataFrame[] }) {
  return (
    <div data-testid="frames">
      {frames.map((frame, i) => (
        <table key={i} data-testid={`frame-${frame.name ?? i}`} style={{ marginTop: 16 }}>
          <caption style={{ textAlign: 'left' }}>
            Frame {frame.name ?? i}: {frame.length} rows
            {frame.fields.length > MAX_COLUMNS ? `, first ${MAX_COLUMNS} of ${frame.fields.length} columns` : ''}
          </caption>
          <thead>
            <tr>
              {frame.fields.slice(0, MAX_COLUMNS).map((f) => (
                <th key={f.name} style={{ paddingRight: 12, textAlign: 'left' }}>
                  {f.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: Math.min(frame.length, 12) }, (_, row) => (
              <tr key={row}>
                {frame.fields.slice(0, MAX_COLUMNS).map((f) => (
                  <td key={f.name} style={{ paddingRight: 12 }}>
                    {cell(f.values[row])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function Result({ response }: { response?: DataQueryResponse }) {
  if (!response) {
    return null;
  }
  const errors = response.errors ?? (response.error ? [response.error] : []);
  const notices = response.data.flatMap((f: DataFrame) => f.meta?.notices ?? []);
  return (
    <div data-testid="result">
      {errors.map((e, i) => (
        <Alert key={i} severity="error" title={`Query error: ${e.message ?? ''}`} />
      ))}
      {notices.map((n, i) => (
        <div key={i} data-testid="notice">
          Notice: {n.text}
        </div>
      ))}
      <Frames frames={response.data} />
    </div>
  );
}

function ConfigPage({ plugin, initial }: { plugin: Plugin; initial: DataSourceSettings }) {
  const [options, setOptions] = useState(initial);
  const [status, setStatus] = useState<{ status: string; message: string; run: number }>();
  const Editor = plugin.components.ConfigEditor!;
  // Grafana's "Save & test": save the settings, then ask a fresh instance for its health.
  const saveAndTest = async () => {
    const saved = (await backendSrv.put(`/api/datasources/uid/${UID}`, options)).datasource as DataSourceSettings;
    setOptions(saved);
    const ds = new plugin.DataSourceClass(instanceSettings(saved, plugin.meta));
    // A failed check rejects with {status, message}, which Grafana's settings page shows as an error.
    const result = await ds
      .testDatasource()
      .catch((err: { message?: string }) => ({ status: 'error', message: String(err.message) }));
    setStatus({ ...result, run: (status?.run ?? 0) + 1 });
  };
  return (
    <>
      <Editor options={options} onOptionsChange={setOptions} />
      <div style={{ marginTop: 16 }}>
        <Button onClick={saveAndTest}>Save &amp; test</Button>
      </div>
      {status && (
        <div data-testid="health" data-run={status.run}>
          <Alert severity={status.status === 'success' ? 'success' : 'error'} title={status.message} />
        </div>
      )}
    </>
  );
}

/** What the page uses of a data source with custom variable support (the editor and the query). */
type WithVariables = {
  variables: {
    editor: React.ComponentType<Record<string, unknown>>;
    query(r: DataQueryRequest): Observable<DataQueryResponse>;
  };
};

function runRequest(targets: DataQueryRequest['targets'], app: string): DataQueryRequest {
  const r = range();
  return {
    requestId: 'browser-test',
    interval: '15s',
    intervalMs: 15000,
    range: r,
    rangeRaw: r.raw,
    scopedVars: {},
    targets,
    timezone: 'browser',
    app,
    startTime: Date.now(),
  };
}

function QueryPage({ plugin, ds, queryType }: { plugin: Plugin; ds: DataSourceApi; queryType?: string }) {
  const [query, setQuery] = useState(() => ({
    refId: 'A',
    ...ds.getDefaultQuery?.(CoreApp.PanelEditor),
    ...(queryType ? { queryType } : {}),
  }));
  const [response, setResponse] = useState<DataQueryResponse>();
  const Editor = plugin.components.QueryEditor!;
  // onRunQuery sees the query of the onChange just before it, as in Grafana's query editor rows.
  const latest = React.useRef(query);
  const onChange = (q: typeof query) => {
    latest.current = q;
    setQuery(q);
  };
  const run = async () => {
    const targets = [latest.current].filter((q) => ds.filterQuery?.(q) ?? true);
    setResponse(
      await lastValueFrom(ds.query(runRequest(targets, CoreApp.PanelEditor)) as Observable<DataQueryResponse>)
    );
  };
  // A panel runs its queries when it loads; the editor runs them again on each change.
  React.useEffect(() => {
    run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <>
      <Editor
        datasource={ds}
        query={query}
        onChange={onChange}
        onRunQuery={run}
        app={CoreApp.PanelEditor}
        range={range()}
      />
      <pre data-testid="query-json">{JSON.stringify(query)}</pre>
      <Result response={response} />
    </>
  );
}

function VariablePage({ ds }: { ds: WithVariables }) {
  const [query, setQuery] = useState<Record<string, unknown>>({ refId: 'variable', queryType: 'meshes' });
  const [response, setResponse] = useState<DataQueryResponse>();
  const Editor = ds.variables.editor;
  // Grafana's variable editor runs the query when it changes (the preview of values).
  const run = async (q: Record<string, unknown>) =>
    setResponse(await lastValueFrom(ds.variables.query(runRequest([q as never], CoreApp.Dashboard))));
  // Grafana's variable editor previews the values when it opens.
  React.useEffect(() => {
    run(query);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <>
      <Editor
        datasource={ds}
        query={query}
        onChange={(q: Record<string, unknown>) => {
          setQuery(q);
          run(q);
        }}
        onRunQuery={() => run(query)}
        range={range()}
      />
      <pre data-testid="query-json">{JSON.stringify(query)}</pre>
      <Result response={response} />
    </>
  );
}

async function main() {
  const system = (window as unknown as { System: SystemJSLike }).System;
  registerSharedModules(system);
  grafanaRuntime.setBackendSrv(backendSrv);
  grafanaRuntime.setTemplateSrv(templateSrv);

  const params = new URLSearchParams(window.location.search);
  const meta = await backendSrv.get(`/api/plugins/${PLUGIN_ID}/settings`);
  // Grafana imports `meta.module` (public/plugins/<id>/module.js); its SystemJS resolve hook makes the path
  // absolute under the app's sub-path, which here is the <base href="/">.
  const module = await system.import(new URL(meta.module, document.baseURI).href);
  const plugin = module.plugin as Plugin;
  plugin.meta = meta;
  const settings: DataSourceSettings = await backendSrv.get(`/api/datasources/uid/${UID}`);
  grafanaRuntime.setDataSourceSrv(dataSourceSrv(() => instanceSettings(settings, meta)));
  const ds = () => new plugin.DataSourceClass(instanceSettings(settings, meta));

  let page: React.ReactNode;
  switch (params.get('editor')) {
    case 'config':
      page = <ConfigPage plugin={plugin} initial={settings} />;
      break;
    case 'variable':
      page = <VariablePage ds={ds() as unknown as WithVariables} />;
      break;
    default:
      page = <QueryPage plugin={plugin} ds={ds()} queryType={params.get('queryType') ?? undefined} />;
  }
  ReactDOMClient.createRoot(document.getElementById('root')!).render(
    <React.StrictMode>
      <ThemeContext.Provider value={config.theme2}>
        <GlobalStyles />
        <div style={{ padding: 16, maxWidth: 1100 }} data-testid="page-ready">
          {page}
        </div>
      </ThemeContext.Provider>
    </React.StrictMode>
  );
}

main().catch((err) => {
  // The driver fails on any page error; this makes a load failure one too, with its cause.
  console.error('stand-in page failed to load the plugin:', err);
  document.body.setAttribute('data-load-error', String(err));
});
