import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, InlineSwitch, Input, MultiSelect, Select } from '@grafana/ui';
import React, { ChangeEvent, useEffect, useMemo, useState } from 'react';

import type { DataSource } from '../datasource';
import {
  ALL_QUERY_TYPES,
  DEFAULT_MAX_NODES,
  DEFAULT_ROLLUP_REGEX,
  KumaDataSourceOptions,
  KumaQuery,
  KumaQueryType,
  NamedResource,
  needsMesh,
  takesService,
  QUERY_TYPE_LABELS,
  QueryType,
  ZONE_SIDES,
} from '../types';
import { FocusFields, HealthFields } from './MapFields';
import { ServiceStatsFields } from './ServiceStatsFields';

export type Props = QueryEditorProps<DataSource, KumaQuery, KumaDataSourceOptions>;

const LABEL_WIDTH = 18;

type Field = Exclude<keyof KumaQuery, 'refId' | 'queryType' | 'hide' | 'key' | 'datasource'>;

/** The fields of the map's join, which the map and its numbers (service-stats) share. */
const JOIN_FIELDS: readonly Field[] = [
  'mesh',
  'zones',
  'zone',
  'serviceRegex',
  'rollupRegEx',
  'groupByZone',
  'zoneSide',
  'rateInterval',
  'focus',
  'depth',
  'direction',
];

/** The model fields each query type reads; switching type drops the others. */
export const FIELDS_BY_TYPE: Record<KumaQueryType, readonly Field[]> = {
  meshes: [],
  zones: [],
  services: ['mesh', 'zones', 'zone'],
  dataplanes: ['mesh', 'service', 'zones', 'zone'],
  workloads: ['mesh', 'service'],
  gateways: ['mesh'],
  'mesh-insights': ['mesh'],
  // The map draws: it folds, hides and colours.
  'mesh-graph': [
    ...JOIN_FIELDS,
    'hideIdle',
    'maxNodes',
    'healthErrorRatioDegraded',
    'healthErrorRatioFailing',
    'healthP99DegradedMs',
  ],
  // The map's join without folding or hiding (every service is its own alert instance), and its own fields.
  'service-stats': [...JOIN_FIELDS, 'scope', 'stats', 'format'],
};

/** The query after choosing another type: inapplicable fields removed, service-map defaults filled in. */
export function changeQueryType(query: KumaQuery, queryType: KumaQueryType): KumaQuery {
  const keep = FIELDS_BY_TYPE[queryType];
  const next: KumaQuery = { refId: query.refId, queryType };
  for (const key of ['hide', 'key', 'datasource'] as const) {
    if (query[key] !== undefined) {
      (next as unknown as Record<string, unknown>)[key] = query[key];
    }
  }
  for (const field of keep) {
    if (query[field] !== undefined) {
      (next as unknown as Record<string, unknown>)[field] = query[field];
    }
  }
  if (queryType === QueryType.MeshGraph || queryType === QueryType.ServiceStats) {
    next.rollupRegEx = next.rollupRegEx ?? DEFAULT_ROLLUP_REGEX;
  }
  if (queryType === QueryType.MeshGraph) {
    next.maxNodes = next.maxNodes ?? DEFAULT_MAX_NODES;
  }
  return next;
}

const TYPE_OPTIONS: Array<SelectableValue<KumaQueryType>> = ALL_QUERY_TYPES.map((t) => ({
  value: t,
  label: QUERY_TYPE_LABELS[t].label,
  description: QUERY_TYPE_LABELS[t].description,
}));

/** Options from a resource list plus dashboard variables, with the current value(s) always present. */
export function toOptions(items: NamedResource[], variables: string[], current: Array<string | undefined>) {
  const seen = new Set<string>();
  const out: Array<SelectableValue<string>> = [];
  const add = (value: string | undefined, description?: string) => {
    if (value && !seen.has(value)) {
      seen.add(value);
      out.push({ label: value, value, description });
    }
  };
  items.forEach((i) => add(i.name));
  variables.forEach((v) => add(v, 'Dashboard variable'));
  current.forEach((c) => add(c));
  return out;
}

/** The zone sides, then dashboard variables (one may hold a side), with the current value present. */
function zoneSideOptions(variables: string[], current: string | undefined): Array<SelectableValue<string>> {
  const sides: Array<SelectableValue<string>> = ZONE_SIDES.map((z) => ({ ...z }));
  return [...sides, ...toOptions([], variables, [current]).filter((o) => !ZONE_SIDES.some((z) => z.value === o.value))];
}

