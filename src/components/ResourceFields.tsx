import { SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, MultiSelect, Select } from '@grafana/ui';
import React, { useEffect, useState } from 'react';

import { NamedResource } from '../types';

/*
 * The mesh, service and zones fields the query editor and the variable editor share: menus filled from the
 * backend's resources (with each item's type and status) and the dashboard variables that can hold the value.
 */

/** What a menu says under a mesh, zone or service: the type and status the resources return. */
function describeItem(item: NamedResource): string | undefined {
  const parts = [item.type, item.status].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

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
  items.forEach((i) => add(i.name, describeItem(i)));
  variables.forEach((v) => add(v, 'Dashboard variable'));
  current.forEach((c) => add(c));
  return out;
}

export interface ResourceState {
  items: NamedResource[];
  loading: boolean;
  error?: string;
}

export function useResource(load: (() => Promise<NamedResource[]>) | undefined, deps: unknown[]): ResourceState {
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

interface FieldProps {
  inputId: string;
  labelWidth: number;
  width: number;
  /** The resource the menu lists. */
  resource: ResourceState;
  /** Dashboard variables offered with the items, as `$name`. */
  variables: string[];
}

/** The mesh: required, but said so only once the user has left it empty (not on a new query). */
export function MeshField({
  value,
  onChange,
  tooltip,
  ...field
}: FieldProps & { value?: string; onChange: (mesh: string | undefined) => void; tooltip?: string }) {
  const [touched, setTouched] = useState(false);
  const missing = touched && !value;
  return (
    <InlineField
      label="Mesh"
      labelWidth={field.labelWidth}
      htmlFor={field.inputId}
      tooltip={tooltip}
      invalid={missing}
      error={missing ? 'A mesh is required' : undefined}
    >
      <Select
        inputId={field.inputId}
        width={field.width}
        allowCustomValue
        isLoading={field.resource.loading}
        placeholder="Choose a mesh"
        options={toOptions(field.resource.items, field.variables, [value])}
        value={value ?? null}
        onBlur={() => setTouched(true)}
        onChange={(v) => onChange(v?.value)}
      />
    </InlineField>
  );
}

/** One service of the mesh, or all. */
export function ServiceField({
  value,
  onChange,
  tooltip,
  ...field
}: FieldProps & { value?: string; onChange: (service: string | undefined) => void; tooltip: string }) {
  return (
    <InlineFieldRow>
      <InlineField label="Service" labelWidth={field.labelWidth} htmlFor={field.inputId} tooltip={tooltip}>
        <Select
          inputId={field.inputId}
          width={field.width}
          allowCustomValue
          isClearable
          isLoading={field.resource.loading}
          placeholder="All services"
          options={toOptions(field.resource.items, field.variables, [value])}
          value={value ?? null}
          onChange={(v) => onChange(v?.value || undefined)}
        />
      </InlineField>
    </InlineFieldRow>
  );
}

/** Some zones, or all. */
export function ZonesField({
  value,
  onChange,
  ...field
}: FieldProps & { value: string[]; onChange: (zones: string[]) => void }) {
  return (
    <InlineFieldRow>
      <InlineField
        label="Zones"
        labelWidth={field.labelWidth}
        htmlFor={field.inputId}
        tooltip="Only these zones; empty for all zones"
      >
        <MultiSelect
          inputId={field.inputId}
          width={field.width}
          allowCustomValue
          isLoading={field.resource.loading}
          placeholder="All zones"
          options={toOptions(field.resource.items, field.variables, value)}
          value={value}
          onChange={(vs) => onChange(vs.map((v) => v.value!).filter(Boolean))}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
