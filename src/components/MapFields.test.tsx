import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import type { DataSource } from '../datasource';
import { KumaQuery } from '../types';
import { FocusFields, HealthFields } from './MapFields';
import { QueryEditor } from './QueryEditor';

async function choose(label: RegExp, option: string) {
  await userEvent.click(screen.getByLabelText(label));
  const menu = await screen.findByLabelText('Select options menu');
  await userEvent.click(within(menu).getByText(option));
}

describe('focus fields', () => {
  const services = [
    { label: 'backend', value: 'backend' },
    { label: '$service', value: '$service' },
  ];

  it('picks a service, and depth and direction apply only with one', async () => {
    const onChange = jest.fn();
    const { rerender } = render(
      <FocusFields query={{ refId: 'A' }} services={services} loading={false} onChange={onChange} />
    );
    expect(screen.getByLabelText(/^Depth/)).toBeDisabled();
    await choose(/^Focus/, '$service');
    expect(onChange).toHaveBeenLastCalledWith({ focus: '$service' });

    rerender(
      <FocusFields query={{ refId: 'A', focus: 'backend' }} services={services} loading={false} onChange={onChange} />
    );
    expect(screen.getByLabelText(/^Depth/)).toBeEnabled();
    fireEvent.change(screen.getByLabelText(/^Depth/), { target: { value: '2' } });
    expect(onChange).toHaveBeenLastCalledWith({ depth: 2 });
    await choose(/^Direction/, 'in');
    expect(onChange).toHaveBeenLastCalledWith({ direction: 'in' });
  });
});

describe('health fields', () => {
  it('shows the inherited thresholds as placeholders and stores numbers, empty as unset', () => {
    const onChange = jest.fn();
    render(<HealthFields values={{ healthErrorRatioFailing: 0.1 }} onChange={onChange} />);
    expect(screen.getByLabelText(/^Degraded at errors/)).toHaveAttribute('placeholder', '0.01');
    expect(screen.getByLabelText(/^Failing at errors/)).toHaveValue(0.1);
    fireEvent.change(screen.getByLabelText(/^Degraded at p99/), { target: { value: '750' } });
    expect(onChange).toHaveBeenLastCalledWith({ healthP99DegradedMs: 750 });
    fireEvent.change(screen.getByLabelText(/^Failing at errors/), { target: { value: '' } });
    expect(onChange).toHaveBeenLastCalledWith({ healthErrorRatioFailing: undefined });
  });
});

describe('the query editor', () => {
  function datasource() {
    return {
      getMeshes: jest.fn().mockResolvedValue([{ name: 'default' }]),
      getZones: jest.fn().mockResolvedValue([]),
      getServices: jest.fn().mockResolvedValue([{ name: 'backend' }, { name: 'frontend' }]),
      getVariableNames: jest.fn().mockReturnValue([]),
    } as unknown as DataSource & { getServices: jest.Mock };
  }

  it.each([
    ['mesh-graph', true],
    ['service-stats', false],
  ] as const)('%s offers a focus from the mesh services (health overrides: %s)', async (queryType, health) => {
    const ds = datasource();
    const query: KumaQuery = { refId: 'A', queryType, mesh: 'default' };
    render(<QueryEditor query={query} onChange={jest.fn()} onRunQuery={jest.fn()} datasource={ds} />);
    await waitFor(() => expect(ds.getServices).toHaveBeenCalledWith('default'));
    expect(screen.getByLabelText(/^Focus/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Failing at errors/) !== null).toBe(health);
  });
});
