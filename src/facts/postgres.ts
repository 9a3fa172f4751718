/**
 * Everything the postgres.* probes learn from the database: one `pg` client per DSN per run
 * (memoized), every query inside `BEGIN READ ONLY` ... `ROLLBACK`, serialized on that client so
 * probes sharing it never interleave transactions. The catalog snapshot (roles, settings, tables,
 * indexes, policies, replication) is gathered once and judged by each probe.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Client, QueryResultRow } from 'pg';
import type { Finding, ProbeContext } from '../engine/types.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { cleanError, isTimeout } from './clean-error.js';
import { describeTlsFailure, isLocalTlsFailure, isTlsFailure, isUnknownCa, pgTlsOptions, resolvePgSsl, type PgSslConfig, type SslMode } from './libpq.js';
import { abortable } from './store.js';
import { countWire, endpointOf } from './wire.js';
import { toolText } from '../util/redact.js';

/** An example DSN: the word password in it is not a secret, whatever the env holds. */
const FIX_TARGET = toolText('Fix DATABASE_URL (postgres://user:password@host:5432/database?sslmode=require) or the DB_* variables.');

export { SSL_MODES, sslRequired, type SslMode } from './libpq.js';

/** Where and as whom the application connects, parsed from DATABASE_URL or DB_*; the password never leaves this object. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** libpq's SSL parameters (sslmode, sslrootcert, sslcert, sslkey, sslpassword), see libpq.ts. */
  ssl: PgSslConfig;
  sslMode: SslMode;
  /** How SSL was asked for, e.g. `sslmode=require in DATABASE_URL` or `DB_SSL=true`. */
  sslSource: string;
  /** `user@host:port/database`: no credentials, safe in messages and memo keys. */
  label: string;
}

export const PG_NOT_CONFIGURED = 'DATABASE_URL (or DB_HOST, DB_USER, DB_PASSWORD, DB_NAME) is not set';

/** Reads the connection the application uses; `undefined` when none is configured, `{ error }` when it is unusable. */
export function pgTargetOf(target: Target): PgTarget | { error: string } | undefined {
  const get = (name: string) => target.get(name);
  const withSsl = (parts: Omit<PgTarget, 'ssl' | 'sslMode' | 'sslSource' | 'label'>, params?: URLSearchParams): PgTarget | { error: string } => {
    const ssl = resolvePgSsl(get, params);
    if ('error' in ssl) return ssl;
    return { ...parts, ssl, sslMode: ssl.mode, sslSource: ssl.source, label: `${parts.user}@${parts.host}:${parts.port}/${parts.database}` };
  };
  const dsn = target.get('DATABASE_URL');
  if (dsn !== undefined) {
    let url: URL;
    try {
      url = new URL(dsn);
    } catch {
      return { error: 'DATABASE_URL is not a valid URL' };
    }
    const params = url.searchParams;
    const host = params.get('host') ?? (url.hostname.replace(/^\[|\]$/g, '') || 'localhost');
    const user = decodeURIComponent(url.username) || params.get('user') || '';
    if (!user) return { error: 'DATABASE_URL names no user' };
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || params.get('dbname') || user;
    const password = url.password ? decodeURIComponent(url.password) : (params.get('password') ?? target.get('DB_PASSWORD'));
    const port = Number(url.port || params.get('port') || 5432);
    return withSsl({ host, port, user, ...(password ? { password } : {}), database }, params);
  }
  const host = target.get('DB_HOST');
  if (host === undefined) return undefined;
  const user = target.get('DB_USER');
  if (user === undefined) return { error: 'DB_HOST is set but DB_USER is not' };
  const port = Number(target.get('DB_PORT') ?? 5432);
  if (!Number.isInteger(port) || port <= 0) return { error: `DB_PORT "${target.get('DB_PORT')}" is not a port number` };
  const database = target.get('DB_NAME') ?? user;
  const password = target.get('DB_PASSWORD');
  return withSsl({ host, port, user, ...(password ? { password } : {}), database });
}

