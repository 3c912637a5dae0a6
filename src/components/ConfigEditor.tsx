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
import React, { ChangeEvent, FormEvent } from 'react';

import { KumaDataSourceOptions, KumaSecureJsonData, PrometheusAuth } from '../types';

export type Props = DataSourcePluginOptionsEditorProps<KumaDataSourceOptions, KumaSecureJsonData>;

type Options = Props['options'];
type SecureKey = keyof KumaSecureJsonData;
type SwitchKey = 'tlsSkipVerify' | 'tlsAuth' | 'tlsAuthWithCACert' | 'prometheusTlsSkipVerify';
/** Prefix of a numbered header list: `httpHeaderName1..N` (control plane) or `prometheusHeaderName1..N`. */
export type HeaderList = 'http' | 'prometheus';

const LABEL_WIDTH = 26;
const INPUT_WIDTH = 50;
const PEM_SIZE = { cols: INPUT_WIDTH, rows: 5 };
const PEM_CERT = 'Begins with -----BEGIN CERTIFICATE-----';

const AUTH_OPTIONS: Array<SelectableValue<PrometheusAuth>> = [
  { label: 'No auth', value: 'none' },
  { label: 'Basic auth', value: 'basic' },
  { label: 'Bearer token', value: 'bearer' },
];

const headerNameKey = (list: HeaderList, slot: number) => `${list}HeaderName${slot}` as const;
const headerValueKey = (list: HeaderList, slot: number) => `${list}HeaderValue${slot}` as const;

/** Header names of a list, slot 1 first, up to the first missing slot (where the backend stops reading). */
export function headerNames(jsonData: KumaDataSourceOptions, list: HeaderList): string[] {
  const names: string[] = [];
  for (let slot = 1; typeof jsonData[headerNameKey(list, slot)] === 'string'; slot++) {
    names.push(jsonData[headerNameKey(list, slot)] ?? '');
  }
  return names;
}

/** True when the legacy community-plugin setting that proxied metrics through another data source is present. */
export function hasLegacyPrometheusDataSource(jsonData: KumaDataSourceOptions): boolean {
  const id = jsonData.prometheusDataSourceId;
  return id !== undefined && id !== null && String(id).trim() !== '';
}

