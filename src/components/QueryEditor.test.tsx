import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import type { DataSource } from '../datasource';
import { KumaQuery } from '../types';
import { changeQueryType } from '../query';
import { QueryEditor } from './QueryEditor';

function makeDatasource(overrides: Partial<Record<keyof DataSource, unknown>> = {}) {
  return {
    getMeshes: jest.fn().mockResolvedValue([{ name: 'default' }, { name: 'payments' }]),
    getZones: jest.fn().mockResolvedValue([
      { name: 'zone-east', status: 'online' },
      { name: 'zone-west', status: 'offline' },
    ]),
    getServices: jest.fn().mockResolvedValue([
      { name: 'backend', type: 'internal', status: 'partially_degraded' },
      { name: 'frontend', type: 'internal', status: 'online' },
    ]),
    // Each field is offered the variables that can hold its value (DataSource.getVariableNames filters).
    // Without a listing, every variable (as DataSource.getVariableNames does).
    getVariableNames: jest.fn((listing?: string) =>
      listing
        ? (({ meshes: ['$mesh'], zones: ['$zone'], services: ['$service'] } as Record<string, string[]>)[listing] ?? [])
        : ['$mesh', '$zone', '$service']
    ),
    ...overrides,
  } as unknown as DataSource & Record<'getMeshes' | 'getZones' | 'getServices', jest.Mock>;
}

async function setup(query: KumaQuery, datasource = makeDatasource()) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const utils = render(
    <QueryEditor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={datasource} />
  );
  // let the resource requests started on mount settle
  await act(async () => {});
  const last = (): KumaQuery => onChange.mock.calls[onChange.mock.calls.length - 1][0];
  return { ...utils, onChange, onRunQuery, datasource, last };
}

/** Opens a Grafana Select by its label and picks the option with the given text. */
async function pick(label: RegExp | string, option: string) {
  await userEvent.click(screen.getByLabelText(label));
  const menu = await screen.findByLabelText('Select options menu');
  await userEvent.click(within(menu).getByText(option));
}

const graphFields = [
  /^Zones/,
  /^Service regex/,
  /^Rollup regex/,
  /^Max nodes/,
  /^Rate interval/,
  /^Hide idle/,
  /^Group by zone/,
  /^Zone side/,
];