/**
 * The SSL connection could not be made with the configured settings (the certificate does not
 * verify, the server has SSL off or refuses what sslmode allows, libpq would refuse the settings).
 * postgres.ssl reports it (`status`); the other postgres probes report that they could not look.
 */
export class PgTlsRefused extends Error {
  constructor(
    message: string,
    readonly status: 'fail' | 'error',
    readonly remediation: string,
  ) {
    super(message);
    this.name = 'PgTlsRefused';
  }
}

const TLS_REMEDIATION =
  'Give the CA that signed the server certificate (sslrootcert=/path/ca.pem in DATABASE_URL, PGSSLROOTCERT, or --ca FILE), connect with the host name the certificate names (or fix the certificate), and keep sslmode=verify-full.';

/** A query inside the current read-only transaction, and the same in a savepoint that survives errors. */
export interface ReadOnlyQueries {
  query<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  attempt<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<{ rows: R[] } | { error: string }>;
}

export interface PgSession {
  target: PgTarget;
  /** Time to connect and authenticate, in ms. */
  connectMs: number;
  /** Whether the connection negotiated SSL. */
  encrypted: boolean;
  /** What the TLS client verified, when encrypted (e.g. `the chain and the host name`). */
  verification?: string;
  /** Why an SSL attempt was given up for a plain connection (sslmode=prefer). */
  fallback?: string;
  /** The server's refusal of the plain first attempt of sslmode=allow. */
  plainRefused?: string;
  /** Runs `use` inside BEGIN READ ONLY ... ROLLBACK, one transaction at a time on this client. */
  readOnly<T>(use: (q: ReadOnlyQueries) => Promise<T>): Promise<T>;
}

const NO_SSL = /does not support SSL/i;
const NO_ENCRYPTION = /no encryption/i;

/** An ErrorResponse from the server (pg's DatabaseError), as opposed to a network or TLS failure. */
function isServerError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { severity?: unknown }).severity === 'string';
}

async function connectClient(ctx: ProbeContext, target: PgTarget, ssl: ConnectionOptions | false, kind: string): Promise<Client> {
  const { default: pg } = await import('pg');
  const timeoutMs = ctx.facts.timeoutMs;
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ...(target.password !== undefined ? { password: target.password } : {}),
    // Explicit TLS options (never pg's own sslmode reading): see libpq.ts.
    ssl,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'bazaarhub-check',
  });
  // A server that drops the connection later must not crash the run; the next query reports it.
  client.on('error', () => undefined);
  ctx.facts.countContact(kind, target.label);
  // pg connects a `new net.Socket()` and upgrades it with tls.connect({ socket }): neither is on a
  // diagnostics channel, so the facts layer counts the connection, the handshake and each query.
  const where = endpointOf(target.host, target.port);
  countWire('postgres', where, { connections: 1 });
  (client as unknown as { connection: { once(event: 'sslconnect', listener: () => void): void } }).connection.once('sslconnect', () => countWire('postgres', where, { handshakes: 1 }));
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    countWire('postgres', where, { requests: 1 });
    return query(...args);
  }) as typeof client.query;
  try {
    await abortable(client.connect(), ctx.facts.signal);
    return client;
  } catch (error) {
    void client.end().catch(() => undefined);
    throw error;
  }
}

interface Connected {
  client: Client;
  encrypted: boolean;
  verification?: string;
  fallback?: string;
  plainRefused?: string;
}

/** One SSL attempt with libpq's meaning of the target's SSL parameters; TLS-level failures become PgTlsRefused. */
async function sslAttempt(ctx: ProbeContext, target: PgTarget): Promise<Connected> {
  const tls = pgTlsOptions(target.ssl, target.host, ctx.options);
  if ('problem' in tls) throw new PgTlsRefused(tls.problem, tls.status, TLS_REMEDIATION);
  try {
    const client = await connectClient(ctx, target, tls.options, 'postgres');
    return { client, encrypted: true, verification: tls.verification };
  } catch (error) {
    const message = cleanError(error, target);
    if (NO_SSL.test(message)) {
      throw new PgTlsRefused(`server: ssl = off (the server refused the SSL request that ${target.sslSource} asks for)`, 'fail', 'Turn ssl on in the server (ssl = on with a certificate), or on a managed service enable SSL.');
    }
    if (isTlsFailure(error)) {
      // Without the CA file the application names, an unknown CA is our gap, not the server's fault.
      const local = isLocalTlsFailure(error) || (tls.rootMissing === true && isUnknownCa(error));
      throw new PgTlsRefused(`${describeTlsFailure(error)} ${tls.context}`, local ? 'error' : 'fail', TLS_REMEDIATION);
    }
    throw error;
  }
}

