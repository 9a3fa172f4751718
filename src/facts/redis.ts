/**
 * Everything the redis.* probes learn from Redis: one ioredis connection per URL per run
 * (memoized), used only for read-only commands (PING, INFO, CONFIG GET). CONFIG is often disabled
 * on managed services; the snapshot then has no `config` and probes fall back to INFO.
 */
import { isIP } from 'node:net';
import type { Redis, RedisOptions } from 'ioredis';
import type { Finding, ProbeContext } from '../engine/types.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { cleanError, isTimeout } from './clean-error.js';
import { abortable } from './store.js';
import { countWire, endpointOf } from './wire.js';
import { tlsTrust } from './trust.js';
import { toolText } from '../util/redact.js';

/** An example DSN: the word password in it is not a secret, whatever the env holds. */
const FIX_TARGET = toolText('Fix REDIS_URL (redis://:password@host:6379) or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD.');

export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
  /** `host:port` (with `rediss://` when TLS): no credentials, safe in messages and memo keys. */
  label: string;
}

export const REDIS_NOT_CONFIGURED = 'REDIS_URL (or REDIS_HOST, REDIS_PORT, REDIS_PASSWORD) is not set';

export function redisTargetOf(target: Target): RedisTarget | { error: string } | undefined {
  const url = target.get('REDIS_URL');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { error: 'REDIS_URL is not a valid URL' };
    }
    const tls = parsed.protocol === 'rediss:';
    const host = parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost';
    const port = Number(parsed.port || 6379);
    const db = Number(parsed.pathname.replace(/^\//, '') || 0);
    if (!Number.isInteger(db) || db < 0) return { error: 'REDIS_URL names an invalid database number' };
    const username = decodeURIComponent(parsed.username);
    const password = parsed.password ? decodeURIComponent(parsed.password) : target.get('REDIS_PASSWORD');
    return {
      host, port, db, tls,
      ...(username && username !== 'default' ? { username } : {}),
      ...(password ? { password } : {}),
      label: `${tls ? 'rediss://' : ''}${host}:${port}`,
    };
  }
  const host = target.get('REDIS_HOST');
  if (host === undefined) return undefined;
  const port = Number(target.get('REDIS_PORT') ?? 6379);
  if (!Number.isInteger(port) || port <= 0) return { error: `REDIS_PORT "${target.get('REDIS_PORT')}" is not a port number` };
  const password = target.get('REDIS_PASSWORD');
  return { host, port, db: 0, tls: false, ...(password ? { password } : {}), label: `${host}:${port}` };
}

interface Connection {
  client: Redis;
  /** The underlying cause of an error such as "Connection is closed.". */
  explained(error: unknown): unknown;
}

async function connect(ctx: ProbeContext, target: RedisTarget, withCredentials: boolean, kind: string): Promise<Connection> {
  const { Redis } = await import('ioredis');
  const timeoutMs = ctx.facts.timeoutMs;
  const options: RedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(withCredentials && target.username ? { username: target.username } : {}),
    ...(withCredentials && target.password ? { password: target.password } : {}),
    // System roots, NODE_EXTRA_CA_CERTS and --ca alike (an explicit `ca` would replace Node's default store).
    ...(target.tls ? { tls: { ...tlsTrust(ctx.options), ...(isIP(target.host) === 0 ? { servername: target.host } : {}) } } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableReadyCheck: false,
    enableOfflineQueue: true,
  };
  const client = new Redis(options);
  // Without retries ioredis rejects with "Connection is closed."; the 'error' event carries the cause
  // (ECONNREFUSED, WRONGPASS, a TLS failure), which is what a report should say.
  let cause: unknown;
  client.on('error', (error: unknown) => {
    cause ??= error;
  });
  const explained = (error: unknown) => (cause !== undefined && /connection is closed/i.test(errorMessage(error)) ? cause : error);
  ctx.facts.countContact(kind, target.label);
  // Without TLS ioredis connects with net.createConnection (net.client.socket counts it); with TLS it
  // calls tls.connect, which no channel shows. Commands are counted here, each one sent.
  const where = endpointOf(target.host, target.port);
  if (target.tls) countWire('redis', where, { connections: 1, handshakes: 1 });
  // A command sent before the connection is ready waits in ioredis's offline queue and comes through
  // sendCommand again when it is written: counted then, once.
  const sendCommand = client.sendCommand.bind(client) as (...args: unknown[]) => unknown;
  const offline = () => (client as unknown as { offlineQueue?: { length: number } }).offlineQueue?.length ?? 0;
  client.sendCommand = ((...args: unknown[]) => {
    const queued = offline();
    const result = sendCommand(...args);
    if (offline() <= queued) countWire('redis', where, { requests: 1 });
    return result;
  }) as typeof client.sendCommand;
  try {
    await abortable(client.connect(), ctx.facts.signal);
  } catch (error) {
    client.disconnect();
    throw explained(error);
  }
  return { client, explained };
}