function parseNumber(raw: string): number | undefined {
  if (raw.trim() === '') {
    return undefined;
  }
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Props of a SecretInput / SecretTextArea bound to secret `key`. */
function secretProps(props: Props, key: SecureKey, id: string, placeholder: string) {
  const { options, onOptionsChange } = props;
  return {
    id,
    placeholder,
    isConfigured: Boolean(options.secureJsonFields?.[key]),
    value: options.secureJsonData?.[key] ?? '',
    onReset: () => onOptionsChange(withSecretReset(options, key)),
    onChange: (e: FormEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onOptionsChange(withSecret(options, key, e.currentTarget.value)),
  };
}

function withSecret(options: Options, key: SecureKey, value: string): Options {
  return { ...options, secureJsonData: { ...options.secureJsonData, [key]: value } };
}

/** Marks a secret as not stored; Grafana saves `value` over it on save ('' forgets it). */
function withSecretReset(options: Options, key: SecureKey, value = ''): Options {
  return { ...withSecret(options, key, value), secureJsonFields: { ...options.secureJsonFields, [key]: false } };
}

/**
 * Removes header `slot` (1-based) of a list and renumbers the later ones down so the slots stay gapless.
 * Header values are secrets stored by slot: a value typed in this session moves with its header; a value
 * already stored cannot be read back, so that header is shown as not configured and must be re-entered.
 * The last slot's name is deleted and its secret reset, so no stale secret is left behind.
 */
export function removeHeader(options: Options, list: HeaderList, slot: number): Options {
  const names = headerNames(options.jsonData, list);
  const typed = options.secureJsonData ?? {};
  const jsonData: KumaDataSourceOptions = { ...options.jsonData };
  let next = options;
  for (let s = slot; s <= names.length; s++) {
    // slot s takes over slot s + 1 (names[s] is its name); the last slot takes over nothing
    jsonData[headerNameKey(list, s)] = names[s];
    next = withSecretReset(next, headerValueKey(list, s), typed[headerValueKey(list, s + 1)] ?? '');
  }
  delete jsonData[headerNameKey(list, names.length)];
  return { ...next, jsonData };
}

export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const jsonData = options.jsonData ?? {};

  const setJson = <K extends keyof KumaDataSourceOptions>(key: K, value: KumaDataSourceOptions[K]) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  };

  const switchField = (key: SwitchKey, label: string, tooltip: string) => (
    <InlineField label={label} labelWidth={LABEL_WIDTH} htmlFor={`kuma-${key}`} tooltip={tooltip}>
      <InlineSwitch
        id={`kuma-${key}`}
        value={Boolean(jsonData[key])}
        onChange={(e) => setJson(key, e.currentTarget.checked)}
      />
    </InlineField>
  );

  const numberField = (
    key:
      'timeout' | 'prometheusTimeout' | 'prometheusMaxSeries' | 'prometheusMaxResponseMB' | 'prometheusScrapeInterval',
    label: string,
    tooltip: string
  ) => (
    <InlineField
      label={label}
      labelWidth={LABEL_WIDTH}
      htmlFor={`kuma-${key}`}
      tooltip={`${tooltip} Empty uses the default.`}
    >
      <Input
        id={`kuma-${key}`}
        type="number"
        min={0}
        width={12}
        value={jsonData[key] ?? ''}
        onChange={(e: ChangeEvent<HTMLInputElement>) => setJson(key, parseNumber(e.currentTarget.value))}
      />
    </InlineField>
  );

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
            onChange={(e: ChangeEvent<HTMLInputElement>) => {
              // moves the community plugin's jsonData.url to the data source URL
              const { url: _legacy, ...rest } = jsonData;
              onOptionsChange({ ...options, url: e.currentTarget.value, jsonData: rest });
            }}
          />
        </InlineField>
        <InlineField
          label="Control plane token"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-cp-token"
          tooltip="Sent as a bearer token to the control-plane API (e.g. a Kuma user token)"
        >
          <SecretInput {...secretProps(props, 'cpToken', 'kuma-cp-token', 'Bearer token')} width={INPUT_WIDTH} />
        </InlineField>
        {numberField('timeout', 'Control plane timeout (s)', 'Timeout of one control-plane request, in seconds.')}
        <HeadersEditor
          {...props}
          list="http"
          title="Control plane headers"
          tooltip="Extra HTTP headers sent with every control-plane request; the values are stored encrypted"
          placeholder="X-Header"
        />
      </FieldSet>

      <FieldSet label="TLS">
        {switchField(
          'tlsSkipVerify',
          'Skip TLS verify',
          'Do not verify the server certificate (insecure; for testing only)'
        )}
        {switchField('tlsAuth', 'TLS client auth', 'Present a client certificate (mTLS)')}
        {switchField('tlsAuthWithCACert', 'With CA cert', 'Verify the server certificate against this CA')}
        {jsonData.tlsAuthWithCACert && (
          <InlineField label="CA cert" labelWidth={LABEL_WIDTH} htmlFor="kuma-tls-ca-cert">
            <SecretTextArea {...secretProps(props, 'tlsCACert', 'kuma-tls-ca-cert', PEM_CERT)} {...PEM_SIZE} />
          </InlineField>
        )}
        {jsonData.tlsAuth && (
          <>
            <InlineField label="Client cert" labelWidth={LABEL_WIDTH} htmlFor="kuma-tls-client-cert">
              <SecretTextArea
                {...secretProps(props, 'tlsClientCert', 'kuma-tls-client-cert', PEM_CERT)}
                {...PEM_SIZE}
              />
            </InlineField>
            <InlineField label="Client key" labelWidth={LABEL_WIDTH} htmlFor="kuma-tls-client-key">
              <SecretTextArea
                {...secretProps(
                  props,
                  'tlsClientKey',
                  'kuma-tls-client-key',
                  'Begins with -----BEGIN PRIVATE KEY-----'
                )}
                {...PEM_SIZE}
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
                {...secretProps(props, 'prometheusPassword', 'kuma-prom-password', 'Password')}
                width={INPUT_WIDTH}
              />
            </InlineField>
          </>
        )}
        {auth === 'bearer' && (
          <InlineField label="Token" labelWidth={LABEL_WIDTH} htmlFor="kuma-prom-token">
            <SecretInput
              {...secretProps(props, 'prometheusToken', 'kuma-prom-token', 'Bearer token')}
              width={INPUT_WIDTH}
            />
          </InlineField>
        )}
        {switchField(
          'prometheusTlsSkipVerify',
          'Prometheus skip TLS verify',
          'Do not verify the Prometheus server certificate (insecure; for testing only)'
        )}
        <InlineField
          label="Prometheus CA cert"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-prom-ca-cert"
          tooltip="Verify the Prometheus server certificate against this CA (PEM). Empty uses the system CAs."
        >
          <SecretTextArea {...secretProps(props, 'prometheusCACert', 'kuma-prom-ca-cert', PEM_CERT)} {...PEM_SIZE} />
        </InlineField>
        {numberField('prometheusTimeout', 'Prometheus timeout (s)', 'Timeout of one Prometheus query, in seconds.')}
        {numberField(
          'prometheusScrapeInterval',
          'Scrape interval (s)',
          "How often Prometheus scrapes the proxies (default 15); $__rate_interval in the map is derived from it, as in Grafana's Prometheus data source."
        )}
        {numberField(
          'prometheusMaxSeries',
          'Max series per query',
          'Series one service-map sub-query may return (default 200000); more are dropped with a notice.'
        )}
        {numberField(
          'prometheusMaxResponseMB',
          'Max answer size (MiB)',
          'Largest Prometheus answer read (default 128); a larger one fails that sub-query with a notice.'
        )}
        <HeadersEditor
          {...props}
          list="prometheus"
          title="Prometheus headers"
          tooltip={
            'Extra HTTP headers sent with every Prometheus query; the values are stored encrypted. ' +
            'E.g. the tenant: X-Scope-OrgID for Mimir or Cortex, THANOS-TENANT for Thanos, ' +
            'or the header your VictoriaMetrics gateway expects.'
          }
          placeholder="X-Scope-OrgID"
        />
      </FieldSet>
    </>
  );
}

