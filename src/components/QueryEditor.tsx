import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, InlineSwitch, Input, Select } from '@grafana/ui';
import React, { ChangeEvent, useMemo } from 'react';

import {
  ALL_QUERY_TYPES,
  DEFAULT_MAX_NODES,
  DEFAULT_ROLLUP_REGEX,
  KumaDataSourceOptions,
  KumaQuery,
  KumaQueryType,
  needsMesh,
  QUERY_TYPE_LABELS,
  QueryType,
  takesService,
  ZONE_SIDES,
  KumaEditorDataSource,
} from '../types';
import { changeQueryType, FIELDS_BY_TYPE } from '../query';
import { FocusFields, HealthFields } from './MapFields';
import { MeshField, ServiceField, toOptions, useResource, ZonesField } from './ResourceFields';
import { ServiceStatsFields } from './ServiceStatsFields';

export type Props = QueryEditorProps<KumaEditorDataSource, KumaQuery, KumaDataSourceOptions>;

const LABEL_WIDTH = 18;

const TYPE_OPTIONS: Array<SelectableValue<KumaQueryType>> = ALL_QUERY_TYPES.map((t) => ({
  value: t,
  label: QUERY_TYPE_LABELS[t].label,
  description: QUERY_TYPE_LABELS[t].description,
}));

/** The zone sides, then dashboard variables (one may hold a side), with the current value present. */
function zoneSideOptions(variables: string[], current: string | undefined): Array<SelectableValue<string>> {
  const sides: Array<SelectableValue<string>> = ZONE_SIDES.map((z) => ({ ...z }));
  return [...sides, ...toOptions([], variables, [current]).filter((o) => !ZONE_SIDES.some((z) => z.value === o.value))];
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

  const variables = useMemo(
    () => ({
      meshes: datasource.getVariableNames(QueryType.Meshes),
      zones: datasource.getVariableNames(QueryType.Zones),
      services: datasource.getVariableNames(QueryType.Services),
      all: datasource.getVariableNames(),
    }),
    [datasource]
  );
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

  const switchField = (field: 'hideIdle' | 'groupByZone' | 'showZoneProxies', label: string, tooltip: string) => {
    const id = `kuma-${field}`;
    return (
      <InlineField label={label} htmlFor={id} tooltip={tooltip}>
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
          <MeshField
            inputId="kuma-mesh"
            labelWidth={10}
            width={28}
            resource={meshes}
            variables={variables.meshes}
            value={query.mesh}
            onChange={(mesh) => update({ mesh })}
          />
        )}
      </InlineFieldRow>

      {withService && (
        <ServiceField
          inputId="kuma-service"
          labelWidth={LABEL_WIDTH}
          width={28}
          tooltip="Only dataplanes of this service"
          resource={services}
          variables={variables.services}
          value={query.service}
          onChange={(service) => update({ service })}
        />
      )}

      {withZones && (
        <ZonesField
          inputId="kuma-zones"
          labelWidth={LABEL_WIDTH}
          width={40}
          resource={zones}
          variables={variables.zones}
          value={selectedZones}
          onChange={(zoneList) => {
            const { zone: _legacy, ...rest } = query;
            onChange({ ...rest, zones: zoneList });
            onRunQuery();
          }}
        />
      )}

      {queryType === QueryType.ServiceStats && <ServiceStatsFields query={query} onChange={(patch) => update(patch)} />}

      {isJoin && (
        <>
          <InlineFieldRow>
            <InlineField
              label="Service regex"
              labelWidth={LABEL_WIDTH}
              htmlFor="kuma-service-regex"
              tooltip="Only services whose name matches this regular expression"
            >
              <Input id="kuma-service-regex" width={40} placeholder=".*" {...textProps('serviceRegex')} />
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
              <Input id="kuma-rate-interval" width={16} placeholder="whole range" {...textProps('rateInterval')} />
            </InlineField>
            {isGraph && switchField('hideIdle', 'Hide idle', 'Hide services without traffic')}
            {switchField('groupByZone', 'Group by zone', 'One node per service and zone')}
            {isGraph &&
              switchField(
                'showZoneProxies',
                'Zone proxies',
                'Draw cross-zone and external traffic through the zone ingresses and egresses that carry it; the ingress hop shows connections and bytes, since it passes mTLS through'
              )}
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
                options={zoneSideOptions(variables.all, query.zoneSide)}
                value={query.zoneSide ?? ZONE_SIDES[0].value}
                onChange={(v) => update({ zoneSide: v.value })}
              />
            </InlineField>
          </InlineFieldRow>
          <FocusFields
            query={query}
            services={toOptions(services.items, variables.services, [query.focus])}
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
