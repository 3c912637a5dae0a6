import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, Select } from '@grafana/ui';
import React, { useEffect, useState } from 'react';

import type { DataSource } from '../datasource';
import {
  KumaDataSourceOptions,
  KumaQuery,
  KumaVariableQuery,
  KumaVariableQueryType,
  NamedResource,
  needsMesh,
  takesService,
  QUERY_TYPE_LABELS,
  QueryType,
  VARIABLE_QUERY_TYPES,
} from '../types';
import { toOptions } from './QueryEditor';

export type Props = QueryEditorProps<DataSource, KumaQuery, KumaDataSourceOptions, KumaVariableQuery>;

const TYPE_OPTIONS: Array<SelectableValue<KumaVariableQueryType>> = VARIABLE_QUERY_TYPES.map((t) => ({
  value: t,
  label: QUERY_TYPE_LABELS[t].label,
}));

/** A stored variable query may be missing or, from older dashboards, a bare string. */
export function normalizeVariableQuery(query: KumaVariableQuery | string | undefined): KumaVariableQuery {
  if (typeof query === 'string') {
    const t = query.trim() as KumaVariableQueryType;
    return { refId: 'variable', queryType: VARIABLE_QUERY_TYPES.includes(t) ? t : QueryType.Meshes };
  }
  return { ...(query ?? { refId: 'variable' }), queryType: query?.queryType ?? QueryType.Meshes };
}

export function VariableQueryEditor({ query: rawQuery, onChange, datasource }: Props) {
  const query = normalizeVariableQuery(rawQuery as KumaVariableQuery | string | undefined);
  const withMesh = needsMesh(query.queryType);
  const [meshes, setMeshes] = useState<NamedResource[]>([]);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!withMesh) {
      return;
    }
    let cancelled = false;
    setLoading(true);
    datasource
      .getMeshes()
      .then((items) => !cancelled && setMeshes(Array.isArray(items) ? items : []))
      .catch(() => !cancelled && setMeshes([]))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [datasource, withMesh]);

  const emit = (next: KumaVariableQuery) => {
    const out: KumaVariableQuery = { refId: next.refId || 'variable', queryType: next.queryType };
    if (needsMesh(next.queryType) && next.mesh) {
      out.mesh = next.mesh;
    }
    if (takesService(next.queryType) && next.service) {
      out.service = next.service;
    }
    onChange(out);
  };

  return (
    <InlineFieldRow>
      <InlineField label="Query type" labelWidth={14} htmlFor="kuma-var-query-type">
        <Select
          inputId="kuma-var-query-type"
          width={24}
          options={TYPE_OPTIONS}
          value={query.queryType}
          onChange={(v) => emit({ ...query, queryType: v.value! })}
        />
      </InlineField>
      {withMesh && (
        <InlineField label="Mesh" labelWidth={10} htmlFor="kuma-var-mesh" invalid={!query.mesh}>
          <Select
            inputId="kuma-var-mesh"
            width={28}
            allowCustomValue
            isLoading={loading}
            placeholder="Choose a mesh or $variable"
            options={toOptions(meshes, datasource.getVariableNames(), [query.mesh])}
            value={query.mesh ?? null}
            onChange={(v) => emit({ ...query, mesh: v?.value })}
          />
        </InlineField>
      )}
      {takesService(query.queryType) && (
        <InlineField
          label="Service"
          labelWidth={10}
          htmlFor="kuma-var-service"
          tooltip="Only the proxies of this service; $service works"
        >
          <Input
            id="kuma-var-service"
            width={28}
            placeholder="all services"
            value={query.service ?? ''}
            onChange={(e) => emit({ ...query, service: e.currentTarget.value })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
