/**
 * Everything the postgres.* probes learn from the database: one `pg` client per DSN per run
 * (memoized), every query inside `BEGIN READ ONLY` ... `ROLLBACK`, serialized on that client so
 * probes sharing it never interleave transactions. The catalog snapshot (roles, settings, tables,
 * indexes, policies, replication) is gathered once and judged by each probe.
 */
import { rootCertificates } from 'node:tls';
import type { Client, QueryResultRow } from 'pg';
import type { Finding, ProbeContext } from '../engine/types.js';
import type { Target } from '../target/target.js';
import { errorMessage } from '../util/errors.js';
import { cleanError, isTimeout } from './clean-error.js';
import { abortable } from './store.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where and as whom the application connects, parsed from DATABASE_URL or DB_*; the password never leaves this object. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslMode: SslMode;
  /** How SSL was asked for, e.g. `sslmode=require in DATABASE_URL` or `DB_SSL=true`. */
  sslSource: string;
  /** `user@host:port/database`: no credentials, safe in messages and memo keys. */
  label: string;
}

export const PG_NOT_CONFIGURED = 'DATABASE_URL (or DB_HOST, DB_USER, DB_PASSWORD, DB_NAME) is not set';

const TRUE = /^(1|true|yes|on|require|required)$/i;
const FALSE = /^(0|false|no|off|disable|disabled)$/i;

function sslModeOf(value: string): SslMode | undefined {
  const lower = value.toLowerCase();
  if ((SSL_MODES as readonly string[]).includes(lower)) return lower as SslMode;
  if (TRUE.test(value)) return 'require';
  if (FALSE.test(value)) return 'disable';
  return undefined;
}

/** Reads the connection the application uses; `undefined` when none is configured, `{ error }` when it is unusable. */
export function pgTargetOf(target: Target): PgTarget | { error: string } | undefined {
  const dbSsl = target.get('DB_SSL');
  const fromDbSsl = (): { sslMode: SslMode; sslSource: string } => {
    if (dbSsl === undefined) return { sslMode: 'disable', sslSource: 'neither sslmode in the DSN nor DB_SSL' };
    return { sslMode: sslModeOf(dbSsl) ?? 'disable', sslSource: `DB_SSL=${dbSsl}` };
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
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
    const password = url.password ? decodeURIComponent(url.password) : (params.get('password') ?? target.get('DB_PASSWORD'));
    let ssl = fromDbSsl();
    const mode = params.get('sslmode');
    const flag = params.get('ssl');
    if (mode !== null) {
      const parsed = sslModeOf(mode);
      if (!parsed) return { error: `DATABASE_URL has an unknown sslmode "${mode}"` };
      ssl = { sslMode: parsed, sslSource: `sslmode=${mode} in DATABASE_URL` };
    } else if (flag !== null) {
      ssl = { sslMode: sslModeOf(flag) ?? 'require', sslSource: `ssl=${flag} in DATABASE_URL` };
    }
    const port = Number(url.port || params.get('port') || 5432);
    return { host, port, user, ...(password ? { password } : {}), database, ...ssl, label: `${user}@${host}:${port}/${database}` };
  }
  const host = target.get('DB_HOST');
  if (host === undefined) return undefined;
  const user = target.get('DB_USER');
  if (user === undefined) return { error: 'DB_HOST is set but DB_USER is not' };
  const port = Number(target.get('DB_PORT') ?? 5432);
  if (!Number.isInteger(port) || port <= 0) return { error: `DB_PORT "${target.get('DB_PORT')}" is not a port number` };
  const database = target.get('DB_NAME') ?? user;
  const password = target.get('DB_PASSWORD');
  return { host, port, user, ...(password ? { password } : {}), database, ...fromDbSsl(), label: `${user}@${host}:${port}/${database}` };
}

/** True when the configuration makes the application refuse an unencrypted connection. */
export function sslRequired(mode: SslMode): boolean {
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
}

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
  /** Runs `use` inside BEGIN READ ONLY ... ROLLBACK, one transaction at a time on this client. */
  readOnly<T>(use: (q: ReadOnlyQueries) => Promise<T>): Promise<T>;
}

const NO_SSL = /does not support SSL/i;

async function connectClient(ctx: ProbeContext, target: PgTarget, ssl: boolean, kind: string): Promise<Client> {
  const { default: pg } = await import('pg');
  const timeoutMs = ctx.facts.timeoutMs;
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ...(target.password !== undefined ? { password: target.password } : {}),
    ssl: ssl ? { ca: [...rootCertificates, ...ctx.options.ca], rejectUnauthorized: !ctx.options.insecure } : false,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'bazaarhub-check',
  });
  // A server that drops the connection later must not crash the run; the next query reports it.
  client.on('error', () => undefined);
  ctx.facts.countContact(kind, target.label);
  try {
    await abortable(client.connect(), ctx.facts.signal);
    return client;
  } catch (error) {
    void client.end().catch(() => undefined);
    throw error;
  }
}

/** The application's connection (memoized per DSN for the run), honouring its sslmode (prefer/allow fall back to plain). */
export function pgSession(ctx: ProbeContext, target: PgTarget): Promise<PgSession> {
  return ctx.facts.once(`postgres ${target.label} ${target.sslMode}`, async () => {
    const started = performance.now();
    const wantSsl = target.sslMode !== 'disable';
    let client: Client;
    let encrypted = wantSsl;
    try {
      client = await connectClient(ctx, target, wantSsl, 'postgres');
    } catch (error) {
      if (!(wantSsl && !sslRequired(target.sslMode) && NO_SSL.test(errorMessage(error)))) throw new Error(cleanError(error, target));
      // libpq's prefer/allow: the plain retry is the run's one connection without SSL (postgres.ssl makes no other).
      client = await connectClient(ctx, target, false, 'postgres-nossl').catch((retry: unknown) => {
        throw new Error(cleanError(retry, target));
      });
      encrypted = false;
    }
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
    return { target, connectMs, encrypted, readOnly };
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
  tables: PgTable[];
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
}

/**
 * The frame of every postgres.* probe: skipped without configuration, an error (or failure) when the
 * connection fails, bounded by the probe's signal; otherwise `use` judges the session.
 */
export async function withPostgres(ctx: ProbeContext, options: PgProbeOptions, use: (session: PgSession) => Promise<Finding>): Promise<Finding> {
  const target = pgTargetOf(ctx.target);
  if (target === undefined) return { status: 'skipped', observed: PG_NOT_CONFIGURED, expected: options.expected };
  if ('error' in target) return { status: 'error', observed: target.error, expected: options.expected, remediation: 'Fix DATABASE_URL (postgres://user:password@host:5432/database?sslmode=require) or the DB_* variables.' };
  try {
    const session = await abortable(pgSession(ctx, target), ctx.signal);
    return await abortable(use(session), ctx.signal);
  } catch (error) {
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
