import { DataQueryRequest, DataSourceInstanceSettings, PluginMeta, VariableSupportType } from '@grafana/data';
import { readFileSync } from 'fs';
import { join } from 'path';
import { lastValueFrom, of } from 'rxjs';

import { DataSource } from './datasource';
import { toKumaQuery } from './query';
import { fakeTemplateSrv } from './test-utils';
import { DEFAULT_MAX_NODES, DEFAULT_ROLLUP_REGEX, KumaDataSourceOptions, KumaQuery, KumaVariableQuery } from './types';

const settings = {
  id: 1,
  uid: 'kuma',
  type: 'kumahq-kuma-datasource',
  name: 'Kuma',
  access: 'proxy',
  readOnly: false,
  jsonData: {},
  meta: { id: 'kumahq-kuma-datasource' } as PluginMeta,
} as unknown as DataSourceInstanceSettings<KumaDataSourceOptions>;

const variables = {
  mesh: 'default',
  zone: 'zone-1',
  zonesMulti: ['zone-1', 'zone-2'],
  service: 'backend',
  svcs: ['web.app', 'api'],
  suffix: '_svc',
  rate: '5m',
};

function makeDs() {
  const templateSrv = fakeTemplateSrv(variables);
  return { ds: new DataSource(settings, templateSrv), templateSrv };
}

// The cases the Go mirror (pkg/testbed/e2e ApplyTemplateVariables) runs too: the dashboards-through-the-binary
// test sends what this function makes of a dashboard's queries.
const shared = JSON.parse(readFileSync(join(__dirname, '..', 'testdata', 'template-variables.json'), 'utf8')) as {
  variables: Record<string, string | string[]>;
  cases: Array<{ name: string; query: KumaQuery; want: KumaQuery }>;
  variableQueries: Array<{ name: string; stored: KumaVariableQuery; want: KumaQuery }>;
};

describe('applyTemplateVariables (cases shared with the Go mirror)', () => {
  const ds = new DataSource(settings, fakeTemplateSrv(shared.variables));
  it.each(shared.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(ds.applyTemplateVariables(c.query, {})).toEqual(c.want);
  });
  it.each(shared.variableQueries.map((c) => [c.name, c] as const))('toKumaQuery: %s', (_name, c) => {
    expect(toKumaQuery(c.stored)).toEqual(c.want);
  });
});

describe('applyTemplateVariables', () => {
  it('resolves $variables in mesh, zone, service and rateInterval', () => {
    const { ds } = makeDs();
    const out = ds.applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'dataplanes',
        mesh: '$mesh',
        zone: '${zone}',
        service: '$service',
        rateInterval: '$rate',
      },
      {}
    );
    expect(out).toEqual({
      refId: 'A',
      queryType: 'dataplanes',
      mesh: 'default',
      zone: 'zone-1',
      service: 'backend',
      rateInterval: '5m',
    });
  });

  it('expands a multi-value variable in zones to one entry per value, dropping repeats and empties', () => {
    const { ds } = makeDs();
    const out = ds.applyTemplateVariables(
      { refId: 'A', queryType: 'mesh-graph', mesh: 'default', zones: ['$zonesMulti', 'zone-3', 'zone-1', ''] },
      {}
    );
    expect(out.zones).toEqual(['zone-1', 'zone-2', 'zone-3']);
  });

  it('keeps a single-value variable in zones as one entry', () => {
    const { ds } = makeDs();
    const out = ds.applyTemplateVariables({ refId: 'A', queryType: 'mesh-graph', mesh: 'm', zones: ['$zone'] }, {});
    expect(out.zones).toEqual(['zone-1']);
  });

  it('uses scoped variables (repeated panels) before dashboard variables', () => {
    const { ds } = makeDs();
    const out = ds.applyTemplateVariables(
      { refId: 'A', queryType: 'services', mesh: '$mesh' },
      {
        mesh: { text: 'payments', value: 'payments' },
      }
    );
    expect(out.mesh).toBe('payments');
  });

  it('formats variables inside the regex fields as escaped alternations', () => {
    const { ds, templateSrv } = makeDs();
    const out = ds.applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'mesh-graph',
        mesh: 'default',
        serviceRegex: '^$svcs$',
        rollupRegEx: '(.*)($suffix(_[0-9]+)?)',
      },
      {}
    );
    expect(out.serviceRegex).toBe('^(web\\.app|api)$');
    expect(out.rollupRegEx).toBe('(.*)(_svc(_[0-9]+)?)');
    expect(templateSrv.replace).toHaveBeenCalledWith('^$svcs$', {}, 'regex');
  });

  it('does not add keys the query did not have and leaves the rest untouched', () => {
    const { ds } = makeDs();
    const q: KumaQuery = { refId: 'B', queryType: 'mesh-graph', mesh: 'default', maxNodes: 50, hideIdle: true };
    const out = ds.applyTemplateVariables(q, {});
    expect(out).toEqual(q);
    expect(Object.keys(out)).not.toContain('zones');
    expect(Object.keys(out)).not.toContain('serviceRegex');
  });
});

describe('filterQuery', () => {
  const { ds } = makeDs();
  it.each([
    [{ refId: 'A', queryType: 'meshes' }, true],
    [{ refId: 'A', queryType: 'zones' }, true],
    [{ refId: 'A', queryType: 'services' }, false],
    [{ refId: 'A', queryType: 'services', mesh: '  ' }, false],
    [{ refId: 'A', queryType: 'services', mesh: 'default' }, true],
    [{ refId: 'A', queryType: 'mesh-graph' }, false],
    [{ refId: 'A', queryType: 'mesh-graph', mesh: '$mesh' }, true],
    [{ refId: 'A', queryType: 'mesh-insights', mesh: 'default', hide: true }, false],
  ] as Array<[KumaQuery, boolean]>)('%j → %s', (q, expected) => {
    expect(ds.filterQuery(q)).toBe(expected);
  });
});

