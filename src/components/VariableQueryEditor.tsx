import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, Select } from '@grafana/ui';
import React from 'react';

import {
  KumaDataSourceOptions,
  KumaQuery,
  KumaVariableQuery,
  KumaVariableQueryType,
  QUERY_TYPE_LABELS,
  QueryType,
  VARIABLE_QUERY_TYPES,
  KumaEditorDataSource,
} from '../types';
import { normalizeVariableQuery, VARIABLE_FIELDS } from '../query';
import { MeshField, ServiceField, useResource, ZonesField } from './ResourceFields';

export type Props = QueryEditorProps<KumaEditorDataSource, KumaQuery, KumaDataSourceOptions, KumaVariableQuery>;

const LABEL_WIDTH = 14;
const INPUT_WIDTH = 32;

const TYPE_OPTIONS: Array<SelectableValue<KumaVariableQueryType>> = VARIABLE_QUERY_TYPES.map((t) => ({
  value: t,
  label: QUERY_TYPE_LABELS[t].label,
  description: QUERY_TYPE_LABELS[t].description,
}));

export function VariableQueryEditor({ query: rawQuery, onChange, datasource }: Props) {
  const query = normalizeVariableQuery(rawQuery as KumaVariableQuery | string | undefined);
  const fields = VARIABLE_FIELDS[query.queryType] ?? [];
  const withMesh = fields.includes('mesh');
  const withService = fields.includes('service');
  const withZones = fields.includes('zones');

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
          <MeshField
            inputId="kuma-var-mesh"
            labelWidth={LABEL_WIDTH}
            width={INPUT_WIDTH}
            tooltip="A mesh, or a variable that holds one (e.g. $mesh)"
            resource={meshes}
            variables={datasource.getVariableNames(QueryType.Meshes)}
            value={query.mesh}
            onChange={(mesh) => emit({ ...query, mesh })}
          />
        </InlineFieldRow>
      )}
      {withService && (
        <ServiceField
          inputId="kuma-var-service"
          labelWidth={LABEL_WIDTH}
          width={INPUT_WIDTH}
          tooltip="The service whose proxies, workloads or callees to list; a variable such as $service works"
          resource={services}
          variables={datasource.getVariableNames(QueryType.Services)}
          value={query.service}
          onChange={(service) => emit({ ...query, service })}
        />
      )}
      {withZones && (
        <ZonesField
          inputId="kuma-var-zones"
          labelWidth={LABEL_WIDTH}
          width={INPUT_WIDTH}
          resource={zones}
          variables={datasource.getVariableNames(QueryType.Zones)}
          value={query.zones ?? []}
          onChange={(zoneList) => emit({ ...query, zones: zoneList })}
        />
      )}
      {(meshes.error ?? zones.error ?? services.error) && (
        <Alert title="Could not load choices from the control plane" severity="warning">
          {meshes.error ?? zones.error ?? services.error}
        </Alert>
      )}
    </>
  );
}