async function plainAttempt(ctx: ProbeContext, target: PgTarget): Promise<Client> {
  return connectClient(ctx, target, false, 'postgres-nossl');
}

/** Connects as libpq would for the target's sslmode: disable, allow (plain, then SSL), prefer (SSL, then plain), require/verify-*. */
async function connectAsLibpq(ctx: ProbeContext, target: PgTarget): Promise<Connected> {
  // libpq never uses SSL over a Unix-domain socket (host is a directory).
  const mode = target.host.startsWith('/') ? 'disable' : target.ssl.mode;
  if (target.ssl.refusal) throw new PgTlsRefused(target.ssl.refusal, 'fail', 'Use sslmode=verify-full with sslrootcert=system (or name the CA file in sslrootcert).');
  const refusedPlain = (error: unknown) =>
    new PgTlsRefused(
      `configuration: ${target.sslSource} (sslmode ${mode}); the server refuses connections without SSL, so the application cannot connect (${cleanError(error, target)})`,
      'fail',
      'Add sslmode=verify-full (or require) to DATABASE_URL, or set DB_SSL=true / PGSSLMODE.',
    );
  if (mode === 'disable') {
    try {
      return { client: await plainAttempt(ctx, target), encrypted: false };
    } catch (error) {
      if (NO_ENCRYPTION.test(errorMessage(error))) throw refusedPlain(error);
      throw error;
    }
  }
  if (mode === 'allow') {
    try {
      return { client: await plainAttempt(ctx, target), encrypted: false };
    } catch (error) {
      if (!isServerError(error)) throw error;
      // libpq's allow: the server refused the plain connection, so try once more with SSL.
      const plainRefused = cleanError(error, target);
      return { ...(await sslAttempt(ctx, target)), plainRefused };
    }
  }
  if (mode === 'prefer') {
    let sslFailure: unknown;
    try {
      return await sslAttempt(ctx, target);
    } catch (error) {
      if (!(error instanceof PgTlsRefused) && !isServerError(error)) throw error;
      sslFailure = error;
    }
    // libpq's prefer: any failure of the SSL attempt is retried once without SSL.
    const why = sslFailure instanceof PgTlsRefused ? sslFailure.message : cleanError(sslFailure, target);
    try {
      return { client: await plainAttempt(ctx, target), encrypted: false, fallback: `the SSL attempt failed (${why}) and sslmode=prefer fell back to a plain connection` };
    } catch (error) {
      if (sslFailure instanceof PgTlsRefused && NO_ENCRYPTION.test(errorMessage(error))) {
        throw new PgTlsRefused(`${why}; the plain retry of sslmode=prefer was refused (${cleanError(error, target)})`, sslFailure.status, sslFailure.remediation);
      }
      if (sslFailure instanceof PgTlsRefused) throw sslFailure;
      throw new Error(`${why} (over SSL); the plain retry of sslmode=prefer: ${cleanError(error, target)}`);
    }
  }
  return sslAttempt(ctx, target);
}

