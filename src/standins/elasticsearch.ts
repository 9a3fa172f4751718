/**
 * A stand-in Elasticsearch 8 cluster on 127.0.0.1: an HTTP(S) server answering the REST endpoints
 * the es.* probes use (GET /, _cluster/health, _cluster/settings, _cat/nodes|shards|indices|aliases|
 * allocation, HEAD /<index>) with the documented JSON shapes, the `X-elastic-product` header the
 * client checks, and the security layer's 401/403 answers. Shard placement, health and unassigned
 * shards are derived from a small model of nodes and indices, so a state is described the way an
 * operator would describe the cluster ("2 nodes, products with 2 replicas") rather than by health.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StandIn } from '../demo/standin.js';
import { listenLocal } from './listen.js';

export interface EsNodeSpec {
  name: string;
  /** `_cat/nodes` role letters: m master-eligible, d data, i ingest, ... Default `cdfhilmrstw` (every role). */
  roles?: string;
  /** Disk use of the node's data path, in percent (default 40). */
  diskUsedPercent?: number;
  /** Disk size in bytes (default 100 GiB). */
  diskTotalBytes?: number;
}

export interface EsIndexSpec {
  name: string;
  primaries?: number;
  replicas?: number;
  docs?: number;
  /** Primaries whose every copy was lost (reason NODE_LEFT): the index and the cluster go red. */
  lostPrimaries?: number;
  closed?: boolean;
}

export interface EsStandInOptions {
  version?: string;
  clusterName?: string;
  /** Basic-auth user the security layer accepts (default elastic / a random password). */
  username?: string;
  password?: string;
  /** xpack.security.enabled (default true): without it every request is served, credentials or not. */
  security?: boolean;
  /** With security on: `deny` (401, the default), `restricted` (403, anonymous user without privileges) or `allow` (served). */
  anonymous?: 'deny' | 'restricted' | 'allow';
  /** Serve https with this key pair (PEM). */
  tls?: { key: string; cert: string };
  nodes?: EsNodeSpec[];
  indices?: EsIndexSpec[];
  /** alias → index */
  aliases?: Record<string, string>;
  /** cluster.routing.allocation.enable in persistent / transient settings. */
  allocation?: { persistent?: string; transient?: string };
  /** `opensearch` answers like an OpenSearch 2 cluster: no X-elastic-product header. */
  product?: 'elasticsearch' | 'opensearch';
}

export interface RunningElasticsearch {
  url: string;
  username: string;
  password: string;
  /** The live options: tests may change them between runs. */
  options: EsStandInOptions;
  /** Every request served: method, path and whether it carried valid credentials. */
  requests: Array<{ method: string; path: string; authenticated: boolean }>;
  close(): Promise<void>;
}

const DEFAULT_ROLES = 'cdfhilmrstw';
const GIB = 2 ** 30;

export function defaultNodes(count = 3): EsNodeSpec[] {
  return Array.from({ length: count }, (_, index) => ({ name: `es-node-${index + 1}` }));
}

interface ShardCopy {
  index: string;
  shard: number;
  primary: boolean;
  state: 'STARTED' | 'UNASSIGNED';
  node?: string;
  reason?: string;
  docs: number;
}

interface Model {
  nodes: Required<EsNodeSpec>[];
  shards: ShardCopy[];
  indexHealth: Map<string, 'green' | 'yellow' | 'red'>;
  health: 'green' | 'yellow' | 'red';
  allocation: string;
}

function isDataNode(node: EsNodeSpec): boolean {
  return /[cdfhsw]/.test(node.roles ?? DEFAULT_ROLES);
}