type HeadersEditorProps = Props & { list: HeaderList; title: string; tooltip: string; placeholder: string };

/** A numbered header list: names in jsonData (`<list>HeaderName<n>`), values as secrets (`<list>HeaderValue<n>`). */
function HeadersEditor({ list, title, tooltip, placeholder, ...props }: HeadersEditorProps) {
  const { options, onOptionsChange } = props;
  const names = headerNames(options.jsonData, list);
  const setName = (slot: number, name: string) =>
    onOptionsChange({ ...options, jsonData: { ...options.jsonData, [headerNameKey(list, slot)]: name } });

  return (
    <div data-testid={`${list}-headers-editor`}>
      <InlineFieldRow>
        <InlineField label={title} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
          <Button
            variant="secondary"
            icon="plus"
            size="sm"
            aria-label={`Add ${title.toLowerCase()}`}
            onClick={() => setName(names.length + 1, '')}
          >
            Add header
          </Button>
        </InlineField>
      </InlineFieldRow>
      {names.map((name, i) => {
        const slot = i + 1;
        return (
          <InlineFieldRow key={slot}>
            <InlineField label="Name" labelWidth={12} htmlFor={`${list}-header-name-${slot}`}>
              <Input
                id={`${list}-header-name-${slot}`}
                width={24}
                value={name}
                placeholder={placeholder}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setName(slot, e.currentTarget.value)}
              />
            </InlineField>
            <InlineField label="Value" labelWidth={10} htmlFor={`${list}-header-value-${slot}`}>
              <SecretInput
                {...secretProps(props, headerValueKey(list, slot), `${list}-header-value-${slot}`, 'Value')}
                width={30}
              />
            </InlineField>
            <Button
              variant="secondary"
              fill="text"
              icon="trash-alt"
              aria-label={`Remove ${title.toLowerCase()} ${slot}`}
              onClick={() => onOptionsChange(removeHeader(options, list, slot))}
            />
          </InlineFieldRow>
        );
      })}
    </div>
  );
}