describe('resources', () => {
  it('calls the backend resources meshes, zones and services?mesh=', async () => {
    const { ds } = makeDs();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue([{ name: 'x' }]);
    await expect(ds.getMeshes()).resolves.toEqual([{ name: 'x' }]);
    await ds.getZones();
    await ds.getServices('$mesh');
    expect(getResource).toHaveBeenNthCalledWith(1, 'meshes');
    expect(getResource).toHaveBeenNthCalledWith(2, 'zones');
    // the mesh variable is resolved before it reaches the backend
    expect(getResource).toHaveBeenNthCalledWith(3, 'services', { mesh: 'default' });
  });

  it('lists dashboard variables as $name', () => {
    const { ds } = makeDs();
    expect(ds.getVariableNames()).toContain('$mesh');
  });

  it('offers for a field only the variables that can hold its value', () => {
    const query = (name: string, q: unknown, datasource = { type: 'kumahq-kuma-datasource', uid: 'kuma' }) => ({
      type: 'query',
      name,
      query: q,
      datasource,
    });
    const templateSrv = fakeTemplateSrv({});
    templateSrv.getVariables = () =>
      [
        query('mesh', { refId: 'v', queryType: 'meshes' }),
        query('zone', 'zones'), // a bare string, as older dashboards store it
        query('service', { refId: 'v', queryType: 'services', mesh: '$mesh' }),
        query('promMesh', 'label_values(mesh)', { type: 'prometheus', uid: 'prometheus' }),
        { type: 'custom', name: 'anything' },
      ] as unknown as ReturnType<typeof templateSrv.getVariables>;
    const ds = new DataSource(settings, templateSrv);
    expect(ds.getVariableNames('meshes')).toEqual(['$mesh', '$promMesh', '$anything']);
    expect(ds.getVariableNames('zones')).toEqual(['$zone', '$promMesh', '$anything']);
    expect(ds.getVariableNames('services')).toEqual(['$service', '$promMesh', '$anything']);
    expect(ds.getVariableNames()).toEqual(['$mesh', '$zone', '$service', '$promMesh', '$anything']);
  });
});

describe('defaults', () => {
  it('starts new queries as a service map with the community rollup and 200 nodes', () => {
    const { ds } = makeDs();
    expect(ds.getDefaultQuery!('explore' as never)).toMatchObject({
      queryType: 'mesh-graph',
      rollupRegEx: '(.*)(_svc(_[0-9]+)?)',
      maxNodes: 200,
    });
    expect(DEFAULT_ROLLUP_REGEX).toBe('(.*)(_svc(_[0-9]+)?)');
    expect(DEFAULT_MAX_NODES).toBe(200);
  });
});

describe('variable support', () => {
  it('is custom variable support with an editor', () => {
    const { ds } = makeDs();
    expect(ds.variables?.getType()).toBe(VariableSupportType.Custom);
  });

  it('maps variable queries to backend queries and runs them through the data source', async () => {
    const { ds } = makeDs();
    const query = jest.spyOn(ds, 'query').mockReturnValue(of({ data: [] }));
    const request = {
      targets: [
        { refId: 'v', queryType: 'services', mesh: '$mesh' },
        { refId: 'w', queryType: 'meshes', mesh: 'ignored' },
      ],
      range: {},
      scopedVars: {},
    } as unknown as DataQueryRequest<KumaVariableQuery>;
    const variables = ds.variables as unknown as {
      query: (r: DataQueryRequest<KumaVariableQuery>) => ReturnType<DataSource['query']>;
    };
    await lastValueFrom(variables.query(request) as never);
    expect(query).toHaveBeenCalledTimes(1);
    expect(query.mock.calls[0][0].targets).toEqual([
      { refId: 'v', queryType: 'services', mesh: '$mesh' },
      { refId: 'w', queryType: 'meshes' },
    ]);
  });

  it('accepts a bare string as a stored variable query', () => {
    expect(toKumaQuery('zones')).toEqual({ refId: 'variable', queryType: 'zones' });
    expect(toKumaQuery('nonsense')).toEqual({ refId: 'variable', queryType: 'meshes' });
    expect(toKumaQuery({ refId: 'v', queryType: 'dataplanes', mesh: '$mesh', service: '$service' })).toEqual({
      refId: 'v',
      queryType: 'dataplanes',
      mesh: '$mesh',
      service: '$service',
    });
    expect(toKumaQuery({ refId: 'v', queryType: 'workloads', mesh: '$mesh', service: '$service' })).toEqual({
      refId: 'v',
      queryType: 'workloads',
      mesh: '$mesh',
      service: '$service',
    });
    expect(toKumaQuery({ refId: 'v', queryType: 'services', mesh: 'm', service: 'ignored' })).toEqual({
      refId: 'v',
      queryType: 'services',
      mesh: 'm',
    });
  });

  it('sends the zones of services and dataplanes variables, and only theirs', () => {
    expect(toKumaQuery({ refId: 'v', queryType: 'dataplanes', mesh: 'm', zones: ['zone-1'] })).toEqual({
      refId: 'v',
      queryType: 'dataplanes',
      mesh: 'm',
      zones: ['zone-1'],
    });
    expect(toKumaQuery({ refId: 'v', queryType: 'services', mesh: 'm', zones: [] })).toEqual({
      refId: 'v',
      queryType: 'services',
      mesh: 'm',
    });
    expect(toKumaQuery({ refId: 'v', queryType: 'gateways', mesh: 'm', zones: ['zone-1'] })).toEqual({
      refId: 'v',
      queryType: 'gateways',
      mesh: 'm',
    });
  });
});
