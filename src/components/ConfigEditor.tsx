import { DataSourcePluginOptionsEditorProps, SelectableValue } from '@grafana/data';
import {
  Alert,
  Button,
  FieldSet,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  RadioButtonGroup,
  SecretInput,
  SecretTextArea,
} from '@grafana/ui';
import React, { ChangeEvent } from 'react';

import { HeaderName, KumaDataSourceOptions, KumaSecureJsonData, PrometheusAuth } from '../types';

export type Props = DataSourcePluginOptionsEditorProps<KumaDataSourceOptions, KumaSecureJsonData>;

type Options = Props['options'];
type SecureKey = 'cpToken' | 'tlsCACert' | 'tlsClientCert' | 'tlsClientKey' | 'prometheusPassword' | 'prometheusToken';
export type HeaderList = 'cpHeaders' | 'prometheusHeaders';

const LABEL_WIDTH = 26;
const INPUT_WIDTH = 50;

const AUTH_OPTIONS: Array<SelectableValue<PrometheusAuth>> = [
  { label: 'No auth', value: 'none' },
  { label: 'Basic auth', value: 'basic' },
  { label: 'Bearer token', value: 'bearer' },
];

/** secureJsonData key holding the value of header `index` of a list. */
export function headerValueKey(list: HeaderList, index: number): string {
  return list === 'cpHeaders' ? `cpHeaderValue${index}` : `prometheusHeaderValue${index}`;
}

/** True when the legacy community-plugin setting that proxied metrics through another data source is present. */
export function hasLegacyPrometheusDataSource(jsonData: KumaDataSourceOptions): boolean {
  const id = jsonData.prometheusDataSourceId;
  return id !== undefined && id !== null && String(id).trim() !== '';
}

