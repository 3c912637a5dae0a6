import { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import { KumaDataSourceOptions, KumaSecureJsonData } from '../types';
import { ConfigEditor, withHeaders } from './ConfigEditor';

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

/** Opens the Select showing `current` and picks `option` from its menu. */
async function pick(current: HTMLElement, option: string) {
  await userEvent.click(current);
  const menu = await screen.findByLabelText('Select options menu');
  await userEvent.click(within(menu).getByText(option));
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

  it('keeps every settings key of a saved data source', () => {
    // A data source saved by the previous editor (and by the community plugin) opens with its values in place.
    setup({
      url: 'https://cp:5682',
      jsonData: {
        timeout: 12,
        tlsSkipVerify: true,
        tlsAuth: true,
        tlsAuthWithCACert: true,
        httpHeaderName1: 'X-Cp',
        prometheusUrl: 'http://prom:9090',
        prometheusAuth: 'basic',
        prometheusUser: 'grafana',
        prometheusTlsSkipVerify: true,
        prometheusTimeout: 45,
        prometheusScrapeInterval: 30,
        prometheusMaxSeries: 1000,
        prometheusMaxResponseMB: 64,
        prometheusHeaderName1: 'X-Scope-OrgID',
      },
      secureJsonFields: {
        cpToken: true,
        tlsCACert: true,
        tlsClientCert: true,
        tlsClientKey: true,
        httpHeaderValue1: true,
        prometheusPassword: true,
        prometheusCACert: true,
        prometheusHeaderValue1: true,
      },
    });
    expect(screen.getByLabelText(/^Control plane URL/)).toHaveValue('https://cp:5682');
    expect(screen.getByLabelText('Timeout (s)')).toHaveValue(12);
    expect(screen.getByLabelText('Control plane token')).toBeDisabled(); // configured
    const [cpSkip, promSkip] = screen.getAllByLabelText('Skip TLS certificate validation');
    expect(cpSkip).toBeChecked();
    expect(promSkip).toBeChecked();
    expect(screen.getByLabelText('TLS Client Authentication')).toBeChecked();
    const [cpCA, promCA] = screen.getAllByLabelText('Add self-signed certificate');
    expect(cpCA).toBeChecked();
    expect(promCA).toBeChecked();
    expect(screen.getAllByPlaceholderText('Begins with --- BEGIN CERTIFICATE ---')).toHaveLength(3); // CP CA, client, Prometheus CA
    expect(screen.getAllByLabelText('Header').map((e) => (e as HTMLInputElement).value)).toEqual([
      'X-Cp',
      'X-Scope-OrgID',
    ]);
    expect(screen.getByLabelText('Prometheus URL')).toHaveValue('http://prom:9090');
    expect(screen.getByLabelText(/^User/)).toHaveValue('grafana');
    expect(screen.getByLabelText('Query timeout (s)')).toHaveValue(45);
    expect(screen.getByLabelText('Scrape interval (s)')).toHaveValue(30);
    expect(screen.getByLabelText('Max series per query')).toHaveValue(1000);
    expect(screen.getByLabelText('Max answer (MiB)')).toHaveValue(64);
  });

  it('shows the defaults as placeholders of the number fields', () => {
    setup();
    const placeholders = Object.fromEntries(
      ['Timeout (s)', 'Query timeout (s)', 'Scrape interval (s)', 'Max series per query', 'Max answer (MiB)'].map(
        (label) => [label, screen.getByLabelText(label).getAttribute('placeholder')]
      )
    );
    expect(placeholders).toEqual({
      'Timeout (s)': '30',
      'Query timeout (s)': '30',
      'Scrape interval (s)': '15',
      'Max series per query': '200000',
      'Max answer (MiB)': '128',
    });
  });

  it('stores the CP token as a secret once the token method is chosen', async () => {
    const { last, rerender, onOptionsChange } = setup();
    expect(screen.queryByLabelText('Control plane token')).not.toBeInTheDocument();
    await pick(screen.getAllByText('No Authentication')[0], 'Control plane token');
    rerender(<ConfigEditor options={makeOptions()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText('Control plane token'), { target: { value: 's3cret' } });
    expect(last().secureJsonData).toEqual({ cpToken: 's3cret' });
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
  });

  it('resets a configured CP token', async () => {
    const { last } = setup({ secureJsonFields: { cpToken: true } });
    expect(screen.getByLabelText('Control plane token')).toBeDisabled();
    await userEvent.click(screen.getAllByRole('button', { name: 'Reset' })[0]);
    expect(last().secureJsonFields.cpToken).toBe(false);
    expect(last().secureJsonData?.cpToken).toBe('');
  });

  it('writes the timeouts as seconds to timeout and prometheusTimeout and clears them when emptied', () => {
    const { last } = setup({ jsonData: { timeout: 30 } });
    expect(screen.getByLabelText('Timeout (s)')).toHaveValue(30);
    fireEvent.change(screen.getByLabelText('Timeout (s)'), { target: { value: '12.5' } });
    expect(last().jsonData.timeout).toBe(12.5);
    fireEvent.change(screen.getByLabelText('Query timeout (s)'), { target: { value: '45' } });
    expect(last().jsonData.prometheusTimeout).toBe(45);
    fireEvent.change(screen.getByLabelText('Timeout (s)'), { target: { value: '' } });
    expect(last().jsonData.timeout).toBeUndefined();
  });

  it('writes the Prometheus caps and the scrape interval', () => {
    const { last } = setup();
    fireEvent.change(screen.getByLabelText('Max series per query'), { target: { value: '500000' } });
    expect(last().jsonData.prometheusMaxSeries).toBe(500000);
    fireEvent.change(screen.getByLabelText('Max answer (MiB)'), { target: { value: '256' } });
    expect(last().jsonData.prometheusMaxResponseMB).toBe(256);
    fireEvent.change(screen.getByLabelText('Scrape interval (s)'), { target: { value: '30' } });
    expect(last().jsonData.prometheusScrapeInterval).toBe(30);
  });

  it("writes the control plane's TLS to Grafana's standard keys", async () => {
    const { last, rerender, onOptionsChange } = setup();
    // Under the control plane's heading, before Prometheus'.
    const [cpTLS, prometheusTLS] = screen.getAllByText('TLS settings');
    expect(screen.getByRole('heading', { name: 'Kuma control plane' }).compareDocumentPosition(cpTLS)).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING
    );
    expect(cpTLS.compareDocumentPosition(screen.getByRole('heading', { name: 'Prometheus' }))).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING
    );
    expect(screen.getByRole('heading', { name: 'Prometheus' }).compareDocumentPosition(prometheusTLS)).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING
    );
    await userEvent.click(screen.getAllByLabelText('Skip TLS certificate validation')[0]);
    expect(last().jsonData).toEqual({ tlsSkipVerify: true });
    await userEvent.click(screen.getByLabelText('TLS Client Authentication'));
    expect(last().jsonData).toEqual({ tlsAuth: true });

    rerender(
      <ConfigEditor
        options={makeOptions({
          jsonData: { tlsAuth: true, tlsAuthWithCACert: true },
          secureJsonFields: { tlsClientKey: true },
        })}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(document.querySelector('#client-auth-client-certificate-input')!, { target: { value: 'CERT' } });
    expect(last().secureJsonData).toEqual({ tlsClientCert: 'CERT' });
    fireEvent.change(document.querySelector('#self-signed-certificate-input')!, { target: { value: 'CA' } });
    expect(last().secureJsonData).toEqual({ tlsCACert: 'CA' });
    expect(last().jsonData).toEqual({ tlsAuth: true, tlsAuthWithCACert: true });
  });

  it('writes Prometheus TLS to its own keys, laid out like the control plane TLS', async () => {
    const { last, rerender, onOptionsChange } = setup();
    await userEvent.click(screen.getAllByLabelText('Skip TLS certificate validation')[1]);
    expect(last().jsonData).toEqual({ prometheusTlsSkipVerify: true });
    expect(screen.queryByLabelText(/^CA Certificate/)).not.toBeInTheDocument();
    await userEvent.click(screen.getAllByLabelText('Add self-signed certificate')[1]);
    fireEvent.change(screen.getByLabelText(/^CA Certificate/), { target: { value: 'PROM-CA' } });
    expect(last().secureJsonData).toEqual({ prometheusCACert: 'PROM-CA' });

    // Turning the stored CA off forgets it.
    rerender(
      <ConfigEditor
        options={makeOptions({ secureJsonFields: { prometheusCACert: true } })}
        onOptionsChange={onOptionsChange}
      />
    );
    await userEvent.click(screen.getAllByLabelText('Add self-signed certificate')[1]);
    expect(last().secureJsonFields).toEqual({ prometheusCACert: false });
    expect(last().secureJsonData).toEqual({ prometheusCACert: '' });
  });

  it('writes the Prometheus URL and switches auth methods with the right secret fields', async () => {
    const { last, rerender, onOptionsChange } = setup();
    fireEvent.change(screen.getByLabelText('Prometheus URL'), { target: { value: 'http://prom:9090' } });
    expect(last().jsonData.prometheusUrl).toBe('http://prom:9090');
    expect(screen.queryByLabelText(/^Password/)).not.toBeInTheDocument();

    await pick(screen.getAllByText('No Authentication')[1], 'Basic authentication');
    expect(last().jsonData.prometheusAuth).toBe('basic');
    rerender(
      <ConfigEditor
        options={makeOptions({ jsonData: { prometheusAuth: 'basic' } })}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(screen.getByLabelText(/^User/), { target: { value: 'grafana' } });
    expect(last().jsonData.prometheusUser).toBe('grafana');
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'pw' } });
    expect(last().secureJsonData).toEqual({ prometheusPassword: 'pw' });
    expect(last().basicAuth).toBe(false); // Grafana's own basic auth stays off: it would go to the CP

    await pick(screen.getByText('Basic authentication'), 'Bearer token');
    expect(last().jsonData.prometheusAuth).toBe('bearer');
    rerender(
      <ConfigEditor
        options={makeOptions({ jsonData: { prometheusAuth: 'bearer' } })}
        onOptionsChange={onOptionsChange}
      />
    );
    expect(screen.queryByLabelText(/^Password/)).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 'tok' } });
    expect(last().secureJsonData).toEqual({ prometheusToken: 'tok' });
  });

  it('adds a header per list: httpHeaderName<n> for the CP, prometheusHeaderName<n> for Prometheus, values secret', async () => {
    const { last } = setup({ jsonData: { httpHeaderName1: 'X-A' } });
    // The CP's section is open (it has a header); Prometheus' opens on demand.
    await userEvent.click(screen.getByRole('button', { name: 'Expand section HTTP headers' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add header' }));
    const names = screen.getAllByLabelText('Header');
    const values = screen.getAllByLabelText('Value');
    await userEvent.type(names[1], 'X-Scope-OrgID');
    await userEvent.type(values[1], 'tenant-a');
    await userEvent.tab();
    expect(last().jsonData).toEqual({ httpHeaderName1: 'X-A', prometheusHeaderName1: 'X-Scope-OrgID' });
    expect(last().secureJsonData).toEqual({ prometheusHeaderValue1: 'tenant-a' });
  });

  it('shows headers up to the first missing number, as the backend reads them', () => {
    setup({ jsonData: { httpHeaderName1: 'X-A', httpHeaderName3: 'X-C' } });
    expect(screen.getAllByLabelText('Header').map((e) => (e as HTMLInputElement).value)).toEqual(['X-A']);
  });

  it('removing the first header renumbers the rest and clears the last slot', () => {
    const options = makeOptions({
      jsonData: { prometheusHeaderName1: 'A', prometheusHeaderName2: 'B', prometheusHeaderName3: 'C', timeout: 5 },
      secureJsonFields: { prometheusHeaderValue1: true, prometheusHeaderValue2: true, prometheusHeaderValue3: true },
      secureJsonData: { prometheusHeaderValue3: 'typed-c' },
    });
    // what plugin-ui's editor reports after the first row is deleted
    const o = withHeaders(options, 'prometheus', [
      { name: 'B', configured: true },
      { name: 'C', value: 'typed-c', configured: true },
    ]);
    expect(o.jsonData).toEqual({ prometheusHeaderName1: 'B', prometheusHeaderName2: 'C', timeout: 5 });
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
    const o = withHeaders(
      makeOptions({
        jsonData: { httpHeaderName1: 'A', httpHeaderName2: 'B', prometheusHeaderName1: 'P' },
        secureJsonFields: { httpHeaderValue1: true, httpHeaderValue2: true, prometheusHeaderValue1: true },
      }),
      'http',
      [{ name: 'A', configured: true }]
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