/** Places every shard copy as Elasticsearch's allocator would in the simple cases, and derives health. */
export function clusterModel(options: EsStandInOptions): Model {
  const nodes = (options.nodes ?? defaultNodes()).map((node) => ({ roles: DEFAULT_ROLES, diskUsedPercent: 40, diskTotalBytes: 100 * GIB, ...node }));
  const data = nodes.filter(isDataNode);
  const allocation = options.allocation?.transient ?? options.allocation?.persistent ?? 'all';
  const shards: ShardCopy[] = [];
  const indexHealth = new Map<string, 'green' | 'yellow' | 'red'>();
  (options.indices ?? []).forEach((spec, indexNumber) => {
    const primaries = spec.primaries ?? 1;
    const replicas = spec.replicas ?? 1;
    let health: 'green' | 'yellow' | 'red' = 'green';
    for (let shard = 0; shard < primaries; shard++) {
      const docs = Math.floor((spec.docs ?? 0) / primaries) + (shard < (spec.docs ?? 0) % primaries ? 1 : 0);
      const used = new Set<string>();
      const lost = shard < (spec.lostPrimaries ?? 0);
      const primaryNode = lost ? undefined : data[(indexNumber + shard) % Math.max(1, data.length)];
      if (primaryNode) used.add(primaryNode.name);
      else health = 'red';
      shards.push({ index: spec.name, shard, primary: true, docs, ...(primaryNode ? { state: 'STARTED', node: primaryNode.name } : { state: 'UNASSIGNED', reason: lost ? 'NODE_LEFT' : 'INDEX_CREATED' }) });
      for (let replica = 0; replica < replicas; replica++) {
        // A replica never shares a node with another copy, needs allocation enabled for replicas,
        // and is not placed on a node past the 85% low disk watermark.
        const node =
          primaryNode && allocation === 'all'
            ? data.map((_, offset) => data[(indexNumber + shard + replica + 1 + offset) % data.length]).find((candidate) => candidate && !used.has(candidate.name) && candidate.diskUsedPercent < 85)
            : undefined;
        if (node) used.add(node.name);
        else if (health === 'green') health = 'yellow';
        shards.push({ index: spec.name, shard, primary: false, docs, ...(node ? { state: 'STARTED', node: node.name } : { state: 'UNASSIGNED', reason: lost ? 'NODE_LEFT' : 'INDEX_CREATED' }) });
      }
    }
    indexHealth.set(spec.name, health);
  });
  const healths = [...indexHealth.values()];
  const health = healths.includes('red') ? 'red' : healths.includes('yellow') ? 'yellow' : 'green';
  return { nodes, shards, indexHealth, health, allocation };
}

type Row = Record<string, string | null>;

/** `_cat` output: JSON rows (format=json) or the aligned text table, with `h` selecting columns. */
function catBody(rows: Row[], columns: string[], query: URLSearchParams): { json: boolean; body: string } {
  const wanted = query.get('h')?.split(',').map((column) => column.trim()).filter(Boolean) ?? columns;
  const selected = rows.map((row) => Object.fromEntries(wanted.map((column) => [column, row[column] ?? null])));
  if (query.get('format') === 'json') return { json: true, body: JSON.stringify(selected) };
  const lines = selected.map((row) => wanted.map((column) => row[column] ?? ''));
  if (query.has('v')) lines.unshift(wanted);
  return { json: false, body: lines.map((line) => `${line.join(' ')}\n`).join('') };
}

function bytes(value: number, query: URLSearchParams): string {
  if (query.get('bytes') === 'b') return String(Math.round(value));
  if (value >= GIB) return `${(value / GIB).toFixed(1)}gb`;
  return `${(value / 2 ** 20).toFixed(1)}mb`;
}

function errorBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): unknown {
  const cause = { type, reason, ...extra };
  return { error: { root_cause: [cause], ...cause }, status };
}

function indexNotFound(name: string): unknown {
  return errorBody(404, 'index_not_found_exception', `no such index [${name}]`, { 'resource.type': 'index_or_alias', 'resource.id': name, index_uuid: '_na_', index: name });
}

function credentialsMatch(header: string | undefined, username: string, password: string): 'none' | 'valid' | { user: string } {
  if (!header) return 'none';
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match?.[1]) return { user: '?' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const given = createHash('sha256').update(decoded).digest();
  const wanted = createHash('sha256').update(`${username}:${password}`).digest();
  return timingSafeEqual(given, wanted) ? 'valid' : { user };
}