describe('QueryEditor', () => {
  it('shows only the query type for meshes and loads nothing', async () => {
    const { datasource } = await setup({ refId: 'A', queryType: 'meshes' });
    expect(screen.getByLabelText(/^Query type/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Mesh/)).not.toBeInTheDocument();
    for (const f of graphFields) {
      expect(screen.queryByLabelText(f)).not.toBeInTheDocument();
    }
    expect(screen.queryByLabelText(/^Service$/)).not.toBeInTheDocument();
    expect(datasource.getMeshes).not.toHaveBeenCalled();
    expect(datasource.getZones).not.toHaveBeenCalled();
  });

  it('shows a stored query without a type as meshes, as the backend runs it', async () => {
    await setup({ refId: 'A' });
    expect(screen.getByText('Meshes')).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Mesh/)).not.toBeInTheDocument();
  });

  it.each(['gateways', 'mesh-insights'] as const)('shows only the mesh for %s', async (queryType) => {
    const { datasource } = await setup({ refId: 'A', queryType, mesh: 'default' });
    expect(screen.getByLabelText(/^Mesh/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Zones/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^Service$/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^Rollup regex/)).not.toBeInTheDocument();
    await waitFor(() => expect(datasource.getMeshes).toHaveBeenCalledTimes(1));
  });

  it('shows mesh and zones for services', async () => {
    await setup({ refId: 'A', queryType: 'services', mesh: 'default' });
    expect(screen.getByLabelText(/^Mesh/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Zones/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Service$/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^Max nodes/)).not.toBeInTheDocument();
  });

  it('shows a service filter for dataplanes, filled from the services of the mesh', async () => {
    const { datasource, last, onRunQuery } = await setup({ refId: 'A', queryType: 'dataplanes', mesh: 'payments' });
    expect(screen.queryByLabelText(/^Rollup regex/)).not.toBeInTheDocument();
    await waitFor(() => expect(datasource.getServices).toHaveBeenCalledWith('payments'));
    await pick(/^Service$/, 'frontend');
    expect(last()).toEqual({ refId: 'A', queryType: 'dataplanes', mesh: 'payments', service: 'frontend' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows every service-map field for mesh-graph', async () => {
    await setup({ refId: 'A', queryType: 'mesh-graph', mesh: 'default' });
    expect(screen.getByLabelText(/^Mesh/)).toBeInTheDocument();
    for (const f of graphFields) {
      expect(screen.getByLabelText(f)).toBeInTheDocument();
    }
    expect(screen.queryByLabelText(/^Service$/)).not.toBeInTheDocument();
  });

  it('loads meshes from the data source and sets the chosen one', async () => {
    const { datasource, last, onRunQuery } = await setup({ refId: 'A', queryType: 'services' });
    // Nothing is red before the user did anything.
    expect(screen.queryByText('A mesh is required')).not.toBeInTheDocument();
    await waitFor(() => expect(datasource.getMeshes).toHaveBeenCalled());
    await pick(/^Mesh/, 'payments');
    expect(last()).toEqual({ refId: 'A', queryType: 'services', mesh: 'payments' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('says a mesh is required once the user leaves the mesh empty', async () => {
    await setup({ refId: 'A', queryType: 'mesh-graph' });
    await userEvent.click(screen.getByLabelText(/^Mesh/));
    await userEvent.tab();
    expect(screen.getByText('A mesh is required')).toBeInTheDocument();
  });

  it('offers only variables that can hold a mesh as meshes, and shows status and type in the menus', async () => {
    await setup({ refId: 'A', queryType: 'dataplanes', mesh: 'default' });
    await userEvent.click(screen.getByLabelText(/^Mesh/));
    let menu = await screen.findByLabelText('Select options menu');
    expect(within(menu).queryByText('$mesh')).toBeInTheDocument();
    expect(within(menu).queryByText('$service')).not.toBeInTheDocument();
    expect(within(menu).queryByText('$zone')).not.toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    await userEvent.click(screen.getByLabelText(/^Service/));
    menu = await screen.findByLabelText('Select options menu');
    expect(within(menu).getByText('internal · partially_degraded')).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    await userEvent.click(screen.getByLabelText(/^Zones/));
    menu = await screen.findByLabelText('Select options menu');
    expect(within(menu).getByText('offline')).toBeInTheDocument();
  });

  it('says what an empty rate interval means, in the placeholder as in the tooltip', async () => {
    await setup({ refId: 'A', queryType: 'mesh-graph', mesh: 'default' });
    expect(screen.getByLabelText(/^Rate interval/)).toHaveAttribute('placeholder', 'whole range');
  });

  it('offers dashboard variables as meshes', async () => {
    const { last } = await setup({ refId: 'A', queryType: 'gateways' });
    await pick(/^Mesh/, '$mesh');
    expect(last().mesh).toBe('$mesh');
  });

  it('accepts a custom mesh name that the control plane did not list', async () => {
    const { last } = await setup({ refId: 'A', queryType: 'gateways' });
    await userEvent.type(screen.getByLabelText(/^Mesh/), 'not-listed{enter}');
    expect(last().mesh).toBe('not-listed');
  });

  it('shows an error when the control plane cannot be reached', async () => {
    const datasource = makeDatasource({
      getMeshes: jest.fn().mockRejectedValue({ status: 502, data: { error: 'control plane unreachable' } }),
    });
    await setup({ refId: 'A', queryType: 'services' }, datasource);
    expect(await screen.findByText('control plane unreachable')).toBeInTheDocument();
  });

  it('changing the type drops fields that no longer apply and fills service-map defaults', async () => {
    const { last, onRunQuery } = await setup({
      refId: 'A',
      queryType: 'dataplanes',
      mesh: 'default',
      service: 'backend',
      zones: ['zone-east'],
    });
    await pick(/^Query type/, 'Service map');
    expect(last()).toEqual({
      refId: 'A',
      queryType: 'mesh-graph',
      mesh: 'default',
      zones: ['zone-east'],
      rollupRegEx: '(.*)(_svc(_[0-9]+)?)',
      maxNodes: 200,
    });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('changeQueryType keeps the mesh only for mesh-scoped types', () => {
    const q: KumaQuery = { refId: 'A', queryType: 'mesh-graph', mesh: 'default', maxNodes: 10, hideIdle: true };
    expect(changeQueryType(q, 'meshes')).toEqual({ refId: 'A', queryType: 'meshes' });
    expect(changeQueryType(q, 'gateways')).toEqual({ refId: 'A', queryType: 'gateways', mesh: 'default' });
    expect(changeQueryType({ ...q, queryType: 'meshes' }, 'mesh-graph')).toMatchObject({
      maxNodes: 10,
      hideIdle: true,
    });
  });

  it('multi-selects zones for the service map and migrates the legacy single zone', async () => {
    const { last, onRunQuery } = await setup({
      refId: 'A',
      queryType: 'mesh-graph',
      mesh: 'default',
      zone: 'zone-east',
    });
    // the legacy zone shows as selected
    expect(screen.getByText('zone-east')).toBeInTheDocument();
    await pick(/^Zones/, 'zone-west');
    expect(last().zones).toEqual(['zone-east', 'zone-west']);
    expect(last()).not.toHaveProperty('zone');
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('edits text fields on change and runs the query on blur', async () => {
    const { onChange, onRunQuery } = await setup({ refId: 'A', queryType: 'mesh-graph', mesh: 'default' });
    const regex = screen.getByLabelText(/^Service regex/);
    await userEvent.type(regex, 'x');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ serviceRegex: 'x' }));
    expect(onRunQuery).not.toHaveBeenCalled();
    await userEvent.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    await userEvent.type(screen.getByLabelText(/^Rate interval/), '5');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ rateInterval: '5' }));
    await userEvent.type(screen.getByLabelText(/^Rollup regex/), '(');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ rollupRegEx: '(' }));
  });

  it('stores max nodes as a number', async () => {
    const { onChange } = await setup({ refId: 'A', queryType: 'mesh-graph', mesh: 'default' });
    await userEvent.type(screen.getByLabelText(/^Max nodes/), '7');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ maxNodes: 7 }));
  });

  it('picks the zone side of the service map, a dashboard variable too, and runs the query', async () => {
    const { last, onRunQuery } = await setup({ refId: 'A', queryType: 'mesh-graph', mesh: 'default' });
    // unset is the backend's default
    expect(screen.getByText('source')).toBeInTheDocument();
    await pick(/^Zone side/, 'any');
    expect(last()).toMatchObject({ zoneSide: 'any' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await pick(/^Zone side/, '$zone');
    expect(last()).toMatchObject({ zoneSide: '$zone' });
  });

  it('drops the zone side when the query stops being a map', () => {
    const q = changeQueryType(
      { refId: 'A', queryType: 'mesh-graph', mesh: 'm', zones: ['z'], zoneSide: 'any' },
      'services'
    );
    expect(q).toEqual({ refId: 'A', queryType: 'services', mesh: 'm', zones: ['z'] });
  });

  it('toggles hide idle and group by zone and runs the query', async () => {
    const { last, onRunQuery, rerender, onChange, datasource } = await setup({
      refId: 'A',
      queryType: 'mesh-graph',
      mesh: 'm',
    });
    await userEvent.click(screen.getByLabelText(/^Hide idle/));
    expect(last()).toMatchObject({ hideIdle: true });
    rerender(
      <QueryEditor
        query={{ refId: 'A', queryType: 'mesh-graph', mesh: 'm', hideIdle: true }}
        onChange={onChange}
        onRunQuery={onRunQuery}
        datasource={datasource}
      />
    );
    await userEvent.click(screen.getByLabelText(/^Group by zone/));
    expect(last()).toMatchObject({ hideIdle: true, groupByZone: true });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('offers zone proxies on the map only', async () => {
    const { last, onRunQuery, rerender, onChange, datasource } = await setup({
      refId: 'A',
      queryType: 'mesh-graph',
      mesh: 'm',
    });
    await userEvent.click(screen.getByLabelText(/^Zone proxies/));
    expect(last()).toMatchObject({ showZoneProxies: true });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    rerender(
      <QueryEditor
        query={{ refId: 'A', queryType: 'service-stats', mesh: 'm' }}
        onChange={onChange}
        onRunQuery={onRunQuery}
        datasource={datasource}
      />
    );
    expect(screen.queryByLabelText(/^Zone proxies/)).not.toBeInTheDocument();
  });
});