function parseSeconds(raw: string): number | undefined {
  if (raw.trim() === '') {
    return undefined;
  }
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Removes header `index` of a list. Header values are secrets stored by position, so the values of the
 * headers after it have to move down one slot: a value typed in this session moves with its header; a
 * value already stored cannot be read back, so that header is shown as not configured and must be
 * re-entered. The last slot is cleared so no stale secret is left behind.
 */
export function removeHeader(options: Options, list: HeaderList, index: number): Options {
  const headers = options.jsonData[list] ?? [];
  const secureJsonData: KumaSecureJsonData = { ...(options.secureJsonData ?? {}) };
  const secureJsonFields: Record<string, boolean> = { ...(options.secureJsonFields ?? {}) };

  for (let i = index; i < headers.length - 1; i++) {
    const to = headerValueKey(list, i);
    const from = headerValueKey(list, i + 1);
    const typed = (options.secureJsonData ?? {})[from];
    secureJsonData[to] = typed ?? '';
    secureJsonFields[to] = false;
  }
  const last = headerValueKey(list, headers.length - 1);
  secureJsonData[last] = '';
  secureJsonFields[last] = false;

  return {
    ...options,
    jsonData: { ...options.jsonData, [list]: headers.filter((_, i) => i !== index) },
    secureJsonData,
    secureJsonFields,
  };
}

export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const jsonData = options.jsonData ?? {};
  const secureJsonData = options.secureJsonData ?? {};
  const secureJsonFields = options.secureJsonFields ?? {};

  const setJson = <K extends keyof KumaDataSourceOptions>(key: K, value: KumaDataSourceOptions[K]) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  };

  const setSecret = (key: string, value: string) => {
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: value } });
  };

  const resetSecret = (key: string) => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, [key]: false },
      secureJsonData: { ...secureJsonData, [key]: '' },
    });
  };

  const secretProps = (key: SecureKey | string, id: string, placeholder: string) => ({
    id,
    isConfigured: Boolean(secureJsonFields[key]),
    value: secureJsonData[key] ?? '',
    placeholder,
    onReset: () => resetSecret(key),
  });

  const auth: PrometheusAuth = jsonData.prometheusAuth ?? 'none';

  return (
    <>
      {hasLegacyPrometheusDataSource(jsonData) && (
        <Alert title="Legacy Prometheus data source setting" severity="warning">
          <p>
            This data source was set up to read metrics through another Grafana data source (
            <code>prometheusDataSourceId</code> = {String(jsonData.prometheusDataSourceId)}).{' '}
            {'That is no longer supported: set '}
            <strong>Prometheus URL</strong>
            {' below instead, then remove the legacy setting.'}
          </p>
          <div>
            <Button
              variant="secondary"
              size="sm"
              fill="outline"
              onClick={() => {
                const { prometheusDataSourceId: _drop, ...rest } = jsonData;
                onOptionsChange({ ...options, jsonData: rest });
              }}
            >
              Remove legacy setting
            </Button>
          </div>
        </Alert>
      )}

      <FieldSet label="Kuma control plane">
        <InlineField
          label="Control plane URL"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-cp-url"
          tooltip="Base URL of the Kuma control-plane API, e.g. http://kuma-control-plane.kuma-system:5681"
          required
        >
          <Input
            id="kuma-cp-url"
            width={INPUT_WIDTH}
            value={options.url || jsonData.url || ''}
            placeholder="http://localhost:5681"
            onChange={(e: ChangeEvent<HTMLInputElement>) => onOptionsChange({ ...options, url: e.currentTarget.value })}
          />
        </InlineField>
        <InlineField
          label="Control plane token"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-cp-token"
          tooltip="Sent as a bearer token to the control-plane API (e.g. a Kuma user token)"
        >
          <SecretInput
            {...secretProps('cpToken', 'kuma-cp-token', 'Bearer token')}
            width={INPUT_WIDTH}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setSecret('cpToken', e.currentTarget.value)}
          />
        </InlineField>
        <InlineField
          label="Control plane timeout (s)"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-cp-timeout"
          tooltip="Timeout of one control-plane request, in seconds. Empty uses the default."
        >
          <Input
            id="kuma-cp-timeout"
            type="number"
            min={0}
            width={12}
            value={jsonData.cpTimeoutSeconds ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              setJson('cpTimeoutSeconds', parseSeconds(e.currentTarget.value))
            }
          />
        </InlineField>
        <HeadersEditor list="cpHeaders" title="Control plane headers" {...props} />
      </FieldSet>

      <FieldSet label="TLS">
        <InlineField
          label="Skip TLS verify"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-tls-skip-verify"
          tooltip="Do not verify the server certificate (insecure; for testing only)"
        >
          <InlineSwitch
            id="kuma-tls-skip-verify"
            value={Boolean(jsonData.tlsSkipVerify)}
            onChange={(e) => setJson('tlsSkipVerify', e.currentTarget.checked)}
          />
        </InlineField>
        <InlineField
          label="TLS client auth"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-tls-auth"
          tooltip="Present a client certificate (mTLS)"
        >
          <InlineSwitch
            id="kuma-tls-auth"
            value={Boolean(jsonData.tlsAuth)}
            onChange={(e) => setJson('tlsAuth', e.currentTarget.checked)}
          />
        </InlineField>
        <InlineField
          label="With CA cert"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-tls-ca"
          tooltip="Verify the server certificate against this CA"
        >
          <InlineSwitch
            id="kuma-tls-ca"
            value={Boolean(jsonData.tlsAuthWithCACert)}
            onChange={(e) => setJson('tlsAuthWithCACert', e.currentTarget.checked)}
          />
        </InlineField>
        {jsonData.tlsAuthWithCACert && (
          <InlineField label="CA cert" labelWidth={LABEL_WIDTH} htmlFor="kuma-tls-ca-cert">
            <SecretTextArea
              {...secretProps('tlsCACert', 'kuma-tls-ca-cert', 'Begins with -----BEGIN CERTIFICATE-----')}
              cols={INPUT_WIDTH}
              rows={5}
              onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setSecret('tlsCACert', e.currentTarget.value)}
            />
          </InlineField>
        )}
        {jsonData.tlsAuth && (
          <>
            <InlineField label="Client cert" labelWidth={LABEL_WIDTH} htmlFor="kuma-tls-client-cert">
              <SecretTextArea
                {...secretProps('tlsClientCert', 'kuma-tls-client-cert', 'Begins with -----BEGIN CERTIFICATE-----')}
                cols={INPUT_WIDTH}
                rows={5}
                onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setSecret('tlsClientCert', e.currentTarget.value)}
              />
            </InlineField>
            <InlineField label="Client key" labelWidth={LABEL_WIDTH} htmlFor="kuma-tls-client-key">
              <SecretTextArea
                {...secretProps('tlsClientKey', 'kuma-tls-client-key', 'Begins with -----BEGIN PRIVATE KEY-----')}
                cols={INPUT_WIDTH}
                rows={5}
                onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setSecret('tlsClientKey', e.currentTarget.value)}
              />
            </InlineField>
          </>
        )}
      </FieldSet>

      <FieldSet label="Prometheus (metrics for the service map)">
        <InlineField
          label="Prometheus URL"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-prom-url"
          tooltip="Prometheus-compatible query API (Prometheus, Mimir, Cortex, Thanos, VictoriaMetrics) that scrapes the mesh"
        >
          <Input
            id="kuma-prom-url"
            width={INPUT_WIDTH}
            value={jsonData.prometheusUrl ?? ''}
            placeholder="http://prometheus:9090"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setJson('prometheusUrl', e.currentTarget.value)}
          />
        </InlineField>
        <InlineField label="Authentication" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup<PrometheusAuth>
            options={AUTH_OPTIONS}
            value={auth}
            onChange={(v) => setJson('prometheusAuth', v)}
          />
        </InlineField>
        {auth === 'basic' && (
          <>
            <InlineField label="User" labelWidth={LABEL_WIDTH} htmlFor="kuma-prom-user">
              <Input
                id="kuma-prom-user"
                width={INPUT_WIDTH}
                value={jsonData.prometheusUser ?? ''}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setJson('prometheusUser', e.currentTarget.value)}
              />
            </InlineField>
            <InlineField label="Password" labelWidth={LABEL_WIDTH} htmlFor="kuma-prom-password">
              <SecretInput
                {...secretProps('prometheusPassword', 'kuma-prom-password', 'Password')}
                width={INPUT_WIDTH}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setSecret('prometheusPassword', e.currentTarget.value)}
              />
            </InlineField>
          </>
        )}
        {auth === 'bearer' && (
          <InlineField label="Token" labelWidth={LABEL_WIDTH} htmlFor="kuma-prom-token">
            <SecretInput
              {...secretProps('prometheusToken', 'kuma-prom-token', 'Bearer token')}
              width={INPUT_WIDTH}
              onChange={(e: ChangeEvent<HTMLInputElement>) => setSecret('prometheusToken', e.currentTarget.value)}
            />
          </InlineField>
        )}
        <InlineField
          label="Prometheus timeout (s)"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-prom-timeout"
          tooltip="Timeout of one Prometheus query, in seconds. Empty uses the default."
        >
          <Input
            id="kuma-prom-timeout"
            type="number"
            min={0}
            width={12}
            value={jsonData.prometheusTimeoutSeconds ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              setJson('prometheusTimeoutSeconds', parseSeconds(e.currentTarget.value))
            }
          />
        </InlineField>
        <HeadersEditor
          list="prometheusHeaders"
          title="Prometheus headers"
          hint="e.g. X-Scope-OrgID to pick a Mimir, Cortex or Thanos tenant"
          {...props}
        />
      </FieldSet>
    </>
  );
}

