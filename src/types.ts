import { DataSourceApi, DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/** Query types the backend dispatches on (`queryType`). */
export const QueryType = {
  Meshes: 'meshes',
  Zones: 'zones',
  Services: 'services',
  Dataplanes: 'dataplanes',
  Workloads: 'workloads',
  Gateways: 'gateways',
  MeshInsights: 'mesh-insights',
  MeshGraph: 'mesh-graph',
  ServiceStats: 'service-stats',
  Callees: 'callees',
} as const;

export type KumaQueryType = (typeof QueryType)[keyof typeof QueryType];

// Editor order: the service map first, as the backend lists them.
export const ALL_QUERY_TYPES: KumaQueryType[] = [
  QueryType.MeshGraph,
  QueryType.ServiceStats,
  QueryType.Meshes,
  QueryType.Zones,
  QueryType.Services,
  QueryType.Dataplanes,
  QueryType.Workloads,
  QueryType.Callees,
  QueryType.Gateways,
  QueryType.MeshInsights,
];

export const QUERY_TYPE_LABELS: Record<KumaQueryType, { label: string; description: string }> = {
  meshes: { label: 'Meshes', description: 'Meshes known to the control plane' },
  zones: { label: 'Zones', description: 'Zones of a multi-zone deployment' },
  services: { label: 'Services', description: 'Services of a mesh' },
  dataplanes: { label: 'Dataplanes', description: 'Dataplane proxies of a mesh, optionally of one service' },
  workloads: {
    label: 'Workloads',
    description: 'kuma.io/workload values behind a service (Kuma 3.0): what its proxies label their metrics with',
  },
  callees: {
    label: 'Callees',
    description: 'Services a service calls over the time range, as on the service map (needs Prometheus)',
  },
  gateways: { label: 'Gateways', description: 'Gateways of a mesh' },
  'mesh-insights': { label: 'Mesh insights', description: 'Summary statistics of a mesh' },
  'mesh-graph': { label: 'Service map', description: 'Node graph of service-to-service traffic' },
  'service-stats': {
    label: 'Service stats',
    description: "The map's numbers per service or edge, for alert rules, stat panels and time series",
  },
};

/** Query types that cannot run without a mesh. */
export const MESH_SCOPED_TYPES: readonly KumaQueryType[] = [
  QueryType.Services,
  QueryType.Dataplanes,
  QueryType.Workloads,
  QueryType.Gateways,
  QueryType.MeshInsights,
  QueryType.MeshGraph,
  QueryType.ServiceStats,
  QueryType.Callees,
];

export function needsMesh(queryType: string | undefined): boolean {
  return MESH_SCOPED_TYPES.includes(queryType as KumaQueryType);
}

/** Query types narrowed to one service by `service`. */
export function takesService(queryType: string | undefined): boolean {
  return queryType === QueryType.Dataplanes || queryType === QueryType.Workloads || queryType === QueryType.Callees;
}

/** The query model the backend reads (see docs/architecture.md). */
export interface KumaQuery extends DataQuery {
  queryType?: KumaQueryType;
  mesh?: string;
  /** The community plugin's zone field: a regular expression over zone names, anchored like PromQL's `=~`. */
  zone?: string;
  /** Multi-zone form for the service map. */
  zones?: string[];
  service?: string;
  serviceRegex?: string;
  hideIdle?: boolean;
  rollupRegEx?: string;
  maxNodes?: number;
  groupByZone?: boolean;
  /** Which end of a request `zones` selects: a ZoneSide, or a dashboard variable holding one; unset is source. */
  zoneSide?: string;
  /** The map only: cross-zone and external traffic drawn through the zone ingresses and egresses that carry it. */
  showZoneProxies?: boolean;
  rateInterval?: string;
  /** Narrows the map (and service-stats) to one service and what lies within `depth` hops of it in `direction`. */
  focus?: string;
  depth?: number;
  direction?: FocusDirection;
  /** Health thresholds overriding the data source's for this query (the map's colours). */
  healthErrorRatioDegraded?: number;
  healthErrorRatioFailing?: number;
  healthP99DegradedMs?: number;
  /** service-stats: one row per `service` (default) or per `edge`. */
  scope?: StatsScope;
  /** service-stats: the stats wanted (empty: all the scope and format have). */
  stats?: Stat[];
  /** service-stats: `instant` (default; what alert rules use) or `timeseries`. */
  format?: StatsFormat;
}

/** Health thresholds, the same keys in the data source's jsonData and in a query. */
export type HealthThresholds = Pick<
  KumaQuery,
  'healthErrorRatioDegraded' | 'healthErrorRatioFailing' | 'healthP99DegradedMs'
>;
/** pkg/models DefaultHealth. */
export const DEFAULT_HEALTH: Required<HealthThresholds> = {
  healthErrorRatioDegraded: 0.01,
  healthErrorRatioFailing: 0.05,
  healthP99DegradedMs: 0,
};

/** Focus directions (pkg/models Directions), the default first. */
export const FOCUS_DIRECTIONS = [
  { value: 'both', label: 'both', description: 'Callers and callees' },
  { value: 'out', label: 'out', description: 'What the service calls' },
  { value: 'in', label: 'in', description: 'What calls the service' },
] as const;
export type FocusDirection = (typeof FOCUS_DIRECTIONS)[number]['value'];

/** service-stats vocabulary (pkg/models Scopes, Stats): the backend answers 400 to anything else. */
export const STATS_SCOPES = ['service', 'edge'] as const;
export type StatsScope = (typeof STATS_SCOPES)[number];
export const STATS = ['rps', 'error_ratio', 'p50', 'p95', 'p99', 'dataplanes_online', 'dataplanes_total'] as const;
export type Stat = (typeof STATS)[number];
/** Dataplane counts are a service's, and the CP keeps no history of them. */
export const DATAPLANE_STATS: readonly Stat[] = ['dataplanes_online', 'dataplanes_total'];
export const STATS_FORMATS = ['instant', 'timeseries'] as const;
export type StatsFormat = (typeof STATS_FORMATS)[number];

/** The service map's zone sides (pkg/models ZoneSides), the default first. */
export const ZONE_SIDES = [
  { value: 'source', label: 'source', description: 'Requests the zones’ proxies sent' },
  { value: 'destination', label: 'destination', description: 'Requests into the zones’ services' },
  { value: 'any', label: 'any', description: 'Requests with either end in the zones' },
] as const;

/** Rolls `backend_svc_8080` up to `backend` as the community plugin did. */
export const DEFAULT_ROLLUP_REGEX = '(.*)(_svc(_[0-9]+)?)';
export const DEFAULT_MAX_NODES = 200;

export const DEFAULT_QUERY: Partial<KumaQuery> = {
  queryType: QueryType.MeshGraph,
  rollupRegEx: DEFAULT_ROLLUP_REGEX,
  maxNodes: DEFAULT_MAX_NODES,
  hideIdle: false,
  groupByZone: false,
};

/** Query types a dashboard variable can list. */
export const VARIABLE_QUERY_TYPES = [
  QueryType.Meshes,
  QueryType.Zones,
  QueryType.Services,
  QueryType.Dataplanes,
  QueryType.Workloads,
  QueryType.Callees,
  QueryType.Gateways,
] as const;
export type KumaVariableQueryType = (typeof VARIABLE_QUERY_TYPES)[number];

export interface KumaVariableQuery extends DataQuery {
  queryType: KumaVariableQueryType;
  mesh?: string;
  /** Only for dataplanes, workloads and callees: the service whose proxies, workloads or callees to list. */
  service?: string;
  /** Only for services, dataplanes and callees: the zones to list them in (empty: all). */
  zones?: string[];
}

export type PrometheusAuth = 'none' | 'basic' | 'bearer';

/**
 * Data source settings the backend reads (docs/architecture.md, "Settings"). The CP side uses Grafana's
 * standard HTTP settings keys; the CP URL is the data source `url`.
 */
/** The trace stores the map can write queries for. */
export const TRACES_TYPES = ['tempo', 'jaeger'] as const;
export type TracesType = (typeof TRACES_TYPES)[number];
/** Kuma's sidecars on Kubernetes; universal deployments label their logs otherwise. */
export const DEFAULT_LOGS_MATCHER = '{container="kuma-sidecar"}';

export const RECORDING_RULES = ['auto', 'off'] as const;
export type RecordingRules = (typeof RECORDING_RULES)[number];

export interface KumaDataSourceOptions extends DataSourceJsonData {
  /** Where the community plugin stored the CP URL; the data source URL takes precedence. */
  url?: string;
  /** CP request timeout in seconds. */
  timeout?: number;
  tlsSkipVerify?: boolean;
  tlsAuth?: boolean;
  tlsAuthWithCACert?: boolean;
  prometheusUrl?: string;
  prometheusAuth?: PrometheusAuth;
  prometheusUser?: string;
  prometheusTlsSkipVerify?: boolean;
  /** Prometheus query timeout in seconds. */
  prometheusTimeout?: number;
  prometheusMaxSeries?: number;
  prometheusMaxResponseMB?: number;
  /** How often Prometheus scrapes the proxies, in seconds (default 15): the backend derives `$__rate_interval` from it. */
  prometheusScrapeInterval?: number;
  /** How many concurrent queries the map's latency sub-query is split into (1–16, default 2). */
  prometheusShards?: number;
  /** Bound on the PromQL requests in flight for all panels of this data source (1–64, default 8). */
  prometheusMaxConcurrentQueries?: number;
  /** Memory bound of the incremental-refresh cache in MiB (0–4096, default 64; 0 turns it off). */
  incrementalCacheMB?: number;
  /** Whether the map reads the shipped recording rules' series where present (default `auto`). */
  recordingRules?: RecordingRules;
  /** Legacy (community plugin): proxying through another Grafana data source. Refused by the backend. */
  prometheusDataSourceId?: number | string;
  /** The traces data source the map links to (pkg/models Links): its uid and type (`tempo` or `jaeger`). */
  tracesDatasourceUid?: string;
  tracesDatasourceType?: TracesType;
  /** When the map marks traffic degraded or failing (pkg/models Health); queries may override them. */
  healthErrorRatioDegraded?: number;
  healthErrorRatioFailing?: number;
  healthP99DegradedMs?: number;
  /** The Loki data source the map links to, and the LogQL stream selector of the sidecars' logs. */
  logsDatasourceUid?: string;
  logsMatcher?: string;
  /** Custom header names, numbered from 1 without gaps; the values are secrets with the same number. */
  [httpHeaderName: `httpHeaderName${number}`]: string | undefined;
  [prometheusHeaderName: `prometheusHeaderName${number}`]: string | undefined;
}

export interface KumaSecureJsonData {
  cpToken?: string;
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  prometheusPassword?: string;
  prometheusToken?: string;
  prometheusCACert?: string;
  [httpHeaderValue: `httpHeaderValue${number}`]: string | undefined;
  [prometheusHeaderValue: `prometheusHeaderValue${number}`]: string | undefined;
}

/** One entry of the `meshes`, `zones` and `services` resources. */
export interface NamedResource {
  name: string;
  [key: string]: unknown;
}

/** Query types a variable of this data source may list, to offer it in a field of that kind. */
export type ListingType = typeof QueryType.Meshes | typeof QueryType.Zones | typeof QueryType.Services;

/**
 * What the editors need of the data source: the CP's meshes, zones and services, and the dashboard's
 * variables. The editors depend on this, not on the data source class, so that no module imports back.
 */
export interface KumaLookups {
  getMeshes(): Promise<NamedResource[]>;
  getZones(): Promise<NamedResource[]>;
  getServices(mesh: string): Promise<NamedResource[]>;
  getVariableNames(listing?: ListingType): string[];
}

/** The data source as the editors see it. */
export type KumaEditorDataSource = DataSourceApi<KumaQuery, KumaDataSourceOptions> & KumaLookups;
