import { DataSourceInstanceSettings, DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import { FieldSet, InlineField, Input } from '@grafana/ui';
import React, { ChangeEvent } from 'react';

import { DEFAULT_LOGS_MATCHER, KumaDataSourceOptions, KumaSecureJsonData, TRACES_TYPES, TracesType } from '../types';
import { HealthFields } from './MapFields';

type Props = DataSourcePluginOptionsEditorProps<KumaDataSourceOptions, KumaSecureJsonData>;

const LABEL_WIDTH = 26;

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
export function LinksSettings({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const set = (patch: Partial<KumaDataSourceOptions>) => {
    const next = { ...jsonData, ...patch };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) {
        delete next[key as keyof KumaDataSourceOptions];
      }
    }
    onOptionsChange({ ...options, jsonData: next });
  };
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

/**
 * The configuration page: the connection settings (ConfigEditor), then the map's: links and health. Kept apart
 * so that either can change without the other.
 */
export function withMapSettings(Editor: React.ComponentType<Props>) {
  return function ConfigPage(props: Props) {
    return (
      <>
        <Editor {...props} />
        <LinksSettings {...props} />
        <HealthSettings {...props} />
      </>
    );
  };
}