type HeadersEditorProps = Props & { list: HeaderList; title: string; hint?: string };

/** Custom HTTP headers: names are stored in jsonData, values as secrets by position. */
function HeadersEditor({ list, title, hint, options, onOptionsChange }: HeadersEditorProps) {
  const headers: HeaderName[] = options.jsonData[list] ?? [];
  const secureJsonData = options.secureJsonData ?? {};
  const secureJsonFields = options.secureJsonFields ?? {};
  const prefix = list === 'cpHeaders' ? 'cp' : 'prom';

  const setNames = (next: HeaderName[]) =>
    onOptionsChange({ ...options, jsonData: { ...options.jsonData, [list]: next } });

  return (
    <div data-testid={`${list}-editor`}>
      <InlineFieldRow>
        <InlineField label={title} labelWidth={LABEL_WIDTH} tooltip={hint}>
          <Button
            variant="secondary"
            icon="plus"
            size="sm"
            aria-label={`Add ${title.toLowerCase()}`}
            onClick={() => setNames([...headers, { name: '' }])}
          >
            Add header
          </Button>
        </InlineField>
      </InlineFieldRow>
      {headers.map((header, i) => {
        const key = headerValueKey(list, i);
        return (
          <InlineFieldRow key={i}>
            <InlineField label="Name" labelWidth={12} htmlFor={`${prefix}-header-name-${i}`}>
              <Input
                id={`${prefix}-header-name-${i}`}
                width={24}
                value={header.name}
                placeholder={list === 'prometheusHeaders' ? 'X-Scope-OrgID' : 'X-Header'}
                onChange={(e: ChangeEvent<HTMLInputElement>) => {
                  const name = e.currentTarget.value;
                  setNames(headers.map((h, j) => (j === i ? { ...h, name } : h)));
                }}
              />
            </InlineField>
            <InlineField label="Value" labelWidth={10} htmlFor={`${prefix}-header-value-${i}`}>
              <SecretInput
                id={`${prefix}-header-value-${i}`}
                width={30}
                isConfigured={Boolean(secureJsonFields[key])}
                value={secureJsonData[key] ?? ''}
                placeholder="Value"
                onReset={() =>
                  onOptionsChange({
                    ...options,
                    secureJsonFields: { ...secureJsonFields, [key]: false },
                    secureJsonData: { ...secureJsonData, [key]: '' },
                  })
                }
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: e.currentTarget.value } })
                }
              />
            </InlineField>
            <Button
              variant="secondary"
              fill="text"
              icon="trash-alt"
              aria-label={`Remove ${prefix} header ${i + 1}`}
              onClick={() => onOptionsChange(removeHeader(options, list, i))}
            />
          </InlineFieldRow>
        );
      })}
    </div>
  );
}
