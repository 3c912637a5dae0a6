import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import type { DataSource } from '../datasource';
import { KumaVariableQuery } from '../types';
import { normalizeVariableQuery } from '../query';
import { VariableQueryEditor } from './VariableQueryEditor';

function makeDatasource() {
  return {
    getMeshes: jest.fn().mockResolvedValue([{ name: 'default' }, { name: 'payments' }]),
    getZones: jest.fn().mockResolvedValue([{ name: 'zone-1', status: 'online' }]),
    getServices: jest.fn().mockResolvedValue([{ name: 'backend', type: 'internal', status: 'online' }]),
    getVariableNames: jest.fn(
      (listing?: string) => ({ meshes: ['$mesh'], zones: ['$zone'], services: ['$service'] })[listing ?? ''] ?? []
    ),
  } as unknown as DataSource & Record<'getMeshes' | 'getZones' | 'getServices', jest.Mock>;
}

async function setup(query: KumaVariableQuery | string | undefined) {
  const onChange = jest.fn();
  const datasource = makeDatasource();
  const utils = render(
    <VariableQueryEditor
      query={query as KumaVariableQuery}
      onChange={onChange}
      onRunQuery={jest.fn()}
      datasource={datasource}
    />
  );
  await act(async () => {});
  const last = (): KumaVariableQuery => onChange.mock.calls[onChange.mock.calls.length - 1][0];
  return { ...utils, onChange, datasource, last };
}

async function pick(label: RegExp, option: string) {
  await userEvent.click(screen.getByLabelText(label));
  const menu = await screen.findByLabelText('Select options menu');
  await userEvent.click(within(menu).getByText(option));
}

describe('VariableQueryEditor', () => {
  it('offers meshes, zones, services, dataplanes, workloads, callees and gateways', async () => {
    await setup({ refId: 'v', queryType: 'meshes' });
    await userEvent.click(screen.getByLabelText(/^Query type/));
    const menu = await screen.findByLabelText('Select options menu');
    const labels = within(menu)
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(labels).toEqual([
      'MeshesMeshes known to the control plane',
      'ZonesZones of a multi-zone deployment',
      'ServicesServices of a mesh',
      'DataplanesDataplane proxies of a mesh, optionally of one service',
      'Workloadskuma.io/workload values behind a service (Kuma 3.0): what its proxies label their metrics with',
      'CalleesServices a service calls over the time range, as on the service map (needs Prometheus)',
      'GatewaysGateways of a mesh',
    ]);
  });

  it('needs no mesh for meshes and zones', async () => {
    const { datasource } = await setup({ refId: 'v', queryType: 'zones' });
    expect(screen.queryByLabelText(/^Mesh/)).not.toBeInTheDocument();
    expect(datasource.getMeshes).not.toHaveBeenCalled();
  });

  it('asks for a mesh for services and loads the meshes', async () => {
    const { datasource, last } = await setup({ refId: 'v', queryType: 'services' });
    expect(datasource.getMeshes).toHaveBeenCalledTimes(1);
    await pick(/^Mesh/, 'payments');
    expect(last()).toEqual({ refId: 'v', queryType: 'services', mesh: 'payments' });
  });

  it('chains on a $mesh variable', async () => {
    const { last } = await setup({ refId: 'v', queryType: 'dataplanes' });
    await pick(/^Mesh/, '$mesh');
    expect(last()).toEqual({ refId: 'v', queryType: 'dataplanes', mesh: '$mesh' });
  });

  it('narrows dataplanes to a service from a menu and keeps it only for dataplanes', async () => {
    const { datasource, last, rerender, onChange } = await setup({
      refId: 'v',
      queryType: 'dataplanes',
      mesh: 'default',
    });
    expect(datasource.getServices).toHaveBeenCalledWith('default');
    await pick(/^Service/, 'backend');
    expect(last()).toEqual({ refId: 'v', queryType: 'dataplanes', mesh: 'default', service: 'backend' });
    rerender(<VariableQueryEditor query={last()} onChange={onChange} onRunQuery={jest.fn()} datasource={datasource} />);
    await pick(/^Query type/, 'Services');
    expect(last()).toEqual({ refId: 'v', queryType: 'services', mesh: 'default' });
  });

  it('filters services and dataplanes by zones', async () => {
    const { last } = await setup({ refId: 'v', queryType: 'services', mesh: 'default' });
    await pick(/^Zones/, 'zone-1');
    expect(last()).toEqual({ refId: 'v', queryType: 'services', mesh: 'default', zones: ['zone-1'] });
  });

  it('says a mesh is required only once the user left it empty', async () => {
    await setup({ refId: 'v', queryType: 'gateways' });
    expect(screen.queryByText('A mesh is required')).not.toBeInTheDocument();
    await userEvent.click(screen.getByLabelText(/^Mesh/));
    await userEvent.tab();
    expect(screen.getByText('A mesh is required')).toBeInTheDocument();
  });

  it('drops the mesh when switching to a type without one', async () => {
    const { last } = await setup({ refId: 'v', queryType: 'services', mesh: 'default' });
    await pick(/^Query type/, 'Zones');
    expect(last()).toEqual({ refId: 'v', queryType: 'zones' });
  });

  it('starts a new variable as a list of meshes and reads old string queries', async () => {
    await setup(undefined);
    expect(screen.getByText('Meshes')).toBeInTheDocument();
    expect(normalizeVariableQuery('services')).toEqual({ refId: 'variable', queryType: 'services' });
    expect(normalizeVariableQuery('bogus')).toEqual({ refId: 'variable', queryType: 'meshes' });
  });
});
