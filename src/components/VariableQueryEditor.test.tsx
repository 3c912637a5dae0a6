import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import type { DataSource } from '../datasource';
import { KumaVariableQuery } from '../types';
import { normalizeVariableQuery, VariableQueryEditor } from './VariableQueryEditor';

function makeDatasource() {
  return {
    getMeshes: jest.fn().mockResolvedValue([{ name: 'default' }, { name: 'payments' }]),
    getVariableNames: jest.fn().mockReturnValue(['$mesh']),
  } as unknown as DataSource & { getMeshes: jest.Mock };
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
  it('offers meshes, zones, services, dataplanes and gateways', async () => {
    await setup({ refId: 'v', queryType: 'meshes' });
    await userEvent.click(screen.getByLabelText(/^Query type/));
    const menu = await screen.findByLabelText('Select options menu');
    const labels = within(menu)
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(labels).toEqual(['Meshes', 'Zones', 'Services', 'Dataplanes', 'Workloads', 'Gateways']);
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

  it('narrows dataplanes to a service and keeps it only for dataplanes', async () => {
    const { last } = await setup({ refId: 'v', queryType: 'dataplanes', mesh: 'default' });
    fireEvent.change(screen.getByLabelText(/^Service/), { target: { value: '$service' } });
    expect(last()).toEqual({ refId: 'v', queryType: 'dataplanes', mesh: 'default', service: '$service' });
    await pick(/^Query type/, 'Services');
    expect(last()).toEqual({ refId: 'v', queryType: 'services', mesh: 'default' });
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
