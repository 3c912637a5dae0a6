import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, TemplateSrv } from '@grafana/runtime';

import { toKumaQuery } from './query';
import {
  DEFAULT_QUERY,
  KumaDataSourceOptions,
  KumaLookups,
  KumaQuery,
  ListingType,
  NamedResource,
  needsMesh,
} from './types';
import { KumaVariableSupport } from './variables';

// Separates the values of a multi-value variable while interpolating `zones`; it cannot occur in a zone name.
const MULTI_VALUE_SEPARATOR = '\u001f';

export class DataSource extends DataSourceWithBackend<KumaQuery, KumaDataSourceOptions> implements KumaLookups {
  private readonly templateSrv: TemplateSrv;

  constructor(instanceSettings: DataSourceInstanceSettings<KumaDataSourceOptions>, templateSrv?: TemplateSrv) {
    super(instanceSettings);
    this.templateSrv = templateSrv ?? getTemplateSrv();
    this.variables = new KumaVariableSupport(this);
  }

  getDefaultQuery(_app: CoreApp): Partial<KumaQuery> {
    return { ...DEFAULT_QUERY };
  }

  /** Queries that cannot run (hidden, or mesh-scoped without a mesh) are not sent to the backend. */
  filterQuery(query: KumaQuery): boolean {
    if (query.hide) {
      return false;
    }
    if (needsMesh(query.queryType) && !query.mesh?.trim()) {
      return false;
    }
    return true;
  }

  applyTemplateVariables(query: KumaQuery, scopedVars: ScopedVars): KumaQuery {
    const replace = (value: string | undefined, format?: string) =>
      value === undefined ? undefined : this.templateSrv.replace(value, scopedVars, format);

    const resolved: KumaQuery = {
      ...query,
      mesh: replace(query.mesh),
      // `zone` is a regular expression: a multi-value variable becomes an escaped alternation.
      zone: replace(query.zone, 'regex'),
      service: replace(query.service),
      // Multi-value variables inside a regex become an escaped alternation.
      serviceRegex: replace(query.serviceRegex, 'regex'),
      rollupRegEx: replace(query.rollupRegEx, 'regex'),
      rateInterval: replace(query.rateInterval),
      zoneSide: replace(query.zoneSide),
      focus: replace(query.focus),
    };
    if (query.zones !== undefined) {
      resolved.zones = this.resolveMultiValue(query.zones, scopedVars);
    }
    // Do not send keys the query did not have.
    for (const key of [
      'mesh',
      'zone',
      'service',
      'serviceRegex',
      'rollupRegEx',
      'rateInterval',
      'zoneSide',
      'focus',
    ] as const) {
      if (resolved[key] === undefined) {
        delete resolved[key];
      }
    }
    return resolved;
  }

  /** Expands each entry; a multi-value variable yields one entry per selected value. Empties and repeats are dropped. */
  private resolveMultiValue(values: string[], scopedVars: ScopedVars): string[] {
    const out: string[] = [];
    for (const value of values) {
      const expanded = this.templateSrv.replace(value, scopedVars, (v: string | string[]) =>
        Array.isArray(v) ? v.join(MULTI_VALUE_SEPARATOR) : String(v)
      );
      for (const part of expanded.split(MULTI_VALUE_SEPARATOR)) {
        const trimmed = part.trim();
        if (trimmed !== '' && !out.includes(trimmed)) {
          out.push(trimmed);
        }
      }
    }
    return out;
  }

  /** Meshes known to the control plane (`GET meshes`). */
  getMeshes(): Promise<NamedResource[]> {
    return this.getResource<NamedResource[]>('meshes');
  }

  /** Zones of a multi-zone deployment (`GET zones`). */
  getZones(): Promise<NamedResource[]> {
    return this.getResource<NamedResource[]>('zones');
  }

  /** Services of a mesh (`GET services?mesh=`); the mesh may be a `$variable`. */
  getServices(mesh: string): Promise<NamedResource[]> {
    return this.getResource<NamedResource[]>('services', { mesh: this.templateSrv.replace(mesh) });
  }

  /**
   * Names of the dashboard variables, as `$name`, for offering them in editors. With `listing`, only those
   * that can hold such a value: a query variable of this data source that lists something else is left out
   * (a `$service` is no mesh); other variables (custom, text box, another data source) may hold anything.
   */
  getVariableNames(listing?: ListingType): string[] {
    return this.templateSrv
      .getVariables()
      .filter((v) => {
        if (!listing || v.type !== 'query' || (v.datasource?.uid !== this.uid && v.datasource?.type !== this.type)) {
          return true;
        }
        return toKumaQuery(v.query).queryType === listing;
      })
      .map((v) => `$${v.name}`);
  }
}
