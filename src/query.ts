import {
  DEFAULT_MAX_NODES,
  DEFAULT_ROLLUP_REGEX,
  KumaQuery,
  KumaQueryType,
  KumaVariableQuery,
  KumaVariableQueryType,
  QueryType,
  VARIABLE_QUERY_TYPES,
} from './types';

// The query model: which fields each query type reads, what a type change keeps, and how a stored
// variable query becomes a backend query. Editors and the data source use it; it uses nothing of theirs.

type Field = Exclude<keyof KumaQuery, 'refId' | 'queryType' | 'hide' | 'key' | 'datasource'>;

/** The fields of the map's join, which the map and its numbers (service-stats) share. */
const JOIN_FIELDS: readonly Field[] = [
  'mesh',
  'zones',
  'zone',
  'serviceRegex',
  'rollupRegEx',
  'groupByZone',
  'zoneSide',
  'rateInterval',
  'focus',
  'depth',
  'direction',
];

/** The model fields each query type reads; switching type drops the others. */
export const FIELDS_BY_TYPE: Record<KumaQueryType, readonly Field[]> = {
  meshes: [],
  zones: [],
  services: ['mesh', 'zones', 'zone'],
  dataplanes: ['mesh', 'service', 'zones', 'zone'],
  workloads: ['mesh', 'service'],
  // The map's edges out of one service, over the map's join and zone filter.
  callees: ['mesh', 'service', 'zones', 'zone'],
  gateways: ['mesh'],
  'mesh-insights': ['mesh'],
  // The map draws: it folds, hides and colours.
  'mesh-graph': [
    ...JOIN_FIELDS,
    'hideIdle',
    'showZoneProxies',
    'maxNodes',
    'healthErrorRatioDegraded',
    'healthErrorRatioFailing',
    'healthP99DegradedMs',
  ],
  // The map's join without folding or hiding (every service is its own alert instance), and its own fields.
  'service-stats': [...JOIN_FIELDS, 'scope', 'stats', 'format'],
};

/** The query after choosing another type: inapplicable fields removed, service-map defaults filled in. */
export function changeQueryType(query: KumaQuery, queryType: KumaQueryType): KumaQuery {
  const keep = FIELDS_BY_TYPE[queryType];
  const next: KumaQuery = { refId: query.refId, queryType };
  for (const key of ['hide', 'key', 'datasource'] as const) {
    if (query[key] !== undefined) {
      (next as unknown as Record<string, unknown>)[key] = query[key];
    }
  }
  for (const field of keep) {
    if (query[field] !== undefined) {
      (next as unknown as Record<string, unknown>)[field] = query[field];
    }
  }
  if (queryType === QueryType.MeshGraph || queryType === QueryType.ServiceStats) {
    next.rollupRegEx = next.rollupRegEx ?? DEFAULT_ROLLUP_REGEX;
  }
  if (queryType === QueryType.MeshGraph) {
    next.maxNodes = next.maxNodes ?? DEFAULT_MAX_NODES;
  }
  return next;
}

/** A stored variable query may be missing or, from older dashboards, a bare string. */
export function normalizeVariableQuery(query: KumaVariableQuery | string | undefined): KumaVariableQuery {
  if (typeof query === 'string') {
    const t = query.trim() as KumaVariableQueryType;
    return { refId: 'variable', queryType: VARIABLE_QUERY_TYPES.includes(t) ? t : QueryType.Meshes };
  }
  return { ...(query ?? { refId: 'variable' }), queryType: query?.queryType ?? QueryType.Meshes };
}

/** The fields a variable query of each type keeps; switching type drops the others. */
export const VARIABLE_FIELDS: Record<KumaVariableQueryType, ReadonlyArray<'mesh' | 'service' | 'zones'>> = {
  meshes: [],
  zones: [],
  services: ['mesh', 'zones'],
  dataplanes: ['mesh', 'service', 'zones'],
  workloads: ['mesh', 'service'],
  callees: ['mesh', 'service', 'zones'],
  gateways: ['mesh'],
};

/** Turns a stored variable query (this plugin's object, or a bare string) into a backend query: the fields its type keeps. */
export function toKumaQuery(query: KumaVariableQuery | string, refId = 'variable'): KumaQuery {
  const stored = normalizeVariableQuery(query);
  const out: KumaQuery = { refId: (typeof query !== 'string' && query.refId) || refId, queryType: stored.queryType };
  for (const field of VARIABLE_FIELDS[stored.queryType] ?? []) {
    const value = stored[field];
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) {
      (out as unknown as Record<string, unknown>)[field] = value;
    }
  }
  return out;
}
