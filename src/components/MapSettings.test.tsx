import { DataSourceInstanceSettings } from '@grafana/data';
import { DataSourcePickerProps } from '@grafana/runtime';
import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { KumaDataSourceOptions } from '../types';
import { HealthSettings, LinksSettings, PERFORMANCE_FIELDS, PerformanceSettings, withMapSettings } from './MapSettings';

// Grafana's picker lists the instance's data sources; this one offers three and a clear
// button, and applies the editor's filter as Grafana does.
const installed = [
  { uid: 'tempo-1', name: 'Tempo', type: 'tempo' },
  { uid: 'jaeger-1', name: 'Jaeger', type: 'jaeger' },
  { uid: 'loki-1', name: 'Loki', type: 'loki' },
  { uid: 'prom-1', name: 'Prometheus', type: 'prometheus' },
] as DataSourceInstanceSettings[];

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  DataSourcePicker: ({ inputId, filter, onChange, onClear, current }: DataSourcePickerProps) => (
    <div data-testid={inputId} data-current={String(current)}>
      {installed
        .filter((ds) => !filter || filter(ds))
        .map((ds) => (
          <button key={ds.uid} onClick={() => onChange(ds)}>
            {ds.name}
          </button>
        ))}
      <button onClick={onClear}>clear</button>
    </div>
  ),
}));

function setup(jsonData: KumaDataSourceOptions) {
  const onOptionsChange = jest.fn();
  const options = { jsonData, secureJsonFields: {} } as never;
  render(<LinksSettings options={options} onOptionsChange={onOptionsChange} />);
  const last = (): KumaDataSourceOptions =>
    onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0].jsonData;
  return { last };
}

describe('LinksSettings', () => {
  it('offers Tempo and Jaeger for traces, Loki for logs', () => {
    setup({});
    const traces = screen.getByTestId('kuma-traces-datasource');
    expect(traces).toHaveTextContent('Tempo');
    expect(traces).toHaveTextContent('Jaeger');
    expect(traces).not.toHaveTextContent('Loki');
    const logs = screen.getByTestId('kuma-logs-datasource');
    expect(logs).toHaveTextContent('Loki');
    expect(logs).not.toHaveTextContent('Prometheus');
  });

  it('stores the picked traces data source by uid with its type', () => {
    const { last } = setup({ prometheusUrl: 'http://prom:9090' });
    fireEvent.click(screen.getByText('Jaeger'));
    expect(last()).toEqual({
      prometheusUrl: 'http://prom:9090',
      tracesDatasourceUid: 'jaeger-1',
      tracesDatasourceType: 'jaeger',
    });
  });

  it('clearing removes the keys: no data source, no link', () => {
    const { last } = setup({
      tracesDatasourceUid: 'tempo-1',
      tracesDatasourceType: 'tempo',
      logsDatasourceUid: 'loki-1',
    });
    expect(screen.getByTestId('kuma-traces-datasource')).toHaveAttribute('data-current', 'tempo-1');
    fireEvent.click(screen.getAllByText('clear')[1]);
    expect(last()).toEqual({ tracesDatasourceUid: 'tempo-1', tracesDatasourceType: 'tempo' });
  });

  it('stores the logs data source and the sidecar selector, empty meaning the default', () => {
    const { last } = setup({});
    fireEvent.click(screen.getByText('Loki'));
    expect(last()).toEqual({ logsDatasourceUid: 'loki-1' });
    const matcher = screen.getByLabelText(/^Sidecar logs selector/);
    expect(matcher).toHaveAttribute('placeholder', '{container="kuma-sidecar"}');
    fireEvent.change(matcher, { target: { value: '{job="kuma-dp"}' } });
    expect(last()).toEqual({ logsMatcher: '{job="kuma-dp"}' });
  });

  it('the configuration page is the connection settings, then the links', () => {
    const Page = withMapSettings(() => <div>connection settings</div>);
    const options = { jsonData: {}, secureJsonFields: {} } as never;
    render(<Page options={options} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('connection settings')).toBeInTheDocument();
    expect(screen.getByTestId('kuma-traces-datasource')).toBeInTheDocument();
  });
});

describe('HealthSettings', () => {
  it("stores the data source's thresholds in jsonData", () => {
    const onOptionsChange = jest.fn();
    render(
      <HealthSettings
        options={{ jsonData: { prometheusUrl: 'p' }, secureJsonFields: {} } as never}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(screen.getByLabelText(/^Failing at errors/), { target: { value: '0.1' } });
    expect(onOptionsChange.mock.calls[0][0].jsonData).toEqual({ prometheusUrl: 'p', healthErrorRatioFailing: 0.1 });
  });
});

describe('PerformanceSettings', () => {
  function setupPerformance(jsonData: KumaDataSourceOptions) {
    const onOptionsChange = jest.fn();
    render(
      <PerformanceSettings options={{ jsonData, secureJsonFields: {} } as never} onOptionsChange={onOptionsChange} />
    );
    return (): KumaDataSourceOptions => onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0].jsonData;
  }

  it('shows the backend defaults as placeholders, with their bounds', () => {
    setupPerformance({});
    const want = {
      prometheusShards: ['2', '1', '16'],
      prometheusMaxConcurrentQueries: ['8', '1', '64'],
      incrementalCacheMB: ['64', '0', '4096'],
    };
    expect(PERFORMANCE_FIELDS.map((f) => f.key)).toEqual(Object.keys(want));
    for (const [key, [placeholder, min, max]] of Object.entries(want)) {
      const input = document.getElementById(`kuma-${key}`);
      expect(input).toHaveAttribute('placeholder', placeholder);
      expect(input).toHaveAttribute('min', min);
      expect(input).toHaveAttribute('max', max);
    }
    expect(screen.getByRole('radio', { name: 'Auto' })).toBeChecked();
  });

  it('stores the numbers in jsonData, an emptied field removing its key', () => {
    const last = setupPerformance({ prometheusUrl: 'p', prometheusShards: 4 });
    expect(screen.getByLabelText(/^Latency query shards/)).toHaveValue(4);
    fireEvent.change(screen.getByLabelText(/^Max concurrent queries/), { target: { value: '16' } });
    expect(last()).toEqual({ prometheusUrl: 'p', prometheusShards: 4, prometheusMaxConcurrentQueries: 16 });
    fireEvent.change(screen.getByLabelText(/^Latency query shards/), { target: { value: '' } });
    expect(last()).toEqual({ prometheusUrl: 'p' });
  });

  it('keeps 0 for the refresh cache: it turns the cache off', () => {
    const last = setupPerformance({});
    fireEvent.change(screen.getByLabelText(/^Refresh cache/), { target: { value: '0' } });
    expect(last()).toEqual({ incrementalCacheMB: 0 });
  });

  it('stores recording rules off, and auto as the default (no key)', () => {
    const last = setupPerformance({ recordingRules: 'off' });
    expect(screen.getByRole('radio', { name: 'Off' })).toBeChecked();
    fireEvent.click(screen.getByRole('radio', { name: 'Auto' }));
    expect(last()).toEqual({});
  });

  it('is on the configuration page', () => {
    const Page = withMapSettings(() => <div>connection settings</div>);
    render(<Page options={{ jsonData: {}, secureJsonFields: {} } as never} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('Performance')).toBeInTheDocument();
  });
});
