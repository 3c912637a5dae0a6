import { css } from '@emotion/css';
import { DataSourcePluginOptionsEditorProps, GrafanaTheme2 } from '@grafana/data';
import {
  Auth,
  AuthMethod,
  ConfigSection,
  ConfigSubSection,
  ConnectionSettings,
  convertLegacyAuthProps,
  DataSourceDescription,
  TLSSettings,
} from '@grafana/plugin-ui';
import {
  Alert,
  Button,
  Checkbox,
  Divider,
  InlineField,
  Input,
  SecretInput,
  SecretTextArea,
  useStyles2,
} from '@grafana/ui';
import React, { ChangeEvent, FormEvent, useState } from 'react';

import { KumaDataSourceOptions, KumaSecureJsonData, PrometheusAuth } from '../types';

export type Props = DataSourcePluginOptionsEditorProps<KumaDataSourceOptions, KumaSecureJsonData>;

type Options = Props['options'];
type SecureKey = keyof KumaSecureJsonData;
type NumberKey =
  'timeout' | 'prometheusTimeout' | 'prometheusMaxSeries' | 'prometheusMaxResponseMB' | 'prometheusScrapeInterval';
/** Prefix of a numbered header list: `httpHeaderName1..N` (control plane) or `prometheusHeaderName1..N`. */
export type HeaderList = 'http' | 'prometheus';

// @grafana/plugin-ui's sections use label width 24; fields of this editor line up with theirs.
const LABEL_WIDTH = 24;
const NUMBER_WIDTH = 16;

/**
 * The backend's defaults (pkg/models/settings.go), shown as placeholders: an empty field uses them.
 * Timeouts and the scrape interval in seconds, the answer cap in MiB.
 */
export const SETTING_DEFAULTS: Record<NumberKey, number> = {
  timeout: 30,
  prometheusTimeout: 30,
  prometheusScrapeInterval: 15,
  prometheusMaxSeries: 200000,
  prometheusMaxResponseMB: 128,
};

const CP_TOKEN_METHOD = 'custom-cp-token' as const;
const PROMETHEUS_TOKEN_METHOD = 'custom-prometheus-token' as const;
// plugin-ui names methods a plugin adds `custom-<id>`.
type AuthChoice = AuthMethod | `custom-${string}`;

const PROMETHEUS_AUTH_METHODS: Record<PrometheusAuth, AuthChoice> = {
  none: AuthMethod.NoAuth,
  basic: AuthMethod.BasicAuth,
  bearer: PROMETHEUS_TOKEN_METHOD,
};

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

/** One row of @grafana/plugin-ui's custom headers editor. */
interface HeaderRow {
  name: string;
  value?: string;
  configured: boolean;
}

/**
 * Writes the rows of a header list back to its numbered keys, slot 1 first and without gaps (where the
 * backend stops reading). Values are secrets stored by slot: a value typed in this session moves with its
 * header; a stored value that cannot be read back stays only where it was stored, so a stored header that
 * moved to another slot is shown as not configured and must be re-entered. Slots past the end are cleared
 * and their secrets reset, so no stale secret is left behind.
 */
export function withHeaders(options: Options, list: HeaderList, rows: HeaderRow[]): Options {
  const before = headerNames(options.jsonData, list);
  const jsonData: KumaDataSourceOptions = { ...options.jsonData };
  before.forEach((_, i) => delete jsonData[headerNameKey(list, i + 1)]);
  let next: Options = options;
  rows.forEach((row, i) => {
    const slot = i + 1;
    jsonData[headerNameKey(list, slot)] = row.name;
    const storedHere =
      row.configured && before[i] === row.name && Boolean(options.secureJsonFields?.[headerValueKey(list, slot)]);
    if (!storedHere) {
      next = withSecretReset(next, headerValueKey(list, slot), row.value ?? '');
    }
  });
  for (let slot = rows.length + 1; slot <= before.length; slot++) {
    next = withSecretReset(next, headerValueKey(list, slot));
  }
  return { ...next, jsonData };
}

/** The props of plugin-ui's custom headers editor for a header list. */
function headersProps(props: Props, list: HeaderList) {
  const { options, onOptionsChange } = props;
  return {
    headers: headerNames(options.jsonData, list).map((name, i) => ({
      name,
      configured: Boolean(options.secureJsonFields?.[headerValueKey(list, i + 1)]),
    })),
    onChange: (rows: HeaderRow[]) => onOptionsChange(withHeaders(options, list, rows)),
  };
}