interface ResourceState {
  items: NamedResource[];
  loading: boolean;
  error?: string;
}

function useResource(load: (() => Promise<NamedResource[]>) | undefined, deps: unknown[]): ResourceState {
  const [state, setState] = useState<ResourceState>({ items: [], loading: false });
  useEffect(() => {
    if (!load) {
      setState({ items: [], loading: false });
      return;
    }
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load()
      .then((items) => !cancelled && setState({ items: Array.isArray(items) ? items : [], loading: false }))
      .catch((err: unknown) => !cancelled && setState({ items: [], loading: false, error: errorText(err) }));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { data?: { error?: string; message?: string }; message?: string; statusText?: string };
    return e.data?.error ?? e.data?.message ?? e.message ?? e.statusText ?? 'request failed';
  }
  return String(err);
}

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  // New queries get the service map from getDefaultQuery; a stored query without a type runs as `meshes`
  // in the backend, so show it as such.
  const queryType: KumaQueryType = query.queryType ?? QueryType.Meshes;
  const withMesh = needsMesh(queryType);
  const isGraph = queryType === QueryType.MeshGraph;
  // The map and its numbers (service-stats) share the join's options.
  const isJoin = isGraph || queryType === QueryType.ServiceStats;
  const withService = takesService(queryType);
  const withZones = FIELDS_BY_TYPE[queryType].includes('zones');

  const variables = useMemo(() => datasource.getVariableNames(), [datasource]);
  const meshes = useResource(withMesh ? () => datasource.getMeshes() : undefined, [datasource, withMesh]);
  const zones = useResource(withZones ? () => datasource.getZones() : undefined, [datasource, withZones]);
  // Dataplanes and workloads pick a service; the map and its numbers a focus.
  const listServices = withService || isJoin;
  const services = useResource(listServices && query.mesh ? () => datasource.getServices(query.mesh!) : undefined, [
    datasource,
    listServices,
    query.mesh,
  ]);

  const update = (patch: Partial<KumaQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  const textProps = (field: 'serviceRegex' | 'rollupRegEx' | 'rateInterval') => ({
    value: query[field] ?? '',
    onChange: (e: ChangeEvent<HTMLInputElement>) => update({ [field]: e.currentTarget.value }, false),
    onBlur: () => onRunQuery(),
  });

  const switchField = (field: 'hideIdle' | 'groupByZone', label: string, tooltip: string) => {
    const id = `kuma-${field}`;
    return (
      <InlineField label={label} labelWidth={16} htmlFor={id} tooltip={tooltip}>
        <InlineSwitch
          id={id}
          value={Boolean(query[field])}
          onChange={(e) => update({ [field]: e.currentTarget.checked })}
        />
      </InlineField>
    );
  };

  const selectedZones = query.zones ?? (query.zone ? [query.zone] : []);
  const loadError = meshes.error ?? zones.error ?? services.error;

  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH} htmlFor="kuma-query-type">
          <Select
            inputId="kuma-query-type"
            width={28}
            options={TYPE_OPTIONS}
            value={queryType}
            onChange={(v) => {
              onChange(changeQueryType(query, v.value!));
              onRunQuery();
            }}
          />
        </InlineField>
        {withMesh && (
          <InlineField
            label="Mesh"
            labelWidth={10}
            htmlFor="kuma-mesh"
            invalid={!query.mesh}
            error={!query.mesh ? 'A mesh is required' : undefined}
          >
            <Select
              inputId="kuma-mesh"
              width={28}
              allowCustomValue
              isLoading={meshes.loading}
              placeholder="Choose a mesh"
              options={toOptions(meshes.items, variables, [query.mesh])}
              value={query.mesh ?? null}
              onChange={(v) => update({ mesh: v?.value })}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      {withService && (
        <InlineFieldRow>
          <InlineField
            label="Service"
            labelWidth={LABEL_WIDTH}
            htmlFor="kuma-service"
            tooltip="Only dataplanes of this service"
          >
            <Select
              inputId="kuma-service"
              width={28}
              allowCustomValue
              isClearable
              isLoading={services.loading}
              placeholder="All services"
              options={toOptions(services.items, variables, [query.service])}
              value={query.service ?? null}
              onChange={(v) => update({ service: v?.value || undefined })}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      {withZones && (
        <InlineFieldRow>
          <InlineField
            label="Zones"
            labelWidth={LABEL_WIDTH}
            htmlFor="kuma-zones"
            tooltip="Only these zones; empty for all zones"
          >
            <MultiSelect
              inputId="kuma-zones"
              width={40}
              allowCustomValue
              isLoading={zones.loading}
              placeholder="All zones"
              options={toOptions(zones.items, variables, selectedZones)}
              value={selectedZones}
              onChange={(vs) => {
                const { zone: _legacy, ...rest } = query;
                onChange({ ...rest, zones: vs.map((v) => v.value!).filter(Boolean) });
                onRunQuery();
              }}
            />
          </InlineField>
          {isJoin && (
            <InlineField
              label="Zone side"
              labelWidth={12}
              htmlFor="kuma-zone-side"
              tooltip="Whether the zones select the requests' sources (the proxies that report them), their destinations (traffic into the zones' services) or either"
            >
              <Select
                inputId="kuma-zone-side"
                width={20}
                allowCustomValue
                options={zoneSideOptions(variables, query.zoneSide)}
                value={query.zoneSide ?? ZONE_SIDES[0].value}
                onChange={(v) => update({ zoneSide: v.value })}
              />
            </InlineField>
          )}
        </InlineFieldRow>
      )}

      {queryType === QueryType.ServiceStats && <ServiceStatsFields query={query} onChange={(patch) => update(patch)} />}

      {isJoin && (
        <>
          <InlineFieldRow>
            <InlineField
              label="Service regex"
              labelWidth={16}
              htmlFor="kuma-service-regex"
              tooltip="Only services whose name matches this regular expression"
            >
              <Input id="kuma-service-regex" width={24} placeholder=".*" {...textProps('serviceRegex')} />
            </InlineField>
          </InlineFieldRow>
          <InlineFieldRow>
            <InlineField
              label="Rollup regex"
              labelWidth={LABEL_WIDTH}
              htmlFor="kuma-rollup-regex"
              tooltip="Services whose names match are merged under the first capture group, e.g. backend_svc_8080 → backend"
            >
              <Input
                id="kuma-rollup-regex"
                width={40}
                placeholder={DEFAULT_ROLLUP_REGEX}
                {...textProps('rollupRegEx')}
              />
            </InlineField>
            {isGraph && (
              <InlineField
                label="Max nodes"
                labelWidth={16}
                htmlFor="kuma-max-nodes"
                tooltip="The busiest services are kept; the rest are folded into one node"
              >
                <Input
                  id="kuma-max-nodes"
                  type="number"
                  min={1}
                  width={12}
                  value={query.maxNodes ?? ''}
                  placeholder={String(DEFAULT_MAX_NODES)}
                  onChange={(e: ChangeEvent<HTMLInputElement>) => {
                    const raw = e.currentTarget.value;
                    const n = parseInt(raw, 10);
                    update({ maxNodes: raw === '' || !Number.isFinite(n) ? undefined : n }, false);
                  }}
                  onBlur={() => onRunQuery()}
                />
              </InlineField>
            )}
          </InlineFieldRow>
          <InlineFieldRow>
            <InlineField
              label="Rate interval"
              labelWidth={LABEL_WIDTH}
              htmlFor="kuma-rate-interval"
              tooltip="Window the map's rates cover, ending at the end of the time range, e.g. 5m; empty covers the whole range"
            >
              <Input id="kuma-rate-interval" width={12} placeholder="auto" {...textProps('rateInterval')} />
            </InlineField>
            {isGraph && switchField('hideIdle', 'Hide idle', 'Hide services without traffic')}
            {switchField('groupByZone', 'Group by zone', 'One node per service and zone')}
          </InlineFieldRow>
          <FocusFields
            query={query}
            services={toOptions(services.items, variables, [query.focus])}
            loading={services.loading}
            onChange={(patch) => update(patch)}
          />
          {isGraph && (
            <HealthFields values={query} onChange={(patch) => update(patch, false)} onBlur={() => onRunQuery()} />
          )}
        </>
      )}

      {loadError && (
        <Alert title="Could not load choices from the control plane" severity="warning">
          {loadError}
        </Alert>
      )}
    </div>
  );
}
