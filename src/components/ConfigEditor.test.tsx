import { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import { KumaDataSourceOptions, KumaSecureJsonData } from '../types';
import { ConfigEditor, removeHeader } from './ConfigEditor';

type Options = DataSourceSettings<KumaDataSourceOptions, KumaSecureJsonData>;

function makeOptions(overrides: Partial<Options> = {}): Options {
  return {
    id: 1,
    uid: 'kuma',
    orgId: 1,
    name: 'Kuma',
    type: 'kumahq-kuma-datasource',
    typeName: 'Kuma',
    typeLogoUrl: '',
    access: 'proxy',
    url: 'http://cp:5681',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    version: 1,
    jsonData: {},
    secureJsonFields: {},
    ...overrides,
  } as Options;
}

function setup(overrides: Partial<Options> = {}) {
  const onOptionsChange = jest.fn();
  const options = makeOptions(overrides);
  const utils = render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  const last = (): Options => onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0];
  return { ...utils, onOptionsChange, options, last };
}

describe('ConfigEditor', () => {
  it('shows the control plane URL and writes it to the data source URL', () => {
    const { last } = setup();
    const input = screen.getByLabelText(/^Control plane URL/);
    expect(input).toHaveValue('http://cp:5681');
    fireEvent.change(input, { target: { value: 'https://cp.example:5682' } });
    expect(last().url).toBe('https://cp.example:5682');
  });

  it('shows the community plugin jsonData.url when the URL is empty and moves it to the URL on edit', () => {
    const { last } = setup({ url: '', jsonData: { url: 'http://legacy:5681', prometheusUrl: 'http://prom:9090' } });
    const input = screen.getByLabelText(/^Control plane URL/);
    expect(input).toHaveValue('http://legacy:5681');
    fireEvent.change(input, { target: { value: 'http://legacy:5682' } });
    expect(last().url).toBe('http://legacy:5682');
    expect(last().jsonData).toEqual({ prometheusUrl: 'http://prom:9090' });
  });

  it('stores the CP token as a secret, not in jsonData', () => {
    const { last } = setup();
    fireEvent.change(screen.getByLabelText('Control plane token'), { target: { value: 's3cret' } });
    expect(last().secureJsonData).toEqual({ cpToken: 's3cret' });
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
  });

  it('resets a configured CP token', async () => {
    const { last } = setup({ secureJsonFields: { cpToken: true } });
    expect(screen.getByLabelText('Control plane token')).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields.cpToken).toBe(false);
    expect(last().secureJsonData?.cpToken).toBe('');
  });

  it('writes the timeouts as seconds to timeout and prometheusTimeout and clears them when emptied', () => {
    const { last } = setup({ jsonData: { timeout: 30 } });
    expect(screen.getByLabelText('Control plane timeout (s)')).toHaveValue(30);
    fireEvent.change(screen.getByLabelText('Control plane timeout (s)'), { target: { value: '12.5' } });
    expect(last().jsonData).toEqual({ timeout: 12.5 });
    fireEvent.change(screen.getByLabelText('Prometheus timeout (s)'), { target: { value: '45' } });
    expect(last().jsonData).toEqual({ timeout: 30, prometheusTimeout: 45 });
    fireEvent.change(screen.getByLabelText('Control plane timeout (s)'), { target: { value: '' } });
    expect(last().jsonData.timeout).toBeUndefined();
  });

  it('writes the Prometheus caps', () => {
    const { last } = setup();
    fireEvent.change(screen.getByLabelText('Max series per query'), { target: { value: '500000' } });
    expect(last().jsonData).toEqual({ prometheusMaxSeries: 500000 });
    fireEvent.change(screen.getByLabelText('Max answer size (MiB)'), { target: { value: '256' } });
    expect(last().jsonData).toEqual({ prometheusMaxResponseMB: 256 });
  });

  it('writes the scrape interval', () => {
    const { last } = setup();
    fireEvent.change(screen.getByLabelText('Scrape interval (s)'), { target: { value: '30' } });
    expect(last().jsonData).toEqual({ prometheusScrapeInterval: 30 });
  });

  it('toggles TLS options and shows cert fields only when enabled', async () => {
    const { last, rerender, onOptionsChange } = setup();
    expect(screen.queryByLabelText('Client cert')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('CA cert')).not.toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Skip TLS verify'));
    expect(last().jsonData.tlsSkipVerify).toBe(true);
    await userEvent.click(screen.getByLabelText('TLS client auth'));
    expect(last().jsonData.tlsAuth).toBe(true);

    rerender(
      <ConfigEditor
        options={makeOptions({
          jsonData: { tlsAuth: true, tlsAuthWithCACert: true },
          secureJsonFields: { tlsClientKey: true },
        })}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(screen.getByLabelText('Client cert'), { target: { value: 'CERT' } });
    expect(last().secureJsonData).toEqual({ tlsClientCert: 'CERT' });
    fireEvent.change(screen.getByLabelText('CA cert'), { target: { value: 'CA' } });
    expect(last().secureJsonData).toEqual({ tlsCACert: 'CA' });
    expect(last().jsonData).toEqual({ tlsAuth: true, tlsAuthWithCACert: true });
    // the configured client key can be reset
    expect(screen.getByLabelText('Client key')).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields.tlsClientKey).toBe(false);
    expect(last().secureJsonData?.tlsClientKey).toBe('');
  });

  it('writes the Prometheus URL and switches auth modes with the right secret fields', async () => {
    const { last, rerender, onOptionsChange } = setup();
    fireEvent.change(screen.getByLabelText('Prometheus URL'), { target: { value: 'http://prom:9090' } });
    expect(last().jsonData.prometheusUrl).toBe('http://prom:9090');
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Token')).not.toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Basic auth'));
    expect(last().jsonData.prometheusAuth).toBe('basic');

    rerender(
      <ConfigEditor
        options={makeOptions({ jsonData: { prometheusAuth: 'basic' } })}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(screen.getByLabelText('User'), { target: { value: 'grafana' } });
    expect(last().jsonData.prometheusUser).toBe('grafana');
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    expect(last().secureJsonData).toEqual({ prometheusPassword: 'pw' });
    expect(screen.queryByLabelText('Token')).not.toBeInTheDocument();

    rerender(
      <ConfigEditor
        options={makeOptions({ jsonData: { prometheusAuth: 'bearer' } })}
        onOptionsChange={onOptionsChange}
      />
    );
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 'tok' } });
    expect(last().secureJsonData).toEqual({ prometheusToken: 'tok' });
  });

  it('writes Prometheus TLS settings to their own keys', async () => {
    const { last } = setup();
    await userEvent.click(screen.getByLabelText('Prometheus skip TLS verify'));
    expect(last().jsonData).toEqual({ prometheusTlsSkipVerify: true });
    fireEvent.change(screen.getByLabelText('Prometheus CA cert'), { target: { value: 'PROM-CA' } });
    expect(last().secureJsonData).toEqual({ prometheusCACert: 'PROM-CA' });
  });

  it('adds two Prometheus headers as prometheusHeaderName1/2 with secret prometheusHeaderValue1/2', async () => {
    const { last, rerender, onOptionsChange } = setup();
    const rerenderWith = (o: Partial<Options>) =>
      rerender(<ConfigEditor options={makeOptions(o)} onOptionsChange={onOptionsChange} />);

    await userEvent.click(screen.getByRole('button', { name: 'Add prometheus headers' }));
    expect(last().jsonData).toEqual({ prometheusHeaderName1: '' });
    rerenderWith({ jsonData: last().jsonData });
    expect(screen.getByLabelText('Name')).toHaveAttribute('placeholder', 'X-Scope-OrgID');
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'X-Scope-OrgID' } });
    fireEvent.change(screen.getByLabelText('Value'), { target: { value: 'tenant-a' } });
    expect(last().secureJsonData).toEqual({ prometheusHeaderValue1: 'tenant-a' });

    rerenderWith({ jsonData: { prometheusHeaderName1: 'X-Scope-OrgID' }, secureJsonData: last().secureJsonData });
    await userEvent.click(screen.getByRole('button', { name: 'Add prometheus headers' }));
    rerenderWith({ jsonData: last().jsonData, secureJsonData: last().secureJsonData });
    fireEvent.change(screen.getAllByLabelText('Name')[1], { target: { value: 'X-Extra' } });
    expect(last().jsonData).toEqual({ prometheusHeaderName1: 'X-Scope-OrgID', prometheusHeaderName2: 'X-Extra' });
    fireEvent.change(screen.getAllByLabelText('Value')[1], { target: { value: 'extra' } });
    expect(last().secureJsonData).toEqual({ prometheusHeaderValue1: 'tenant-a', prometheusHeaderValue2: 'extra' });
    expect(JSON.stringify(last().jsonData)).not.toContain('tenant-a');
  });

  it('adds control-plane headers as httpHeaderName<n> with secret httpHeaderValue<n>', async () => {
    const { last, rerender, onOptionsChange } = setup({ jsonData: { httpHeaderName1: 'X-A' } });
    expect(screen.getByLabelText('Name')).toHaveValue('X-A');
    await userEvent.click(screen.getByRole('button', { name: 'Add control plane headers' }));
    expect(last().jsonData).toEqual({ httpHeaderName1: 'X-A', httpHeaderName2: '' });
    rerender(<ConfigEditor options={makeOptions({ jsonData: last().jsonData })} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getAllByLabelText('Value')[1], { target: { value: 'b' } });
    expect(last().secureJsonData).toEqual({ httpHeaderValue2: 'b' });
  });

  it('shows headers up to the first missing number, as the backend reads them', () => {
    setup({ jsonData: { httpHeaderName1: 'X-A', httpHeaderName3: 'X-C' } });
    expect(screen.getAllByLabelText('Name').map((e) => (e as HTMLInputElement).value)).toEqual(['X-A']);
  });

  it('removing the first header renumbers the rest and clears the last slot', async () => {
    const { last } = setup({
      jsonData: { prometheusHeaderName1: 'A', prometheusHeaderName2: 'B', prometheusHeaderName3: 'C', timeout: 5 },
      secureJsonFields: { prometheusHeaderValue1: true, prometheusHeaderValue2: true, prometheusHeaderValue3: true },
      secureJsonData: { prometheusHeaderValue3: 'typed-c' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Remove prometheus headers 1' }));
    const o = last();
    expect(o.jsonData).toEqual({ prometheusHeaderName1: 'B', prometheusHeaderName2: 'C', timeout: 5 });
    expect(o.jsonData).not.toHaveProperty('prometheusHeaderName3');
    // B's stored value cannot be moved: it must be entered again; C's value typed in this session moves with it
    expect(o.secureJsonData).toEqual({
      prometheusHeaderValue1: '',
      prometheusHeaderValue2: 'typed-c',
      prometheusHeaderValue3: '',
    });
    expect(o.secureJsonFields).toEqual({
      prometheusHeaderValue1: false,
      prometheusHeaderValue2: false,
      prometheusHeaderValue3: false,
    });
  });

  it('removing the last header only clears its own slot', () => {
    const o = removeHeader(
      makeOptions({
        jsonData: { httpHeaderName1: 'A', httpHeaderName2: 'B', prometheusHeaderName1: 'P' },
        secureJsonFields: { httpHeaderValue1: true, httpHeaderValue2: true, prometheusHeaderValue1: true },
      }),
      'http',
      2
    );
    expect(o.jsonData).toEqual({ httpHeaderName1: 'A', prometheusHeaderName1: 'P' });
    expect(o.secureJsonFields).toEqual({
      httpHeaderValue1: true,
      httpHeaderValue2: false,
      prometheusHeaderValue1: true,
    });
    expect(o.secureJsonData).toEqual({ httpHeaderValue2: '' });
  });

  it('warns about the legacy prometheusDataSourceId and can remove it', async () => {
    const { last } = setup({ jsonData: { prometheusDataSourceId: 7, prometheusUrl: '' } });
    expect(screen.getByText('Legacy Prometheus data source setting')).toBeInTheDocument();
    const alert = screen.getByText('Legacy Prometheus data source setting').closest('[role]') ?? document.body;
    expect(alert.textContent).toMatch(/prometheusDataSourceId.*7/);
    expect(alert.textContent).toMatch(/no longer supported.*set Prometheus URL/);
    await userEvent.click(screen.getByRole('button', { name: 'Remove legacy setting' }));
    expect(last().jsonData).not.toHaveProperty('prometheusDataSourceId');
  });

  it('shows no legacy warning without prometheusDataSourceId', () => {
    setup({ jsonData: { prometheusUrl: 'http://prom:9090' } });
    expect(screen.queryByText('Legacy Prometheus data source setting')).not.toBeInTheDocument();
  });
});
