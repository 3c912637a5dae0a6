import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, MultiSelect, Select } from '@grafana/ui';
import React, { useState } from 'react';

import type { DataSource } from '../datasource';
import {
  KumaDataSourceOptions,
  KumaQuery,
  KumaVariableQuery,
  KumaVariableQueryType,
  QUERY_TYPE_LABELS,
  QueryType,
  VARIABLE_QUERY_TYPES,
} from '../types';
import { toOptions, useResource } from './QueryEditor';

export type Props = QueryEditorProps<DataSource, KumaQuery, KumaDataSourceOptions, KumaVariableQuery>;

const LABEL_WIDTH = 14;
const INPUT_WIDTH = 32;

const TYPE_OPTIONS: Array<SelectableValue<KumaVariableQueryType>> = VARIABLE_QUERY_TYPES.map((t) => ({
  value: t,
  label: QUERY_TYPE_LABELS[t].label,
  description: QUERY_TYPE_LABELS[t].description,
}));

/** A stored variable query may be missing or, from older dashboards, a bare string. */
export function normalizeVariableQuery(query: KumaVariableQuery | string | undefined): KumaVariableQuery {
  if (typeof query === 'string') {
    const t = query.trim() as KumaVariableQueryType;
    return { refId: 'variable', queryType: VARIABLE_QUERY_TYPES.includes(t) ? t : QueryType.Meshes };
  }
  return { ...(query ?? { refId: 'variable' }), queryType: query?.queryType ?? QueryType.Meshes };
}

/** The fields a variable query of each type keeps; switching type drops the others. */
const VARIABLE_FIELDS: Record<KumaVariableQueryType, ReadonlyArray<'mesh' | 'service' | 'zones'>> = {
  meshes: [],
  zones: [],
  services: ['mesh', 'zones'],
  dataplanes: ['mesh', 'service', 'zones'],
  gateways: ['mesh'],
};

export function VariableQueryEditor({ query: rawQuery, onChange, datasource }: Props) {
  const query = normalizeVariableQuery(rawQuery as KumaVariableQuery | string | undefined);
  const fields = VARIABLE_FIELDS[query.queryType] ?? [];
  const withMesh = fields.includes('mesh');
  const withService = fields.includes('service');
  const withZones = fields.includes('zones');
  // Say a mesh is required only once the user has left the field empty, not on a new variable.
  const [meshTouched, setMeshTouched] = useState(false);

  const meshes = useResource(withMesh ? () => datasource.getMeshes() : undefined, [datasource, withMesh]);
  const zones = useResource(withZones ? () => datasource.getZones() : undefined, [datasource, withZones]);
  const services = useResource(withService && query.mesh ? () => datasource.getServices(query.mesh!) : undefined, [
    datasource,
    withService,
    query.mesh,
  ]);

  const emit = (next: KumaVariableQuery) => {
    const out: KumaVariableQuery = { refId: next.refId || 'variable', queryType: next.queryType };
    const keep = VARIABLE_FIELDS[next.queryType] ?? [];
    if (keep.includes('mesh') && next.mesh) {
      out.mesh = next.mesh;
    }
    if (keep.includes('service') && next.service) {
      out.service = next.service;
    }
    if (keep.includes('zones') && next.zones?.length) {
      out.zones = next.zones;
    }
    onChange(out);
  };

  return (
    <>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH} htmlFor="kuma-var-query-type">
          <Select
            inputId="kuma-var-query-type"
            width={INPUT_WIDTH}
            options={TYPE_OPTIONS}
            value={query.queryType}
            onChange={(v) => emit({ ...query, queryType: v.value! })}
          />
        </InlineField>
      </InlineFieldRow>
      {withMesh && (
        <InlineFieldRow>
          <InlineField
            label="Mesh"
            labelWidth={LABEL_WIDTH}
            htmlFor="kuma-var-mesh"
            tooltip="A mesh, or a variable that holds one (e.g. $mesh)"
            invalid={meshTouched && !query.mesh}
            error={meshTouched && !query.mesh ? 'A mesh is required' : undefined}
          >
            <Select
              inputId="kuma-var-mesh"
              width={INPUT_WIDTH}
              allowCustomValue
              isLoading={meshes.loading}
              placeholder="Choose a mesh"
              options={toOptions(meshes.items, datasource.getVariableNames(QueryType.Meshes), [query.mesh])}
              value={query.mesh ?? null}
              onBlur={() => setMeshTouched(true)}
              onChange={(v) => emit({ ...query, mesh: v?.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {withService && (
        <InlineFieldRow>
          <InlineField
            label="Service"
            labelWidth={LABEL_WIDTH}
            htmlFor="kuma-var-service"
            tooltip="Only the proxies of this service; a variable such as $service works"
          >
            <Select
              inputId="kuma-var-service"
              width={INPUT_WIDTH}
              allowCustomValue
              isClearable
              isLoading={services.loading}
              placeholder="All services"
              options={toOptions(services.items, datasource.getVariableNames(QueryType.Services), [query.service])}
              value={query.service ?? null}
              onChange={(v) => emit({ ...query, service: v?.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {withZones && (
        <InlineFieldRow>
          <InlineField
            label="Zones"
            labelWidth={LABEL_WIDTH}
            htmlFor="kuma-var-zones"
            tooltip="Only these zones; empty for all zones"
          >
            <MultiSelect
              inputId="kuma-var-zones"
              width={INPUT_WIDTH}
              allowCustomValue
              isLoading={zones.loading}
              placeholder="All zones"
              options={toOptions(zones.items, datasource.getVariableNames(QueryType.Zones), query.zones ?? [])}
              value={query.zones ?? []}
              onChange={(vs) => emit({ ...query, zones: vs.map((v) => v.value!).filter(Boolean) })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {(meshes.error ?? zones.error ?? services.error) && (
        <Alert title="Could not load choices from the control plane" severity="warning">
          {meshes.error ?? zones.error ?? services.error}
        </Alert>
      )}
    </>
  );
}