/** An authentication method for plugin-ui's Auth: a secret token the backend sends as a bearer header. */
function tokenMethod(
  props: Props,
  id: `custom-${string}`,
  key: 'cpToken' | 'prometheusToken',
  text: { label: string; description: string; field: string; inputId: string }
) {
  return {
    id,
    label: text.label,
    description: text.description,
    component: (
      <InlineField label={text.field} labelWidth={LABEL_WIDTH} htmlFor={text.inputId} grow>
        <SecretInput {...secretProps(props, key, text.inputId, 'Bearer token')} />
      </InlineField>
    ),
  };
}

export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const jsonData = options.jsonData ?? {};
  const secureFields = options.secureJsonFields ?? {};
  const setJson = <K extends keyof KumaDataSourceOptions>(key: K, value: KumaDataSourceOptions[K]) => {
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  };

  // The chosen CP auth method is not a setting of its own: a stored or typed token means "token".
  const [cpAuth, setCpAuth] = useState<AuthChoice>(
    secureFields.cpToken || options.secureJsonData?.cpToken ? CP_TOKEN_METHOD : AuthMethod.NoAuth
  );
  // Likewise the Prometheus CA: a stored CA certificate means "self-signed certificate" is on.
  const [prometheusCA, setPrometheusCA] = useState(Boolean(secureFields.prometheusCACert));

  const numberField = (key: NumberKey, label: string, tooltip: string) => (
    <InlineField label={label} labelWidth={LABEL_WIDTH} htmlFor={`kuma-${key}`} tooltip={tooltip}>
      <Input
        id={`kuma-${key}`}
        type="number"
        min={0}
        width={NUMBER_WIDTH}
        placeholder={String(SETTING_DEFAULTS[key])}
        value={jsonData[key] ?? ''}
        onChange={(e: ChangeEvent<HTMLInputElement>) => setJson(key, parseNumber(e.currentTarget.value))}
      />
    </InlineField>
  );

  // The community plugin kept the CP URL in jsonData.url: shown until edited, then moved to the URL.
  const connection = { ...options, url: options.url || jsonData.url || '' };
  // Grafana's standard TLS keys (tlsAuth, tlsAuthWithCACert, tlsSkipVerify, serverName and the three PEM
  // secrets), which the backend reads through the SDK's HTTP client options; the conversion always sets all three parts.
  const converted = convertLegacyAuthProps({ config: options, onChange: onOptionsChange }).TLS as Omit<
    React.ComponentProps<typeof TLSSettings>,
    'readOnly'
  >;
  // An unset switch is off: passing `undefined` would make plugin-ui's checkboxes uncontrolled (a React warning).
  const cpTLS = {
    ...converted,
    TLSClientAuth: { ...converted.TLSClientAuth, enabled: Boolean(jsonData.tlsAuth) },
    skipTLSVerification: { ...converted.skipTLSVerification, enabled: Boolean(jsonData.tlsSkipVerify) },
  };
  const prometheusAuth: PrometheusAuth = jsonData.prometheusAuth ?? 'none';
  const styles = useStyles2(getStyles);

  return (
    <>
      <DataSourceDescription
        dataSourceName="Kuma"
        docsLink="https://github.com/kumahq/kuma-grafana-datasource#configuration"
        hasRequiredFields
      />
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
      <Divider />

      {/* Two endpoints, each with plugin-ui's connection, authentication, TLS and header sections under its own heading. */}
      <EndpointHeading
        title="Kuma control plane"
        description="The control plane's REST API: the inventory, the variables and the service map's services come from it."
      />
      <ConnectionSettings
        config={connection}
        onChange={(next) => {
          const { url: _legacy, ...rest } = jsonData;
          onOptionsChange({ ...options, url: next.url, jsonData: rest });
        }}
        urlLabel="Control plane URL"
        urlPlaceholder="http://kuma-control-plane.kuma-system:5681"
        urlTooltip="Base URL of the Kuma control-plane API; for multi-zone, the global control plane"
      />
      {numberField('timeout', 'Timeout (s)', 'Timeout of one control-plane request, in seconds.')}
      <Auth
        selectedMethod={cpAuth}
        visibleMethods={[AuthMethod.NoAuth, CP_TOKEN_METHOD]}
        onAuthMethodSelect={(method) => {
          setCpAuth(method);
          if (method !== CP_TOKEN_METHOD) {
            onOptionsChange(withSecretReset(options, 'cpToken'));
          }
        }}
        customMethods={[
          tokenMethod(props, CP_TOKEN_METHOD, 'cpToken', {
            label: 'Control plane token',
            description: 'A Kuma user token, sent as a bearer token (not needed from loopback)',
            field: 'Control plane token',
            inputId: 'kuma-cp-token',
          }),
        ]}
        customHeaders={headersProps(props, 'http')}
      />
      <div className={styles.section}>
        <TLSSettings {...cpTLS} readOnly={Boolean(options.readOnly)} />
      </div>
      <Divider />

      <EndpointHeading
        title="Prometheus"
        description="The Prometheus-compatible store (Prometheus, Mimir, Cortex, Thanos, VictoriaMetrics) that scrapes the mesh: the service map's traffic comes from it."
      />
      <ConfigSection title="Connection" className={styles.section}>
        <InlineField
          label="Prometheus URL"
          labelWidth={LABEL_WIDTH}
          htmlFor="kuma-prom-url"
          tooltip="Base of the Prometheus HTTP API, without /api/v1"
          grow
        >
          <Input
            id="kuma-prom-url"
            value={jsonData.prometheusUrl ?? ''}
            placeholder="http://prometheus-server.monitoring:80"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setJson('prometheusUrl', e.currentTarget.value)}
          />
        </InlineField>
        {numberField('prometheusTimeout', 'Query timeout (s)', 'Timeout of one Prometheus query, in seconds.')}
        {numberField(
          'prometheusScrapeInterval',
          'Scrape interval (s)',
          "How often Prometheus scrapes the proxies; $__rate_interval in the map is derived from it, as in Grafana's Prometheus data source."
        )}
        {numberField(
          'prometheusMaxSeries',
          'Max series per query',
          'Series one service-map sub-query may return; more are dropped with a notice.'
        )}
        {numberField(
          'prometheusMaxResponseMB',
          'Max answer (MiB)',
          'Largest Prometheus answer read; a larger one fails that sub-query with a notice.'
        )}
      </ConfigSection>
      <Auth
        selectedMethod={PROMETHEUS_AUTH_METHODS[prometheusAuth]}
        visibleMethods={[AuthMethod.NoAuth, AuthMethod.BasicAuth, PROMETHEUS_TOKEN_METHOD]}
        onAuthMethodSelect={(method) => {
          const auth = (Object.keys(PROMETHEUS_AUTH_METHODS) as PrometheusAuth[]).find(
            (k) => PROMETHEUS_AUTH_METHODS[k] === method
          );
          setJson('prometheusAuth', auth ?? 'none');
        }}
        basicAuth={{
          user: jsonData.prometheusUser,
          passwordConfigured: Boolean(secureFields.prometheusPassword),
          onUserChange: (user) => setJson('prometheusUser', user),
          onPasswordChange: (password) => onOptionsChange(withSecret(options, 'prometheusPassword', password)),
          onPasswordReset: () => onOptionsChange(withSecretReset(options, 'prometheusPassword')),
        }}
        customMethods={[
          tokenMethod(props, PROMETHEUS_TOKEN_METHOD, 'prometheusToken', {
            label: 'Bearer token',
            description: 'Sent as Authorization: Bearer <token>',
            field: 'Token',
            inputId: 'kuma-prom-token',
          }),
        ]}
        customHeaders={headersProps(props, 'prometheus')}
      />
      {/* Laid out as plugin-ui's TLS settings of the control plane; Prometheus takes a CA and skip-verify only (no client certificate). */}
      <ConfigSubSection
        title="TLS settings"
        description="TLS to Prometheus: a CA of your own, or no verification"
        className={styles.section}
      >
        <div>
          <Checkbox
            label="Add self-signed certificate"
            value={prometheusCA}
            onChange={() => {
              if (prometheusCA) {
                onOptionsChange(withSecretReset(options, 'prometheusCACert'));
              }
              setPrometheusCA(!prometheusCA);
            }}
          />
        </div>
        {prometheusCA && (
          <InlineField label="CA Certificate" labelWidth={LABEL_WIDTH} htmlFor="kuma-prom-ca-cert" grow required>
            <SecretTextArea
              {...secretProps(props, 'prometheusCACert', 'kuma-prom-ca-cert', 'Begins with --- BEGIN CERTIFICATE ---')}
              rows={6}
            />
          </InlineField>
        )}
        <div>
          <Checkbox
            label="Skip TLS certificate validation"
            value={Boolean(jsonData.prometheusTlsSkipVerify)}
            onChange={(e: FormEvent<HTMLInputElement>) => setJson('prometheusTlsSkipVerify', e.currentTarget.checked)}
          />
        </div>
      </ConfigSubSection>
    </>
  );
}

/** The heading of one endpoint (the control plane, Prometheus), above plugin-ui's sections for it. */
function EndpointHeading({ title, description }: { title: string; description: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.endpoint}>
      <h2>{title}</h2>
      <p className={styles.description}>{description}</p>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  endpoint: css({ marginTop: theme.spacing(2) }),
  // As wide as plugin-ui's sections (connection, authentication), so inputs and certificate boxes line up.
  section: css({ maxWidth: 578 }),
  description: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