/** The application's connection (memoized per DSN for the run), made with libpq's sslmode semantics. */
export function pgSession(ctx: ProbeContext, target: PgTarget): Promise<PgSession> {
  return ctx.facts.once(`postgres ${target.label} ${target.sslMode}`, async () => {
    const started = performance.now();
    let connected: Connected;
    try {
      connected = await connectAsLibpq(ctx, target);
    } catch (error) {
      if (error instanceof PgTlsRefused) throw error;
      throw new Error(cleanError(error, target));
    }
    const { client } = connected;
    const connectMs = performance.now() - started;
    ctx.facts.onClose(() => client.end().catch(() => undefined));
    let chain: Promise<unknown> = Promise.resolve();
    let savepoint = 0;
    const queries: ReadOnlyQueries = {
      async query<R extends QueryResultRow>(sql: string, values?: unknown[]) {
        return (await client.query<R>(sql, values)).rows;
      },
      async attempt<R extends QueryResultRow>(sql: string, values?: unknown[]) {
        const name = `bc_${++savepoint}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const rows = (await client.query<R>(sql, values)).rows;
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return { rows };
        } catch (error) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          return { error: cleanError(error, target) };
        }
      },
    };
    const readOnly = <T>(use: (q: ReadOnlyQueries) => Promise<T>): Promise<T> => {
      const next = chain.then(async () => {
        await client.query('BEGIN READ ONLY');
        try {
          return await use(queries);
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
      });
      chain = next.catch(() => undefined);
      return next;
    };
    return {
      target,
      connectMs,
      encrypted: connected.encrypted,
      ...(connected.verification ? { verification: connected.verification } : {}),
      ...(connected.fallback ? { fallback: connected.fallback } : {}),
      ...(connected.plainRefused ? { plainRefused: connected.plainRefused } : {}),
      readOnly,
    };
  }, { retry: true });
}

/** The outcome of the deliberate connection attempt without SSL (postgres.ssl). */
export type PlainAttempt = { outcome: 'accepted' } | { outcome: 'refused'; reason: string } | { outcome: 'inconclusive'; reason: string };

/** Tries once, per DSN and run, to connect without SSL: a server that requires SSL refuses it in pg_hba. */
export function pgPlainAttempt(ctx: ProbeContext, target: PgTarget): Promise<PlainAttempt> {
  return ctx.facts.once(`postgres-nossl ${target.label}`, async (): Promise<PlainAttempt> => {
    try {
      const client = await connectClient(ctx, target, false, 'postgres-nossl');
      await client.end().catch(() => undefined);
      return { outcome: 'accepted' };
    } catch (error) {
      const message = cleanError(error, target);
      const code = (error as { code?: string }).code;
      if (code === '28000' || /no encryption|SSL off|pg_hba\.conf rejects/i.test(message)) return { outcome: 'refused', reason: message };
      // Authentication ran over the plain connection: the server did not insist on SSL.
      if (code === '28P01') return { outcome: 'accepted' };
      return { outcome: 'inconclusive', reason: message };
    }
  });
}

export interface PgRole {
  super: boolean;
  createRole: boolean;
  createDb: boolean;
  bypassRls: boolean;
  replication: boolean;
  connLimit: number;
}

export interface PgTable {
  schema: string;
  name: string;
  owner: string;
  /** The application role owns it (directly or through a role it inherits). */
  ownedByApp: boolean;
  readable: boolean;
  rls: boolean;
  forceRls: boolean;
  policies: number;
  columns: string[];
  /** Key columns of each full (non-partial) index, in order; expressions appear as `(expression)`. */
  indexes: string[][];
  foreignKeys: Array<{ name: string; columns: string[] }>;
}

export interface PgReplica {
  name: string;
  /** null when the role may not see replication details (needs pg_read_all_stats). */
  state: string | null;
  replayLagSeconds: number | null;
}

export interface PgSnapshot {
  connectMs: number;
  roundTripMs: number;
  version: string;
  versionNum: number;
  currentUser: string;
  database: string;
  role: PgRole;
  settings: Record<string, { setting: string; unit: string | null }>;
  connectionSsl: boolean;
  inRecovery: boolean;
  replicas: PgReplica[];
  /** On a replica: seconds behind the primary (0 when everything received is replayed). */
  replicaLagSeconds: number | null;
  walReceiverStatus: string | null;
  activeConnections: number;
  /**
   * Other sessions of the application's role over TCP (not this tool's, not Unix sockets), grouped
   * by client address, application_name and SSL: the live application's own connections.
   */
  appSessions: PgAppSessions[];
  tables: PgTable[];
}

export interface PgAppSessions {
  client: string;
  application: string;
  ssl: boolean;
  count: number;
}

/** The client address holding most of the application role's live sessions: a lower bound of one instance's pool. */
export function busiestClient(sessions: readonly PgAppSessions[]): { client: string; count: number } | undefined {
  const byClient = new Map<string, number>();
  for (const s of sessions) byClient.set(s.client, (byClient.get(s.client) ?? 0) + s.count);
  let best: { client: string; count: number } | undefined;
  for (const [client, count] of byClient) if (!best || count > best.count) best = { client, count };
  return best;
}

/**
 * The live snapshot for probes that judge declared settings (env.*) and only add live evidence:
 * never an error of their own when the database cannot be reached, just the reason it was not compared.
 */
export async function pgLiveSnapshot(ctx: ProbeContext): Promise<{ snapshot: PgSnapshot } | { reason: string }> {
  const target = pgTargetOf(ctx.target);
  if (target === undefined) return { reason: PG_NOT_CONFIGURED };
  if ('error' in target) return { reason: target.error };
  try {
    const session = await abortable(pgSession(ctx, target), ctx.signal);
    return { snapshot: await abortable(pgSnapshot(ctx, session), ctx.signal) };
  } catch (error) {
    return { reason: `could not query ${target.label}: ${error instanceof PgTlsRefused ? error.message : cleanError(error, target)}` };
  }
}

const SETTINGS = ['ssl', 'log_min_duration_statement', 'max_connections', 'superuser_reserved_connections', 'reserved_connections', 'server_version'];

export async function gatherSnapshot(q: ReadOnlyQueries, connectMs: number): Promise<PgSnapshot> {
  const started = performance.now();
  const [identity] = await q.query<{ version: string; num: number; user: string; db: string }>(
    "SELECT version() AS version, current_setting('server_version_num')::int AS num, current_user AS user, current_database() AS db",
  );
  const roundTripMs = performance.now() - started;
  if (!identity) throw new Error('the server returned no identity row');
  const [role] = await q.query<{ s: boolean; cr: boolean; cd: boolean; br: boolean; rp: boolean; cl: number }>(
    'SELECT rolsuper AS s, rolcreaterole AS cr, rolcreatedb AS cd, rolbypassrls AS br, rolreplication AS rp, rolconnlimit AS cl FROM pg_roles WHERE rolname = current_user',
  );
  const settingRows = await q.query<{ name: string; setting: string; unit: string | null }>('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [SETTINGS]);
  const [ssl] = await q.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  const [recovery] = await q.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
  const inRecovery = recovery?.r === true;
  const replicas = await q.query<{ name: string; state: string | null; lag: number | null }>(
    'SELECT application_name AS name, state, extract(epoch FROM replay_lag)::float8 AS lag FROM pg_stat_replication',
  );
  let replicaLagSeconds: number | null = null;
  let walReceiverStatus: string | null = null;
  if (inRecovery) {
    const [lag] = await q.query<{ lag: number | null }>(
      'SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag',
    );
    replicaLagSeconds = lag?.lag ?? null;
    const [receiver] = await q.query<{ status: string | null }>('SELECT status FROM pg_stat_wal_receiver');
    walReceiverStatus = receiver?.status ?? null;
  }
  const [active] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = $1', ['client backend']);
  const appSessions = await q.query<{ client: string; app: string; ssl: boolean; n: number }>(
    `SELECT host(a.client_addr) AS client, coalesce(a.application_name, '') AS app, coalesce(s.ssl, false) AS ssl, count(*)::int AS n
       FROM pg_stat_activity a LEFT JOIN pg_stat_ssl s ON s.pid = a.pid
      WHERE a.usename = current_user AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
        AND a.client_addr IS NOT NULL AND a.application_name IS DISTINCT FROM $1
      GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2 LIMIT 50`,
    ['bazaarhub-check'],
  );
  const tables = await q.query<{
    oid: number; schema: string; name: string; owner: string; owned: boolean; readable: boolean; rls: boolean; force: boolean; policies: number; columns: string[] | null;
  }>(`SELECT c.oid::int AS oid, n.nspname::text AS schema, c.relname::text AS name, pg_get_userbyid(c.relowner)::text AS owner,
        pg_has_role(c.relowner, 'USAGE') AS owned, has_table_privilege(c.oid, 'SELECT') AS readable,
        c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
        (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
        (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
      ORDER BY n.nspname, c.relname`);
  const indexes = await q.query<{ rel: number; cols: string[] }>(`SELECT i.indrelid::int AS rel,
        ARRAY(SELECT coalesce(a.attname::text, '(expression)') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
              LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS cols
      FROM pg_index i WHERE i.indpred IS NULL AND i.indisvalid`);
  const fks = await q.query<{ rel: number; name: string; cols: string[] }>(`SELECT c.conrelid::int AS rel, c.conname::text AS name,
        ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
      FROM pg_constraint c WHERE c.contype = 'f'`);
  const settings: PgSnapshot['settings'] = {};
  for (const row of settingRows) settings[row.name] = { setting: row.setting, unit: row.unit };
  return {
    connectMs,
    roundTripMs,
    version: identity.version,
    versionNum: identity.num,
    currentUser: identity.user,
    database: identity.db,
    role: {
      super: role?.s ?? false,
      createRole: role?.cr ?? false,
      createDb: role?.cd ?? false,
      bypassRls: role?.br ?? false,
      replication: role?.rp ?? false,
      connLimit: role?.cl ?? -1,
    },
    settings,
    connectionSsl: ssl?.ssl === true,
    inRecovery,
    replicas: replicas.map((r) => ({ name: r.name, state: r.state, replayLagSeconds: r.lag })),
    replicaLagSeconds,
    walReceiverStatus,
    activeConnections: active?.n ?? 0,
    appSessions: appSessions.map((row) => ({ client: row.client, application: row.app, ssl: row.ssl, count: row.n })),
    tables: tables.map((t) => ({
      schema: t.schema,
      name: t.name,
      owner: t.owner,
      ownedByApp: t.owned,
      readable: t.readable,
      rls: t.rls,
      forceRls: t.force,
      policies: t.policies,
      columns: t.columns ?? [],
      indexes: indexes.filter((i) => i.rel === t.oid).map((i) => i.cols),
      foreignKeys: fks.filter((f) => f.rel === t.oid).map((f) => ({ name: f.name, columns: f.cols })),
    })),
  };
}

/** The catalog snapshot, gathered once per DSN and run. */
export function pgSnapshot(ctx: ProbeContext, session: PgSession): Promise<PgSnapshot> {
  return ctx.facts.once(`postgres-snapshot ${session.target.label}`, () => session.readOnly((q) => gatherSnapshot(q, session.connectMs)));
}

/** `"schema"."table"` with identifiers quoted. */
export function qualified(table: { schema: string; name: string }): string {
  return `${ident(table.schema)}.${ident(table.name)}`;
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table`, or just `table` in public, for messages. */
export function tableName(table: { schema: string; name: string }): string {
  return table.schema === 'public' ? table.name : `${table.schema}.${table.name}`;
}

/** The first of `candidates` that the table has as a column. */
export function vendorColumnOf(table: PgTable, candidates: readonly string[]): string | undefined {
  return candidates.find((column) => table.columns.includes(column));
}

export interface PgProbeOptions {
  /** What the probe expected, for the skipped/error findings. */
  expected: string;
  /** Status when the application cannot connect: `fail` for postgres.connectivity, `error` elsewhere. */
  unreachable?: 'fail' | 'error';
  /** The finding when the SSL connection was refused (postgres.ssl judges it); default: skipped, pointing at postgres.ssl. */
  onTlsRefused?: (refusal: PgTlsRefused, target: PgTarget) => Finding;
}

/** For every postgres probe but postgres.ssl: it could not look, and postgres.ssl says why. */
export function notLookedTls(refusal: PgTlsRefused, target: PgTarget, expected: string): Finding {
  return {
    status: 'skipped',
    observed: `not looked: the SSL connection to ${target.label} was refused (${refusal.message}); see postgres.ssl`,
    expected,
    remediation: refusal.remediation,
  };
}

/**
 * The frame of every postgres.* probe: skipped without configuration, an error (or failure) when the
 * connection fails, bounded by the probe's signal; otherwise `use` judges the session.
 */
export async function withPostgres(ctx: ProbeContext, options: PgProbeOptions, use: (session: PgSession) => Promise<Finding>): Promise<Finding> {
  const target = pgTargetOf(ctx.target);
  if (target === undefined) return { status: 'skipped', observed: PG_NOT_CONFIGURED, expected: options.expected };
  if ('error' in target) return { status: 'error', observed: target.error, expected: options.expected, remediation: FIX_TARGET };
  try {
    const session = await abortable(pgSession(ctx, target), ctx.signal);
    return await abortable(use(session), ctx.signal);
  } catch (error) {
    if (error instanceof PgTlsRefused) return options.onTlsRefused ? options.onTlsRefused(error, target) : notLookedTls(error, target, options.expected);
    return {
      status: isTimeout(error) ? 'error' : options.unreachable ?? 'error',
      observed: `could not query ${target.label}: ${cleanError(error, target)}`,
      expected: options.expected,
      remediation: 'Check DATABASE_URL/DB_* (host, port, user, password, database, sslmode) and that the server accepts connections from here (pg_hba.conf, firewall). Use --ca for a private CA.',
    };
  }
}

export interface IsolationCheck {
  vendor: string;
  /** Rows of this vendor visible with the setting on it. */
  own?: boolean;
  /** A vendor id of another vendor's row that is visible, when one is. */
  foreignVendor?: string | null;
  error?: string;
}

export interface IsolationTable {
  table: string;
  column: string;
  checks: IsolationCheck[];
}

export interface IsolationFacts {
  setting: string;
  /** Distinct vendor ids known from params, the vendor table and what the role could see. */
  knownVendors: string[];
  tested: string[];
  tables: IsolationTable[];
}

export interface IsolationOptions {
  setting: string;
  vendorIds: string[];
  vendorTable?: PgTable;
  vendorKey: string;
  maxVendors: number;
}

/**
 * As the application role, inside one read-only transaction: learns vendor ids (params, the vendor
 * table, rows visible without the setting), then for up to `maxVendors` of them sets the session
 * setting locally and asks each vendor table whether another vendor's row is visible.
 */
export async function gatherIsolation(q: ReadOnlyQueries, tables: Array<{ table: PgTable; column: string }>, options: IsolationOptions): Promise<IsolationFacts> {
  const known = new Set<string>(options.vendorIds);
  const sample = async (table: PgTable, column: string) => {
    const result = await q.attempt<{ v: string }>(
      `SELECT v FROM (SELECT ${ident(column)}::text AS v FROM ${qualified(table)} WHERE ${ident(column)} IS NOT NULL LIMIT 1000) s GROUP BY v LIMIT 10`,
    );
    if ('rows' in result) for (const row of result.rows) known.add(row.v);
  };
  if (options.vendorTable && options.vendorTable.columns.includes(options.vendorKey)) await sample(options.vendorTable, options.vendorKey);
  for (const { table, column } of tables) await sample(table, column);
  const tested = [...known].slice(0, options.maxVendors);
  const results: IsolationTable[] = tables.map(({ table, column }) => ({ table: tableName(table), column, checks: [] }));
  for (const vendor of tested) {
    await q.query('SELECT set_config($1, $2, true)', [options.setting, vendor]);
    for (const [index, { table, column }] of tables.entries()) {
      const col = ident(column);
      const result = await q.attempt<{ own: boolean; other: string | null }>(
        `SELECT EXISTS (SELECT 1 FROM ${qualified(table)} WHERE ${col}::text = $1) AS own,
                (SELECT ${col}::text FROM ${qualified(table)} WHERE ${col} IS NOT NULL AND ${col}::text <> $1 LIMIT 1) AS other`,
        [vendor],
      );
      results[index]?.checks.push('rows' in result ? { vendor, own: result.rows[0]?.own === true, foreignVendor: result.rows[0]?.other ?? null } : { vendor, error: result.error });
    }
  }
  return { setting: options.setting, knownVendors: [...known], tested, tables: results };
}
