import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import type { DataSource } from '../datasource';
import { KumaQuery } from '../types';
import { changeQueryType } from '../query';
import { QueryEditor } from './QueryEditor';
import { ServiceStatsFields, statsFor } from './ServiceStatsFields';

/** Opens a Grafana Select by its label and picks the option with the given text. */
async function choose(label: RegExp, option: string) {
  await userEvent.click(screen.getByLabelText(label));
  const menu = await screen.findByLabelText('Select options menu');
  await userEvent.click(within(menu).getByText(option));
}

function renderFields(query: KumaQuery) {
  const onChange = jest.fn();
  render(<ServiceStatsFields query={query} onChange={onChange} />);
  return onChange;
}

describe('service-stats fields', () => {
  it('offers dataplane counts only for services, now', () => {
    expect(statsFor(undefined, undefined)).toContain('dataplanes_total');
    expect(statsFor('edge', 'instant')).toEqual(['rps', 'error_ratio', 'p50', 'p95', 'p99']);
    expect(statsFor('service', 'timeseries')).not.toContain('dataplanes_online');
  });

  it('shows scope, stats and format with their defaults', () => {
    renderFields({ refId: 'A', queryType: 'service-stats', mesh: 'default' });
    expect(screen.getByText('service')).toBeInTheDocument();
    expect(screen.getByText('instant')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Stats/)).toBeInTheDocument();
  });

  it('switching to edges drops the stats edges have not', async () => {
    const onChange = renderFields({
      refId: 'A',
      queryType: 'service-stats',
      stats: ['error_ratio', 'dataplanes_online'],
    });
    await choose(/^Scope/, 'edge');
    expect(onChange).toHaveBeenLastCalledWith({ scope: 'edge', stats: ['error_ratio'] });
  });

  it('switching to a time series with only dataplane counts leaves every stat of the format', async () => {
    const onChange = renderFields({ refId: 'A', queryType: 'service-stats', stats: ['dataplanes_total'] });
    await choose(/^Format/, 'timeseries');
    expect(onChange).toHaveBeenLastCalledWith({ format: 'timeseries', stats: undefined });
  });

  it('picks stats', async () => {
    const onChange = renderFields({ refId: 'A', queryType: 'service-stats', scope: 'edge' });
    await choose(/^Stats/, 'p99');
    expect(onChange).toHaveBeenLastCalledWith({ stats: ['p99'] });
  });

  it("keeps the map's join options and drops its drawing options", () => {
    const graph: KumaQuery = {
      refId: 'A',
      queryType: 'mesh-graph',
      mesh: 'default',
      zones: ['zone-1'],
      zoneSide: 'any',
      serviceRegex: '^back',
      groupByZone: true,
      rateInterval: '5m',
      hideIdle: true,
      maxNodes: 50,
      // A drawing option: the backend refuses it on service-stats.
      showZoneProxies: true,
    };
    expect(changeQueryType(graph, 'service-stats')).toEqual({
      refId: 'A',
      queryType: 'service-stats',
      mesh: 'default',
      zones: ['zone-1'],
      zoneSide: 'any',
      serviceRegex: '^back',
      groupByZone: true,
      rateInterval: '5m',
      rollupRegEx: '(.*)(_svc(_[0-9]+)?)',
    });
    const stats: KumaQuery = {
      refId: 'A',
      queryType: 'service-stats',
      mesh: 'm',
      scope: 'edge',
      stats: ['p99'],
      format: 'timeseries',
    };
    expect(changeQueryType(stats, 'mesh-graph')).not.toHaveProperty('scope');
  });

  it('the query editor shows the join options for service-stats, without max nodes or hide idle', async () => {
    const datasource = {
      getMeshes: jest.fn().mockResolvedValue([{ name: 'default' }]),
      getZones: jest.fn().mockResolvedValue([]),
      getServices: jest.fn().mockResolvedValue([]),
      getVariableNames: jest.fn().mockReturnValue([]),
    } as unknown as DataSource;
    render(
      <QueryEditor
        query={{ refId: 'A', queryType: 'service-stats', mesh: 'default' }}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
        datasource={datasource}
      />
    );
    for (const label of [
      /^Scope/,
      /^Stats/,
      /^Format/,
      /^Zones/,
      /^Zone side/,
      /^Service regex/,
      /^Rollup regex/,
      /^Rate interval/,
      /^Group by zone/,
    ]) {
      expect(await screen.findByLabelText(label)).toBeInTheDocument();
    }
    expect(screen.queryByLabelText(/^Max nodes/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^Hide idle/)).not.toBeInTheDocument();
  });
});
