import { SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, MultiSelect, Select } from '@grafana/ui';
import React from 'react';

import {
  DATAPLANE_STATS,
  KumaQuery,
  Stat,
  STATS,
  STATS_FORMATS,
  STATS_SCOPES,
  StatsFormat,
  StatsScope,
} from '../types';

const STAT_DESCRIPTIONS: Record<Stat, string> = {
  rps: 'Requests per second',
  error_ratio: 'Share of requests that failed (5xx and gRPC failures), 0 to 1',
  p50: 'Median latency, ms',
  p95: 'p95 latency, ms',
  p99: 'p99 latency, ms',
  dataplanes_online: 'Dataplanes online (services, instant only)',
  dataplanes_total: 'Dataplanes (services, instant only)',
};

/** The stats a scope and format have: dataplane counts are per service and now only. */
export function statsFor(scope: StatsScope | undefined, format: StatsFormat | undefined): Stat[] {
  const counts = (scope ?? 'service') === 'service' && (format ?? 'instant') === 'instant';
  return STATS.filter((s) => counts || !DATAPLANE_STATS.includes(s));
}

interface Props {
  query: KumaQuery;
  onChange: (patch: Partial<KumaQuery>) => void;
}

/** The service-stats query's own fields: scope, stats and format (the join's options are the map's). */
export function ServiceStatsFields({ query, onChange }: Props) {
  // A change of scope or format drops the stats the new one has not.
  const change = (patch: Pick<KumaQuery, 'scope' | 'format'>) => {
    const allowed = statsFor(patch.scope ?? query.scope, patch.format ?? query.format);
    const stats = query.stats?.filter((s) => allowed.includes(s));
    onChange({ ...patch, stats: stats?.length ? stats : undefined });
  };
  const options = (values: readonly string[]): Array<SelectableValue<string>> =>
    values.map((v) => ({ value: v, label: v }));
  return (
    <InlineFieldRow>
      <InlineField
        label="Scope"
        labelWidth={18}
        htmlFor="kuma-stats-scope"
        tooltip="One row per service, or per edge (caller → callee)"
      >
        <Select
          inputId="kuma-stats-scope"
          width={14}
          options={options(STATS_SCOPES)}
          value={query.scope ?? 'service'}
          onChange={(v) => change({ scope: v.value as StatsScope })}
        />
      </InlineField>
      <InlineField
        label="Stats"
        labelWidth={10}
        htmlFor="kuma-stats"
        tooltip="Empty: every stat of the scope and format"
      >
        <MultiSelect
          inputId="kuma-stats"
          width={40}
          placeholder="All"
          options={statsFor(query.scope, query.format).map((s) => ({
            value: s,
            label: s,
            description: STAT_DESCRIPTIONS[s],
          }))}
          value={query.stats ?? []}
          onChange={(vs) => {
            const stats = vs.map((v) => v.value as Stat);
            onChange({ stats: stats.length ? stats : undefined });
          }}
        />
      </InlineField>
      <InlineField
        label="Format"
        labelWidth={10}
        htmlFor="kuma-stats-format"
        tooltip="instant: one number per row, what alert rules evaluate; timeseries: one series per row over the time range"
      >
        <Select
          inputId="kuma-stats-format"
          width={16}
          options={options(STATS_FORMATS)}
          value={query.format ?? 'instant'}
          onChange={(v) => change({ format: v.value as StatsFormat })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