export async function startElasticsearch(initial: EsStandInOptions = {}): Promise<RunningElasticsearch> {
  const options: EsStandInOptions = { ...initial };
  const username = options.username ?? 'elastic';
  const password = options.password ?? randomUUID();
  const clusterUuid = randomUUID().replace(/-/g, '').slice(0, 22);
  const requests: RunningElasticsearch['requests'] = [];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        respond(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        send(req, res, 500, errorBody(500, 'exception', String(error)));
      }
    });
  };

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, json = true) => {
    const opensearch = options.product === 'opensearch';
    const compatible = /compatible-with=8/.test(req.headers.accept ?? '');
    const headers: Record<string, string | string[]> = {
      'content-type': json ? (compatible && !opensearch ? 'application/vnd.elasticsearch+json;compatible-with=8' : 'application/json; charset=UTF-8') : 'text/plain; charset=UTF-8',
    };
    if (!opensearch) headers['x-elastic-product'] = 'Elasticsearch';
    if (status === 401) headers['www-authenticate'] = ['Basic realm="security" charset="UTF-8"', 'ApiKey'];
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(req.method === 'HEAD' ? undefined : text);
  };

  const respond = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const uri = `${url.pathname}${url.search}`;
    const security = options.security ?? true;
    const auth = credentialsMatch(req.headers.authorization, username, password);
    requests.push({ method, path: url.pathname, authenticated: auth === 'valid' });
    if (security && auth !== 'valid') {
      if (auth !== 'none') return send(req, res, 401, errorBody(401, 'security_exception', `unable to authenticate user [${auth.user}] for REST request [${uri}]`, { header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] } }));
      const anonymous = options.anonymous ?? 'deny';
      if (anonymous === 'deny') return send(req, res, 401, errorBody(401, 'security_exception', `missing authentication credentials for REST request [${uri}]`, { header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] } }));
      if (anonymous === 'restricted') {
        return send(req, res, 403, errorBody(403, 'security_exception', 'action [cluster:monitor/main] is unauthorized for user [_anonymous] with effective roles [], this action is granted by the cluster privileges [monitor,manage,all]'));
      }
    }

    const model = clusterModel(options);
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, second, third] = segments;
    const indices = options.indices ?? [];
    const master = model.nodes.find((node) => node.roles.includes('m'));

    if (segments.length === 0 && (method === 'GET' || method === 'HEAD')) {
      if (options.product === 'opensearch') {
        return send(req, res, 200, {
          name: master?.name ?? 'node-1',
          cluster_name: options.clusterName ?? 'bazaarhub',
          cluster_uuid: clusterUuid,
          version: { distribution: 'opensearch', number: options.version ?? '2.17.1', build_type: 'tar', lucene_version: '9.11.1', minimum_wire_compatibility_version: '7.10.0', minimum_index_compatibility_version: '7.0.0' },
          tagline: 'The OpenSearch Project: https://opensearch.org/',
        });
      }
      return send(req, res, 200, {
        name: master?.name ?? model.nodes[0]?.name ?? 'node-1',
        cluster_name: options.clusterName ?? 'bazaarhub',
        cluster_uuid: clusterUuid,
        version: {
          number: options.version ?? '8.15.3',
          build_flavor: 'default',
          build_type: 'docker',
          build_hash: 'f97532e680b555c3a05e73a74c28afb666923018',
          build_date: '2024-10-09T22:08:00.328917561Z',
          build_snapshot: false,
          lucene_version: '9.11.1',
          minimum_wire_compatibility_version: '7.17.0',
          minimum_index_compatibility_version: '7.0.0',
        },
        tagline: 'You Know, for Search',
      });
    }

    if (first === '_cluster' && second === 'health' && method === 'GET') {
      const scoped = third ? third.split(',') : undefined;
      if (scoped) {
        const missing = scoped.find((name) => !indices.some((index) => index.name === name) && !(options.aliases ?? {})[name]);
        if (missing) return send(req, res, 404, indexNotFound(missing));
      }
      const copies = model.shards.filter((copy) => !scoped || scoped.includes(copy.index) || scoped.some((name) => options.aliases?.[name] === copy.index));
      const active = copies.filter((copy) => copy.state === 'STARTED');
      const status = scoped ? worstHealth(scoped.map((name) => model.indexHealth.get(options.aliases?.[name] ?? name) ?? 'green')) : model.health;
      return send(req, res, 200, {
        cluster_name: options.clusterName ?? 'bazaarhub',
        status,
        timed_out: false,
        number_of_nodes: model.nodes.length,
        number_of_data_nodes: model.nodes.filter(isDataNode).length,
        active_primary_shards: active.filter((copy) => copy.primary).length,
        active_shards: active.length,
        relocating_shards: 0,
        initializing_shards: 0,
        unassigned_shards: copies.length - active.length,
        unassigned_primary_shards: copies.filter((copy) => copy.primary && copy.state === 'UNASSIGNED').length,
        delayed_unassigned_shards: 0,
        number_of_pending_tasks: 0,
        number_of_in_flight_fetch: 0,
        task_max_waiting_in_queue_millis: 0,
        active_shards_percent_as_number: copies.length ? (100 * active.length) / copies.length : 100,
      });
    }

    if (first === '_cluster' && second === 'settings') {
      if (method === 'PUT') {
        const update = JSON.parse(body || '{}') as { persistent?: Record<string, unknown>; transient?: Record<string, unknown> };
        const key = 'cluster.routing.allocation.enable';
        const next = { ...options.allocation };
        for (const scope of ['persistent', 'transient'] as const) {
          const settings = update[scope];
          if (settings && key in settings) {
            if (settings[key] === null) delete next[scope];
            else next[scope] = String(settings[key]);
          }
        }
        options.allocation = next;
        return send(req, res, 200, { acknowledged: true, persistent: update.persistent ?? {}, transient: update.transient ?? {} });
      }
      if (method === 'GET') {
        const flat = url.searchParams.get('flat_settings') === 'true';
        const scope = (value: string | undefined) =>
          value === undefined ? {} : flat ? { 'cluster.routing.allocation.enable': value } : { cluster: { routing: { allocation: { enable: value } } } };
        return send(req, res, 200, { persistent: scope(options.allocation?.persistent), transient: scope(options.allocation?.transient) });
      }
    }

    if (first === '_cat' && method === 'GET') {
      const filter = third === undefined ? undefined : third.split(',');
      let table: { rows: Row[]; columns: string[] } | undefined;
      switch (second) {
        case 'nodes':
          table = {
            columns: ['ip', 'heap.percent', 'ram.percent', 'cpu', 'load_1m', 'load_5m', 'load_15m', 'node.role', 'master', 'name'],
            rows: model.nodes.map((node) => ({
              ip: '127.0.0.1',
              'heap.percent': '35',
              'ram.percent': '72',
              cpu: '3',
              load_1m: '0.42',
              load_5m: '0.38',
              load_15m: '0.35',
              'node.role': node.roles || '-',
              master: node === master ? '*' : '-',
              name: node.name,
            })),
          };
          break;
        case 'shards':
          table = {
            columns: ['index', 'shard', 'prirep', 'state', 'docs', 'store', 'dataset', 'ip', 'node'],
            rows: model.shards
              .filter((copy) => !filter || filter.includes(copy.index))
              .map((copy) => ({
                index: copy.index,
                shard: String(copy.shard),
                prirep: copy.primary ? 'p' : 'r',
                state: copy.state,
                docs: copy.node ? String(copy.docs) : null,
                store: copy.node ? bytes(copy.docs * 1024 + 225, url.searchParams) : null,
                dataset: copy.node ? bytes(copy.docs * 1024 + 225, url.searchParams) : null,
                ip: copy.node ? '127.0.0.1' : null,
                node: copy.node ?? null,
                'unassigned.reason': copy.reason ?? null,
              })),
          };
          break;
        case 'indices': {
          const names = filter?.map((name) => options.aliases?.[name] ?? name);
          const missing = names?.find((name) => !indices.some((index) => index.name === name));
          if (missing) return send(req, res, 404, indexNotFound(missing));
          table = {
            columns: ['health', 'status', 'index', 'uuid', 'pri', 'rep', 'docs.count', 'docs.deleted', 'store.size', 'pri.store.size', 'dataset.size'],
            rows: indices
              .filter((index) => !names || names.includes(index.name))
              .map((index) => {
                const size = bytes(((index.docs ?? 0) * 1024 + 225) * (1 + (index.replicas ?? 1)), url.searchParams);
                return {
                  health: model.indexHealth.get(index.name) ?? 'green',
                  status: index.closed ? 'close' : 'open',
                  index: index.name,
                  uuid: createHash('sha1').update(index.name).digest('base64url').slice(0, 22),
                  pri: String(index.primaries ?? 1),
                  rep: String(index.replicas ?? 1),
                  'docs.count': index.closed ? null : String(index.docs ?? 0),
                  'docs.deleted': index.closed ? null : '0',
                  'store.size': index.closed ? null : size,
                  'pri.store.size': index.closed ? null : bytes((index.docs ?? 0) * 1024 + 225, url.searchParams),
                  'dataset.size': index.closed ? null : bytes((index.docs ?? 0) * 1024 + 225, url.searchParams),
                };
              }),
          };
          break;
        }
        case 'aliases':
          table = {
            columns: ['alias', 'index', 'filter', 'routing.index', 'routing.search', 'is_write_index'],
            rows: Object.entries(options.aliases ?? {})
              .filter(([alias]) => !filter || filter.includes(alias))
              .map(([alias, index]) => ({ alias, index, filter: '-', 'routing.index': '-', 'routing.search': '-', is_write_index: '-' })),
          };
          break;
        case 'allocation': {
          const rows: Row[] = model.nodes.filter(isDataNode).map((node) => {
            const used = (node.diskTotalBytes * node.diskUsedPercent) / 100;
            const hosted = model.shards.filter((copy) => copy.node === node.name);
            return {
              shards: String(hosted.length),
              'shards.undesired': '0',
              'write_load.forecast': '0.0',
              'disk.indices.forecast': bytes(hosted.reduce((sum, copy) => sum + copy.docs * 1024 + 225, 0), url.searchParams),
              'disk.indices': bytes(hosted.reduce((sum, copy) => sum + copy.docs * 1024 + 225, 0), url.searchParams),
              'disk.used': bytes(used, url.searchParams),
              'disk.avail': bytes(node.diskTotalBytes - used, url.searchParams),
              'disk.total': bytes(node.diskTotalBytes, url.searchParams),
              'disk.percent': String(Math.round(node.diskUsedPercent)),
              host: '127.0.0.1',
              ip: '127.0.0.1',
              node: node.name,
              'node.role': node.roles,
            };
          });
          const unassigned = model.shards.filter((copy) => copy.state === 'UNASSIGNED').length;
          if (unassigned) {
            rows.push({ shards: String(unassigned), 'shards.undesired': null, 'write_load.forecast': null, 'disk.indices.forecast': null, 'disk.indices': null, 'disk.used': null, 'disk.avail': null, 'disk.total': null, 'disk.percent': null, host: null, ip: null, node: 'UNASSIGNED', 'node.role': null });
          }
          table = { rows, columns: ['shards', 'shards.undesired', 'write_load.forecast', 'disk.indices.forecast', 'disk.indices', 'disk.used', 'disk.avail', 'disk.total', 'disk.percent', 'host', 'ip', 'node', 'node.role'] };
          break;
        }
      }
      if (table) {
        const { json, body: text } = catBody(table.rows, table.columns, url.searchParams);
        return send(req, res, 200, text, json);
      }
    }

    if (first && !first.startsWith('_') && segments.length === 1 && method === 'HEAD') {
      const exists = indices.some((index) => index.name === first) || Boolean(options.aliases?.[first]);
      return send(req, res, exists ? 200 : 404, exists ? {} : indexNotFound(first));
    }

    return send(req, res, 400, { error: `no handler found for uri [${uri}] and method [${method}]` });
  };

  const server = await listenLocal(handler, options.tls);
  return {
    url: server.url,
    username,
    password,
    options,
    requests,
    close: () => server.close(),
  };
}

function worstHealth(values: Array<'green' | 'yellow' | 'red'>): 'green' | 'yellow' | 'red' {
  return values.includes('red') ? 'red' : values.includes('yellow') ? 'yellow' : 'green';
}

/**
 * The demo's cluster: https, security on, three nodes and BazaarHub's indices (products,
 * search_analytics, search_clicks) in good shape, plus
 * one realistic mistake: an orders index created without replicas.
 */
export const elasticsearchStandIn: StandIn = {
  name: 'elasticsearch',
  async start(context) {
    const tls = await context.issueCertificate();
    const running = await startElasticsearch({
      tls,
      nodes: defaultNodes(3),
      indices: [
        { name: 'products', primaries: 3, replicas: 1, docs: 1840 },
        { name: 'search_analytics', primaries: 1, replicas: 1, docs: 9310 },
        { name: 'search_clicks', primaries: 1, replicas: 1, docs: 2274 },
        { name: 'orders', primaries: 1, replicas: 0, docs: 5120 },
      ],
    });
    return {
      name: 'elasticsearch',
      env: { ELASTICSEARCH_NODE: running.url, ELASTICSEARCH_USERNAME: running.username, ELASTICSEARCH_PASSWORD: running.password },
      close: () => running.close(),
    };
  },
};
