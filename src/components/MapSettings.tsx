import { DataSourceInstanceSettings, DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import { FieldSet, InlineField, Input, RadioButtonGroup } from '@grafana/ui';
import React, { ChangeEvent } from 'react';

import {
  DEFAULT_LOGS_MATCHER,
  KumaDataSourceOptions,
  KumaSecureJsonData,
  RECORDING_RULES,
  RecordingRules,
  TRACES_TYPES,
  TracesType,
} from '../types';
import { HealthFields, parseOptional } from './MapFields';

type Props = DataSourcePluginOptionsEditorProps<KumaDataSourceOptions, KumaSecureJsonData>;

const LABEL_WIDTH = 26;

/** Sets jsonData keys; a key set to undefined is removed, so the backend's default applies. */
function jsonSetter({ options, onOptionsChange }: Props) {
  return (patch: Partial<KumaDataSourceOptions>) => {
    const next = { ...options.jsonData, ...patch };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) {
        delete next[key as keyof KumaDataSourceOptions];
      }
    }
    onOptionsChange({ ...options, jsonData: next });
  };
}

interface PickerFieldProps {
  id: string;
  label: string;
  tooltip: string;
  current: string | undefined;
  /** The data source types offered. */
  accepts: (type: string) => boolean;
  onPick: (ds: DataSourceInstanceSettings) => void;
  onClear: () => void;
}

/** Grafana's data source picker, by uid, for the data sources of one kind. */
function PickerField({ id, label, tooltip, current, accepts, onPick, onClear }: PickerFieldProps) {
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} htmlFor={id} tooltip={tooltip}>
      <DataSourcePicker
        inputId={id}
        width={40}
        noDefault
        current={current ?? null}
        filter={(ds: DataSourceInstanceSettings) => accepts(ds.type)}
        onChange={onPick}
        onClear={onClear}
      />
    </InlineField>
  );
}

/**
 * Where the service map's nodes and edges link to: a traces data source (Tempo or Jaeger) and a logs data source
 * (Loki), picked by uid. Without one, the map has no such link.
 */
export function LinksSettings(props: Props) {
  const { jsonData } = props.options;
  const set = jsonSetter(props);
  return (
    <FieldSet label="Traces and logs (links from the service map)">
      <PickerField
        id="kuma-traces-datasource"
        label="Traces data source"
        tooltip="Tempo or Jaeger: nodes link to their services' traces, edges to traces of the caller calling the callee"
        current={jsonData.tracesDatasourceUid}
        accepts={(type) => TRACES_TYPES.includes(type as TracesType)}
        onPick={(ds) => set({ tracesDatasourceUid: ds.uid, tracesDatasourceType: ds.type as TracesType })}
        onClear={() => set({ tracesDatasourceUid: undefined, tracesDatasourceType: undefined })}
      />
      <PickerField
        id="kuma-logs-datasource"
        label="Logs data source"
        tooltip="Loki: nodes link to the sidecars' log lines naming their service, edges to lines naming both ends"
        current={jsonData.logsDatasourceUid}
        accepts={(type) => type === 'loki'}
        onPick={(ds) => set({ logsDatasourceUid: ds.uid })}
        onClear={() => set({ logsDatasourceUid: undefined })}
      />
      <InlineField
        label="Sidecar logs selector"
        labelWidth={LABEL_WIDTH}
        htmlFor="kuma-logs-matcher"
        tooltip='LogQL stream selector of the kuma-dp sidecars&apos; logs; universal deployments label them otherwise, e.g. {job="kuma-dp"}'
      >
        <Input
          id="kuma-logs-matcher"
          width={40}
          placeholder={DEFAULT_LOGS_MATCHER}
          value={jsonData.logsMatcher ?? ''}
          onChange={(e: ChangeEvent<HTMLInputElement>) => set({ logsMatcher: e.currentTarget.value || undefined })}
        />
      </InlineField>
    </FieldSet>
  );
}

