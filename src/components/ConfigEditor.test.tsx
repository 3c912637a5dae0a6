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

  it('falls back to the community plugin jsonData.url for display', () => {
    setup({ url: '', jsonData: { url: 'http://legacy:5681' } });
    expect(screen.getByLabelText(/^Control plane URL/)).toHaveValue('http://legacy:5681');
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

  it('writes timeouts in seconds as numbers and clears them when emptied', () => {
    const { last } = setup({ jsonData: { cpTimeoutSeconds: 30 } });
    fireEvent.change(screen.getByLabelText('Control plane timeout (s)'), { target: { value: '12.5' } });
    expect(last().jsonData.cpTimeoutSeconds).toBe(12.5);
    fireEvent.change(screen.getByLabelText('Prometheus timeout (s)'), { target: { value: '45' } });
    expect(last().jsonData.prometheusTimeoutSeconds).toBe(45);
    fireEvent.change(screen.getByLabelText('Control plane timeout (s)'), { target: { value: '' } });
    expect(last().jsonData.cpTimeoutSeconds).toBeUndefined();
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

  it('adds custom Prometheus headers with the name in jsonData and the value as a secret', async () => {
    const { last, rerender, onOptionsChange } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Add prometheus headers' }));
    expect(last().jsonData.prometheusHeaders).toEqual([{ name: '' }]);

    rerender(
      <ConfigEditor
        options={makeOptions({ jsonData: { prometheusHeaders: [{ name: '' }] } })}
        onOptionsChange={onOptionsChange}
      />
    );
    fireEvent.change(document.getElementById('prom-header-name-0')!, { target: { value: 'X-Scope-OrgID' } });
    expect(last().jsonData.prometheusHeaders).toEqual([{ name: 'X-Scope-OrgID' }]);
    fireEvent.change(document.getElementById('prom-header-value-0')!, { target: { value: 'tenant-a' } });
    expect(last().secureJsonData).toEqual({ prometheusHeaderValue0: 'tenant-a' });
    expect(JSON.stringify(last().jsonData)).not.toContain('tenant-a');
  });

  it('adds control-plane headers to their own list', async () => {
    const { last } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Add control plane headers' }));
    expect(last().jsonData.cpHeaders).toEqual([{ name: '' }]);
    expect(last().jsonData.prometheusHeaders).toBeUndefined();
  });

  it('removing a header moves later values down and clears the last slot', async () => {
    const { last } = setup({
      jsonData: { cpHeaders: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] },
      secureJsonFields: { cpHeaderValue0: true, cpHeaderValue1: true, cpHeaderValue2: true },
      secureJsonData: { cpHeaderValue2: 'typed-c' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Remove cp header 1' }));
    const o = last();
    expect(o.jsonData.cpHeaders).toEqual([{ name: 'B' }, { name: 'C' }]);
    // B's stored value cannot be moved: it must be entered again
    expect(o.secureJsonFields.cpHeaderValue0).toBe(false);
    expect(o.secureJsonData?.cpHeaderValue0).toBe('');
    // C's value typed in this session moves with it
    expect(o.secureJsonData?.cpHeaderValue1).toBe('typed-c');
    expect(o.secureJsonData?.cpHeaderValue2).toBe('');
    expect(o.secureJsonFields.cpHeaderValue2).toBe(false);
  });

  it('removing the last header only clears its own slot', () => {
    const o = removeHeader(
      makeOptions({
        jsonData: { prometheusHeaders: [{ name: 'A' }, { name: 'B' }] },
        secureJsonFields: { prometheusHeaderValue0: true, prometheusHeaderValue1: true },
      }),
      'prometheusHeaders',
      1
    );
    expect(o.jsonData.prometheusHeaders).toEqual([{ name: 'A' }]);
    expect(o.secureJsonFields.prometheusHeaderValue0).toBe(true);
    expect(o.secureJsonData).toEqual({ prometheusHeaderValue1: '' });
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
