import { SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, Select } from '@grafana/ui';
import React, { ChangeEvent } from 'react';

import { DEFAULT_HEALTH, FOCUS_DIRECTIONS, FocusDirection, HealthThresholds, KumaQuery } from '../types';

type HealthKey = keyof HealthThresholds;

const HEALTH_FIELDS: Array<{ key: HealthKey; label: string; tooltip: string }> = [
  {
    key: 'healthErrorRatioDegraded',
    label: 'Degraded at errors',
    tooltip: 'Share of failed requests (5xx and gRPC failures, 0 to 1) at which a node or edge turns orange',
  },
  {
    key: 'healthErrorRatioFailing',
    label: 'Failing at errors',
    tooltip: 'Share of failed requests (0 to 1) at which a node or edge turns red',
  },
  {
    key: 'healthP99DegradedMs',
    label: 'Degraded at p99 (ms)',
    tooltip: 'p99 latency at which a node or edge turns orange; 0 or empty: latency never degrades',
  },
];

/** A number field's value: undefined when empty or not a number (the setting's default applies). */
export function parseOptional(raw: string): number | undefined {
  const n = Number(raw);
  return raw.trim() === '' || !Number.isFinite(n) ? undefined : n;
}

interface HealthProps {
  values: HealthThresholds;
  /** What an empty field means: the defaults, or (in a query) the data source's thresholds. */
  inherited?: HealthThresholds;
  onChange: (patch: HealthThresholds) => void;
  onBlur?: () => void;
}

/** The health thresholds: the data source's in its settings, a query's overrides in the query editor. */
export function HealthFields({ values, inherited = DEFAULT_HEALTH, onChange, onBlur }: HealthProps) {
  return (
    <InlineFieldRow>
      {HEALTH_FIELDS.map(({ key, label, tooltip }) => (
        <InlineField key={key} label={label} labelWidth={20} htmlFor={`kuma-${key}`} tooltip={tooltip}>
          <Input
            id={`kuma-${key}`}
            type="number"
            min={0}
            step="any"
            width={10}
            placeholder={String(inherited[key] ?? DEFAULT_HEALTH[key])}
            value={values[key] ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ [key]: parseOptional(e.currentTarget.value) })}
            onBlur={onBlur}
          />
        </InlineField>
      ))}
    </InlineFieldRow>
  );
}

interface FocusProps {
  query: KumaQuery;
  /** The mesh's services, and dashboard variables, as options. */
  services: Array<SelectableValue<string>>;
  loading: boolean;
  onChange: (patch: Partial<KumaQuery>) => void;
}

/** Focus on one service: its name, the hops around it and their direction. */
export function FocusFields({ query, services, loading, onChange }: FocusProps) {
  return (
    <InlineFieldRow>
      <InlineField
        label="Focus"
        labelWidth={18}
        htmlFor="kuma-focus"
        tooltip="Only this service and what lies within the given hops of it"
      >
        <Select
          inputId="kuma-focus"
          width={28}
          allowCustomValue
          isClearable
          isLoading={loading}
          placeholder="Whole mesh"
          options={services}
          value={query.focus ?? null}
          onChange={(v) => onChange({ focus: v?.value || undefined })}
        />
      </InlineField>
      <InlineField
        label="Depth"
        labelWidth={8}
        htmlFor="kuma-depth"
        tooltip="Hops from the focus (1 to 10)"
        disabled={!query.focus}
      >
        <Input
          id="kuma-depth"
          type="number"
          min={1}
          max={10}
          width={8}
          placeholder="1"
          value={query.depth ?? ''}
          onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ depth: parseOptional(e.currentTarget.value) })}
        />
      </InlineField>
      <InlineField label="Direction" labelWidth={12} htmlFor="kuma-direction" disabled={!query.focus}>
        <Select
          inputId="kuma-direction"
          width={12}
          options={FOCUS_DIRECTIONS.map((d) => ({ ...d }))}
          value={query.direction ?? 'both'}
          onChange={(v) => onChange({ direction: v.value as FocusDirection })}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