/** The map's health thresholds for every query of this data source (queries may override them). */
export function HealthSettings({ options, onOptionsChange }: Props) {
  return (
    <FieldSet label="Service map health">
      <HealthFields
        values={options.jsonData}
        onChange={(patch) => onOptionsChange({ ...options, jsonData: { ...options.jsonData, ...patch } })}
      />
    </FieldSet>
  );
}

type PerformanceKey = 'prometheusShards' | 'prometheusMaxConcurrentQueries' | 'incrementalCacheMB';

/** The backend's defaults and bounds (pkg/models/settings.go): an empty field uses the default. */
export const PERFORMANCE_FIELDS: Array<{
  key: PerformanceKey;
  label: string;
  tooltip: string;
  min: number;
  max: number;
  placeholder: number;
}> = [
  {
    key: 'prometheusShards',
    label: 'Latency query shards',
    tooltip:
      "The map's latency sub-query (the heaviest) runs as this many concurrent queries, each over part of the buckets; a Prometheus, Thanos or Mimir with more cores answers sooner",
    min: 1,
    max: 16,
    placeholder: 2,
  },
  {
    key: 'prometheusMaxConcurrentQueries',
    label: 'Max concurrent queries',
    tooltip: 'PromQL requests this data source has in flight at once, all panels together; the others wait',
    min: 1,
    max: 64,
    placeholder: 8,
  },
  {
    key: 'incrementalCacheMB',
    label: 'Refresh cache (MiB)',
    tooltip: 'Memory a refreshed map over a long range may keep to query only what changed; 0 turns the cache off',
    min: 0,
    max: 4096,
    placeholder: 64,
  },
];

const RECORDING_RULES_OPTIONS: Array<{ label: string; value: RecordingRules; description: string }> = [
  { label: 'Auto', value: RECORDING_RULES[0], description: "Read the shipped recording rules' series where present" },
  { label: 'Off', value: RECORDING_RULES[1], description: 'Always read the raw Envoy series' },
];

/** How the map spends Prometheus' time and the plugin's memory: for big meshes and long ranges. */
export function PerformanceSettings(props: Props) {
  const { jsonData } = props.options;
  const set = jsonSetter(props);
  return (
    <FieldSet label="Performance">
      {PERFORMANCE_FIELDS.map(({ key, label, tooltip, min, max, placeholder }) => (
        <InlineField key={key} label={label} labelWidth={LABEL_WIDTH} htmlFor={`kuma-${key}`} tooltip={tooltip}>
          <Input
            id={`kuma-${key}`}
            type="number"
            min={min}
            max={max}
            step={1}
            width={16}
            placeholder={String(placeholder)}
            value={jsonData[key] ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              set({ [key]: parseOptional(e.currentTarget.value) } as Pick<KumaDataSourceOptions, PerformanceKey>)
            }
          />
        </InlineField>
      ))}
      <InlineField
        label="Recording rules"
        labelWidth={LABEL_WIDTH}
        tooltip="Auto: the map reads the series of the shipped recording rules where Prometheus has them, raw series elsewhere"
      >
        <RadioButtonGroup<RecordingRules>
          options={RECORDING_RULES_OPTIONS}
          value={jsonData.recordingRules ?? 'auto'}
          onChange={(value) => set({ recordingRules: value === 'auto' ? undefined : value })}
        />
      </InlineField>
    </FieldSet>
  );
}

/**
 * The configuration page: the connection settings (ConfigEditor), then the map's: links, health and performance. Kept apart
 * so that either can change without the other.
 */
export function withMapSettings(Editor: React.ComponentType<Props>) {
  return function ConfigPage(props: Props) {
    return (
      <>
        <Editor {...props} />
        <LinksSettings {...props} />
        <HealthSettings {...props} />
        <PerformanceSettings {...props} />
      </>
    );
  };
}
