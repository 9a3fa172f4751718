/**
 * Everything the Elasticsearch probes learn from the cluster: one REST request per API (GET, JSON),
 * each memoized so that every probe needing the cluster health or the shard table shares one answer.
 *
 * Plain HTTP rather than `@elastic/elasticsearch` (measured, issue #16): the client loads undici,
 * apache-arrow and OpenTelemetry with it, about 130 ms of CPU per run, half of an `es.*` probe run
 * alone, for seven read-only GETs. What the client did for them is kept here: basic auth, the
 * product check (a 2xx answer without `X-Elastic-Product: Elasticsearch` is not Elasticsearch 8),
 * Elasticsearch's error body in the message, and a retry after a network error (the run's
 * `--attempts`, like every other reachability contact).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Finding, ProbeContext } from '../engine/types.js';
import { skipped } from '../engine/findings.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { isTimeout } from './clean-error.js';
import { request } from './http.js';
import { abortable } from './store.js';

export const ES_VARIABLES = 'ELASTICSEARCH_NODE (or ELASTICSEARCH_URL)';

export interface EsConfig {
  /** The variable the URL came from. */
  variable: string;
  /** The node URL without credentials (safe to print). */
  url: URL;
  username?: string;
  password?: string;
}

/** The cluster's URL and credentials: ELASTICSEARCH_USERNAME/PASSWORD, or the URL's userinfo. */
export function esConfig(target: Target): EsConfig | undefined {
  const found = target.first('ELASTICSEARCH_NODE', 'ELASTICSEARCH_URL');
  if (!found) return undefined;
  const url = new URL(found.value);
  const username = target.get('ELASTICSEARCH_USERNAME') ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = target.get('ELASTICSEARCH_PASSWORD') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  return { variable: found.name, url, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** Prints a node URL without a trailing slash, e.g. `https://search.internal:9200`. */
export function showUrl(url: URL): string {
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname}`;
}

/** The largest answer read (a `_cat/shards` of a big cluster is megabytes of JSON). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** A failure in the shape describeEsError reads (the names @elastic/transport gives its errors). */
function esFailure(name: string, message: string, extra: { meta?: { statusCode?: number }; body?: unknown } = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

/** One keep-alive agent per run, as the client had: the cluster's requests share connections where they can. */
function keepAliveAgent(ctx: ProbeContext, https: boolean): Promise<HttpAgent> {
  return ctx.facts.once(`es:agent ${https ? 'https' : 'http'}`, async () => {
    const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    ctx.facts.onClose(() => agent.destroy());
    return agent;
  });
}

/** GET `path` of the cluster with the configured credentials; the parsed JSON, or a failure describeEsError reads. */
async function esGet(ctx: ProbeContext, config: EsConfig, path: string, query: Record<string, string>): Promise<unknown> {
  const url = new URL(config.url);
  url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  const agent = await keepAliveAgent(ctx, url.protocol === 'https:');
  let response;
  try {
    response = await request(url, { signal: ctx.facts.signal, timeoutMs: ctx.options.timeoutMs, ca: ctx.options.ca, insecure: ctx.options.insecure }, { headers, maxBodyBytes: MAX_ANSWER_BYTES, agent });
  } catch (error) {
    if (ctx.facts.signal.aborted) throw esFailure('RequestAbortedError', errorMessage(error));
    if (isTimeout(error)) throw esFailure('TimeoutError', errorMessage(error));
    throw esFailure('ConnectionError', errorMessage(error));
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    body = response.body;
  }
  if (response.status < 200 || response.status >= 300) throw esFailure('ResponseError', `HTTP ${response.status}`, { meta: { statusCode: response.status }, body });
  if (response.headers['x-elastic-product'] !== 'Elasticsearch') throw esFailure('ProductNotSupportedError', 'no X-Elastic-Product: Elasticsearch header');
  if (response.truncated) throw new Error(`the answer to ${path} is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`);
  if (typeof body === 'string') throw new Error(`the answer to ${path} is not JSON`);
  return body;
}

/** One memoized request: counted as one contact, its error turned into a sentence without secrets. */
function gather<T>(ctx: ProbeContext, name: string, path: string, query: Record<string, string>, read: (answer: unknown) => T): Promise<T> {
  const fact = ctx.facts.once(
    `es:${name}`,
    async () => {
      const config = esConfig(ctx.target);
      if (!config) throw new Error(`${ES_VARIABLES} is not set`);
      try {
        const answer = await ctx.facts.guard(config.url.host, () => {
          ctx.facts.countContact('elasticsearch', `${config.url.host} ${name}`);
          return esGet(ctx, config, path, query);
        });
        return read(answer);
      } catch (error) {
        throw new Error(describeEsError(error, ctx.options.timeoutMs));
      }
    },
    { retry: true },
  );
  return abortable(fact, ctx.signal);
}

/** `_cat` APIs with JSON rows and the named columns. */
function catQuery(columns: string[], more: Record<string, string> = {}): Record<string, string> {
  return { format: 'json', h: columns.join(','), ...more };
}

/** A sentence for a client error: the HTTP status and Elasticsearch's error type, never a credential. */
export function describeEsError(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; meta?: { statusCode?: number }; body?: unknown };
  switch (failure.name) {
    case 'ResponseError': {
      const status = failure.meta?.statusCode;
      const body = failure.body as { error?: { type?: string; reason?: string } | string } | undefined;
      const reason = typeof body?.error === 'string' ? body.error : [body?.error?.type, body?.error?.reason].filter(Boolean).join(': ');
      const prefix = status === 401 ? 'credentials were rejected' : status === 403 ? 'the user lacks the privilege' : 'request failed';
      return `${prefix} (HTTP ${status ?? '?'}${reason ? `, ${reason}` : ''})`;
    }
    case 'TimeoutError':
      return `no answer within ${timeoutMs} ms`;
    case 'ProductNotSupportedError':
      return 'the server did not identify itself as Elasticsearch (no X-Elastic-Product header); OpenSearch and other forks are not Elasticsearch 8';
    case 'ConnectionError':
    case 'NoLivingConnectionsError':
      return `cannot connect: ${errorMessage(error)}`;
    case 'RequestAbortedError':
      return 'the request was aborted (timeout or interrupt)';
    default:
      return errorMessage(error);
  }
}

export interface EsInfo {
  nodeName: string;
  clusterName: string;
  version: string;
  /** `default`, or `serverless`; OpenSearch answers with distribution `opensearch`. */
  flavor?: string;
}

export function esInfo(ctx: ProbeContext): Promise<EsInfo> {
  return gather(ctx, 'info', '/', {}, (answer) => {
    const info = answer as { name: string; cluster_name: string; version: { number: string; build_flavor?: string } };
    return { nodeName: info.name, clusterName: info.cluster_name, version: info.version.number, ...(info.version.build_flavor ? { flavor: info.version.build_flavor } : {}) };
  });
}

export interface EsHealth {
  clusterName: string;
  status: string;
  nodes: number;
  dataNodes: number;
  activeShards: number;
  unassignedShards: number;
  initializingShards: number;
  relocatingShards: number;
}

export function esHealth(ctx: ProbeContext): Promise<EsHealth> {
  return gather(ctx, 'cluster-health', '/_cluster/health', {}, (answer) => {
    const health = answer as { cluster_name: string; status: string; number_of_nodes: number; number_of_data_nodes: number; active_shards: number; unassigned_shards: number; initializing_shards: number; relocating_shards: number };
    return {
      clusterName: health.cluster_name,
      status: String(health.status).toLowerCase(),
      nodes: health.number_of_nodes,
      dataNodes: health.number_of_data_nodes,
      activeShards: health.active_shards,
      unassignedShards: health.unassigned_shards,
      initializingShards: health.initializing_shards,
      relocatingShards: health.relocating_shards,
    };
  });
}

type CatRow = Record<string, string | null | undefined>;

function cat(rows: unknown): CatRow[] {
  return Array.isArray(rows) ? (rows as CatRow[]) : [];
}

function int(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

export interface EsNode {
  name: string;
  /** Role letters as `_cat/nodes` prints them (`m` master-eligible, `d` data, ...), `-` for none. */
  roles: string;
  /** The elected master. */
  master: boolean;
}

export function esNodes(ctx: ProbeContext): Promise<EsNode[]> {
  return gather(ctx, 'cat-nodes', '/_cat/nodes', catQuery(['name', 'node.role', 'master']), (answer) => {
    const rows = cat(answer);
    return rows.map((row) => ({ name: row.name ?? '?', roles: row['node.role'] ?? '-', master: row.master === '*' }));
  });
}

export interface EsShard {
  index: string;
  shard: string;
  primary: boolean;
  state: string;
  node?: string;
  /** Why an UNASSIGNED shard is unassigned (INDEX_CREATED, NODE_LEFT, ALLOCATION_FAILED, ...). */
  reason?: string;
}

export function esShards(ctx: ProbeContext): Promise<EsShard[]> {
  return gather(ctx, 'cat-shards', '/_cat/shards', catQuery(['index', 'shard', 'prirep', 'state', 'node', 'unassigned.reason']), (answer) => {
    const rows = cat(answer);
    return rows.map((row) => ({
      index: row.index ?? '?',
      shard: row.shard ?? '?',
      primary: row.prirep === 'p',
      state: row.state ?? '?',
      ...(row.node ? { node: row.node } : {}),
      ...(row['unassigned.reason'] ? { reason: row['unassigned.reason'] } : {}),
    }));
  });
}

export interface EsIndex {
  index: string;
  health: string;
  status: string;
  primaries?: number;
  replicas?: number;
  docs?: number;
}

export function esIndices(ctx: ProbeContext): Promise<EsIndex[]> {
  return gather(ctx, 'cat-indices', '/_cat/indices', catQuery(['health', 'status', 'index', 'pri', 'rep', 'docs.count']), (answer) => {
    const rows = cat(answer);
    return rows.map((row) => ({
      index: row.index ?? '?',
      health: row.health ?? 'unknown',
      status: row.status ?? 'unknown',
      ...optional('primaries', int(row.pri)),
      ...optional('replicas', int(row.rep)),
      ...optional('docs', int(row['docs.count'])),
    }));
  });
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

export interface EsAlias {
  alias: string;
  index: string;
}

export function esAliases(ctx: ProbeContext): Promise<EsAlias[]> {
  return gather(ctx, 'cat-aliases', '/_cat/aliases', catQuery(['alias', 'index']), (answer) => {
    const rows = cat(answer);
    return rows.map((row) => ({ alias: row.alias ?? '?', index: row.index ?? '?' }));
  });
}

export interface EsDisk {
  /** The node name, or `UNASSIGNED` for the row counting unassigned shards. */
  node: string;
  usedPercent?: number;
  usedBytes?: number;
  totalBytes?: number;
}

export function esDisk(ctx: ProbeContext): Promise<EsDisk[]> {
  return gather(ctx, 'cat-allocation', '/_cat/allocation', catQuery(['node', 'disk.percent', 'disk.used', 'disk.total'], { bytes: 'b' }), (answer) => {
    const rows = cat(answer);
    return rows.map((row) => ({
      node: row.node ?? '?',
      ...optional('usedPercent', int(row['disk.percent'])),
      ...optional('usedBytes', int(row['disk.used'])),
      ...optional('totalBytes', int(row['disk.total'])),
    }));
  });
}

export interface EsAllocationSetting {
  /** `all` (the default), `primaries`, `new_primaries` or `none`. */
  enable: string;
  source: 'transient' | 'persistent' | 'default';
}

const ALLOCATION_ENABLE = 'cluster.routing.allocation.enable';

export function esAllocationSetting(ctx: ProbeContext): Promise<EsAllocationSetting> {
  return gather(ctx, 'cluster-settings', '/_cluster/settings', { flat_settings: 'true' }, (answer) => {
    const settings = answer as { transient?: Record<string, unknown>; persistent?: Record<string, unknown> };
    // Transient settings take precedence over persistent ones, which take precedence over the default.
    const transient = settings.transient?.[ALLOCATION_ENABLE];
    if (transient !== undefined) return { enable: String(transient), source: 'transient' };
    const persistent = settings.persistent?.[ALLOCATION_ENABLE];
    if (persistent !== undefined) return { enable: String(persistent), source: 'persistent' };
    return { enable: 'all', source: 'default' };
  });
}

export interface EsAnonymous {
  /** The HTTP status of GET / without credentials. */
  status: number;
  /** The WWW-Authenticate challenge, when the cluster asked for credentials. */
  challenge?: string;
  https: boolean;
}

/** GET / without any credentials, to see whether security refuses anonymous requests. */
export function esAnonymous(ctx: ProbeContext): Promise<EsAnonymous> {
  const fact = ctx.facts.once('es:anonymous', async () => {
    const config = esConfig(ctx.target);
    if (!config) throw new Error(`${ES_VARIABLES} is not set`);
    ctx.facts.countContact('elasticsearch', `${config.url.host} anonymous`);
    // A fresh connection (no agent): never a keep-alive socket the server may already have closed.
    try {
      const response = await request(new URL(config.url), { signal: ctx.facts.signal, timeoutMs: ctx.options.timeoutMs, ca: ctx.options.ca, insecure: ctx.options.insecure }, { headers: { accept: 'application/json' }, maxBodyBytes: 64 * 1024 });
      const challenge = response.headers['www-authenticate'];
      return { status: response.status, https: config.url.protocol === 'https:', ...(challenge ? { challenge } : {}) };
    } catch (error) {
      throw new Error(isTimeout(error) ? `no answer within ${ctx.options.timeoutMs} ms` : `cannot connect: ${errorMessage(error)}`);
    }
  });
  return abortable(fact, ctx.signal);
}

/**
 * The frame every Elasticsearch probe shares: skipped (naming the variable) when the cluster is not
 * configured, and an `error` finding that says why when the cluster cannot be asked.
 */
export async function withEs(ctx: ProbeContext, expected: string, judge: (config: EsConfig) => Promise<Finding>): Promise<Finding> {
  const config = esConfig(ctx.target);
  if (!config) return skipped(`${ES_VARIABLES} is not set`, expected);
  try {
    return await judge(config);
  } catch (error) {
    return {
      status: 'error',
      observed: `could not ask ${showUrl(config.url)}: ${errorMessage(error)}`,
      expected,
      remediation: `Check that ${config.variable} points at the cluster and that ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD are valid (es.connectivity says more).`,
    };
  }
}