export type RedisInfo = Record<string, Record<string, string>>;

/** `INFO` output as sections (lower-case names) of key/value pairs. */
export function parseInfo(text: string): RedisInfo {
  const info: RedisInfo = {};
  let section: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      section = {};
      info[line.slice(1).trim().toLowerCase()] = section;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) section[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

export interface RedisSnapshot {
  label: string;
  connectMs: number;
  pingMs: number;
  /** Another PING on the same connection, timed: for a probe that measures latency in the quiet measurement phase. */
  ping(): Promise<number>;
  info: RedisInfo;
  /** CONFIG GET results, or undefined when CONFIG is disabled/renamed (managed services). */
  config?: Record<string, string>;
  configError?: string;
}

const CONFIG_KEYS = ['appendonly', 'appendfsync', 'maxmemory-policy', 'maxmemory'];

/** The application's connection and what it can read, gathered once per URL and run. */
export function redisSnapshot(ctx: ProbeContext, target: RedisTarget): Promise<RedisSnapshot> {
  return ctx.facts.once(`redis ${target.label}/${target.db}`, async () => {
    const started = performance.now();
    let connection: Connection;
    try {
      connection = await connect(ctx, target, true, 'redis');
    } catch (error) {
      throw new Error(cleanError(error, target));
    }
    const { client, explained } = connection;
    ctx.facts.onClose(() => {
      client.disconnect();
    });
    try {
      const connectMs = performance.now() - started;
      const ping = async () => {
        const pingStarted = performance.now();
        await client.ping();
        return performance.now() - pingStarted;
      };
      const pingMs = await ping();
      const info = parseInfo(await client.info());
      try {
        const pairs = (await client.call('CONFIG', 'GET', ...CONFIG_KEYS)) as string[];
        const config: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) config[pairs[i] as string] = pairs[i + 1] as string;
        return { label: target.label, connectMs, pingMs, ping, info, config };
      } catch (error) {
        return { label: target.label, connectMs, pingMs, ping, info, configError: cleanError(error, target) };
      }
    } catch (error) {
      throw new Error(cleanError(explained(error), target));
    }
  });
}

export type NoAuthAttempt = { outcome: 'refused'; reason: string } | { outcome: 'accepted' } | { outcome: 'inconclusive'; reason: string };

/** One deliberate connection without credentials per URL and run: PING must be refused. */
export function redisNoAuthAttempt(ctx: ProbeContext, target: RedisTarget): Promise<NoAuthAttempt> {
  return ctx.facts.once(`redis-noauth ${target.label}/${target.db}`, async (): Promise<NoAuthAttempt> => {
    let connection: Connection | undefined;
    try {
      connection = await connect(ctx, target, false, 'redis-noauth');
      await connection.client.ping();
      return { outcome: 'accepted' };
    } catch (error) {
      const message = cleanError(connection ? connection.explained(error) : error, target);
      if (/NOAUTH|Authentication required|NOPERM|WRONGPASS/i.test(message)) return { outcome: 'refused', reason: message };
      return { outcome: 'inconclusive', reason: message };
    } finally {
      connection?.client.disconnect();
    }
  });
}

export interface RedisProbeOptions {
  expected: string;
  unreachable?: 'fail' | 'error';
}

/** The frame of every redis.* probe: skipped without configuration, error/fail when unreachable. */
export async function withRedis(ctx: ProbeContext, options: RedisProbeOptions, use: (snapshot: RedisSnapshot, target: RedisTarget) => Promise<Finding> | Finding): Promise<Finding> {
  const target = redisTargetOf(ctx.target);
  if (target === undefined) return { status: 'skipped', observed: REDIS_NOT_CONFIGURED, expected: options.expected };
  if ('error' in target) return { status: 'error', observed: target.error, expected: options.expected, remediation: FIX_TARGET };
  try {
    const snapshot = await abortable(redisSnapshot(ctx, target), ctx.signal);
    return await abortable(Promise.resolve(use(snapshot, target)), ctx.signal);
  } catch (error) {
    return {
      status: isTimeout(error) ? 'error' : options.unreachable ?? 'error',
      observed: `could not query Redis at ${target.label}: ${cleanError(error, target)}`,
      expected: options.expected,
      remediation: 'Check REDIS_URL/REDIS_HOST/REDIS_PORT/REDIS_PASSWORD and that Redis accepts connections from here (bind, security groups, TLS).',
    };
  }
}

/** INFO numbers, 0 when absent. */
export function infoNumber(info: RedisInfo, section: string, key: string): number {
  const value = Number(info[section]?.[key]);
  return Number.isFinite(value) ? value : 0;
}
