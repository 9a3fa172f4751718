/** The postgres judgements as pure functions, on snapshots recorded from the test clusters (fixtures/) and variations of them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeFkIndexes, covered } from '../../checks/postgres/fk-indexes.js';
import { judgeMaxConnections } from '../../checks/postgres/max-connections.js';
import { judgeMigrations, pendingMigrations } from '../../checks/postgres/migrations.js';
import { judgePrivileges } from '../../checks/postgres/privileges.js';
import { judgeReplication } from '../../checks/postgres/replication.js';
import { judgeRls } from '../../checks/postgres/rls.js';
import { judgeSlowQueryLog } from '../../checks/postgres/slow-query-log.js';
import { judgeSsl } from '../../checks/postgres/ssl.js';
import { judgeDbPool } from '../../checks/env/db-pool.js';
import { judgeIsolation } from '../../checks/postgres/vendor-isolation.js';
import { judgeVersion } from '../../checks/postgres/version.js';
import { pgTargetOf, type PgSnapshot } from '../../src/facts/postgres.js';
import { pgTlsOptions, resolvePgSsl, type PgSslConfig } from '../../src/facts/libpq.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';

const load = (name: string): PgSnapshot => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as PgSnapshot;
const primary = load('primary-mixed-app');
const replica = load('replica-superuser');
const vendor = { vendorColumns: ['vendor_id', 'vendorId'], ignoreTables: [] as string[] };

const target = (env: Record<string, string>) => pgTargetOf(buildTarget({ fileValues: new Map(Object.entries(env)) }, new Redactor()));

describe('libpq SSL parameters', () => {
  const ssl = (env: Record<string, string>, query?: string) => resolvePgSsl((name) => env[name], query === undefined ? undefined : new URLSearchParams(query));
  it('takes the DSN over PGSSL* over DB_SSL over libpq\'s default prefer', () => {
    expect(ssl({ PGSSLMODE: 'verify-ca', DB_SSL: 'true' }, 'sslmode=verify-full')).toMatchObject({ mode: 'verify-full', source: 'sslmode=verify-full in DATABASE_URL' });
    expect(ssl({ PGSSLMODE: 'verify-ca', DB_SSL: 'true' }, '')).toMatchObject({ mode: 'verify-ca', source: 'PGSSLMODE=verify-ca' });
    expect(ssl({ DB_SSL: 'true' })).toMatchObject({ mode: 'require', source: 'DB_SSL=true' });
    expect(ssl({})).toMatchObject({ mode: 'prefer' });
    expect(ssl({ PGSSLMODE: 'sometimes' })).toEqual({ error: expect.stringMatching(/PGSSLMODE has an unknown value "sometimes"/) });
    expect(ssl({ PGSSLROOTCERT: '/env.pem' }, 'sslrootcert=/dsn.pem')).toMatchObject({ rootCert: { value: '/dsn.pem' } });
    expect(ssl({ PGSSLROOTCERT: '/ca.pem' }, 'sslmode=no-verify')).toEqual(expect.objectContaining({ mode: 'require', source: expect.stringMatching(/node-postgres: encrypted, not verified/) }));
    expect(ssl({ PGSSLROOTCERT: '/ca.pem' }, 'sslmode=no-verify')).not.toHaveProperty('rootCert');
    expect(ssl({ PGSSLCERT: '/c.crt', PGSSLKEY: '/c.key' })).toMatchObject({ cert: { value: '/c.crt' }, key: { value: '/c.key' } });
  });

  it('sslrootcert=system defaults to verify-full and refuses a weaker explicit sslmode', () => {
    expect(ssl({}, 'sslrootcert=system')).toMatchObject({ mode: 'verify-full' });
    expect(ssl({}, 'sslrootcert=system&sslmode=verify-ca')).toMatchObject({ refusal: expect.stringMatching(/weak sslmode "verify-ca"/) });
  });

  it('verifies as libpq does: require only with a root certificate, verify-ca the chain, verify-full the host name too', () => {
    const run = { timeoutMs: 1000, insecure: false, ca: [] };
    const options = (mode: string, rootCert?: string) => {
      const config = ssl({}, `sslmode=${mode}${rootCert ? `&sslrootcert=${rootCert}` : ''}`);
      if ('error' in config) throw new Error(config.error);
      const built = pgTlsOptions(config, 'db.internal', run);
      if ('problem' in built) throw new Error(built.problem);
      return built;
    };
    expect(options('require').options.rejectUnauthorized).toBe(false);
    expect(options('require', import.meta.filename).options.rejectUnauthorized).toBe(true);
    expect(options('verify-ca').verification).toBe('the chain, not the host name');
    expect(options('verify-full').verification).toBe('the chain and the host name');
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    delete process.env.NODE_EXTRA_CA_CERTS;
    let missing: unknown;
    try {
      missing = pgTlsOptions(ssl({}, 'sslmode=verify-full&sslrootcert=/nowhere/ca.pem') as PgSslConfig, 'db.internal', run);
    } finally {
      if (saved !== undefined) process.env.NODE_EXTRA_CA_CERTS = saved;
    }
    expect(missing).toMatchObject({ status: 'error', problem: expect.stringMatching(/root certificate file "\/nowhere\/ca.pem" .* does not exist on this machine/) });
  });
});

describe('connection settings', () => {
  it('reads a DSN with sslmode and percent-encoded credentials', () => {
    expect(target({ DATABASE_URL: 'postgresql://app%40x:p%3Ass@db.internal:6432/shop?sslmode=verify-full' })).toMatchObject({
      host: 'db.internal', port: 6432, user: 'app@x', password: 'p:ss', database: 'shop', sslMode: 'verify-full', sslSource: 'sslmode=verify-full in DATABASE_URL', label: 'app@x@db.internal:6432/shop',
    });
  });

  it('falls back to DB_SSL when the DSN has no sslmode, and to DB_* without a DSN', () => {
    expect(target({ DATABASE_URL: 'postgres://u:p@h/db', DB_SSL: 'true' })).toMatchObject({ sslMode: 'require', sslSource: 'DB_SSL=true' });
    // libpq's default sslmode is prefer.
    expect(target({ DB_HOST: 'h', DB_USER: 'u', DB_PASSWORD: 'p', DB_NAME: 'd' })).toMatchObject({ port: 5432, sslMode: 'prefer', label: 'u@h:5432/d' });
    expect(target({ DB_HOST: 'h' })).toEqual({ error: 'DB_HOST is set but DB_USER is not' });
    expect(target({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=sometimes' })).toEqual({ error: 'DATABASE_URL has an unknown sslmode "sometimes"' });
    expect(target({})).toBeUndefined();
  });
});

describe('recorded primary (application role on shop_mixed)', () => {
  it('judges version, privileges and slow-query logging', () => {
    expect(judgeVersion(primary, { minMajor: 15 }).status).toBe('pass');
    expect(judgeVersion({ ...primary, versionNum: 140011 }, { minMajor: 15 })).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^PostgreSQL 14/) });
    expect(judgePrivileges(primary).status).toBe('pass');
    expect(judgePrivileges({ ...primary, role: { ...primary.role, bypassRls: true } }).observed).toBe('role app: has BYPASSRLS');
    expect(judgeSlowQueryLog(primary.settings.log_min_duration_statement, { minMs: 1, maxMs: 10_000 }).status).toBe('pass');
    expect(judgeSlowQueryLog({ setting: '0', unit: 'ms' }, { minMs: 1, maxMs: 10_000 })).toMatchObject({ status: 'warn', observed: 'log_min_duration_statement = 0 ms (every statement is logged)' });
    expect(judgeSlowQueryLog({ setting: '600000', unit: 'ms' }, { minMs: 1, maxMs: 10_000 }).status).toBe('warn');
  });

  it('lists the RLS gaps and the unindexed foreign key', () => {
    expect(judgeRls(primary.tables, vendor).observed).toBe('orders: RLS not forced; payouts: RLS not enabled, RLS not forced, no policy');
    expect(judgeRls(primary.tables, { ...vendor, ignoreTables: ['orders', 'payouts'] }).status).toBe('pass');
    expect(judgeFkIndexes(primary.tables, vendor).observed).toBe('1 column set(s) without an index: orders(product_id)');
    expect(judgeFkIndexes(primary.tables, { ...vendor, ignoreTables: ['orders'] }).status).toBe('pass');
  });

  it('counts a replica whose state this role may not see as attached', () => {
    expect(primary.replicas).toEqual([{ name: 'walreceiver', state: null, replayLagSeconds: null }]);
    expect(judgeReplication(primary, { minReplicas: 1, maxLagSeconds: 60 }).status).toBe('pass');
    expect(judgeReplication(primary, { minReplicas: 2, maxLagSeconds: 60 }).status).toBe('fail');
    expect(judgeReplication({ ...primary, replicas: [{ name: 'r1', state: 'streaming', replayLagSeconds: 120 }] }, { minReplicas: 1, maxLagSeconds: 60 }).status).toBe('fail');
    expect(judgeReplication({ ...primary, replicas: [{ name: 'r1', state: 'catchup', replayLagSeconds: null }] }, { minReplicas: 1, maxLagSeconds: 60 }).status).toBe('fail');
  });

  it('sizes max_connections against pool x instances and the role limit', () => {
    expect(judgeMaxConnections(primary, { size: 20, source: 'DB_POOL_MAX' }, 2).status).toBe('pass');
    expect(judgeMaxConnections(primary, { size: 20, source: 'DB_POOL_MAX' }, 3).status).toBe('fail');
    expect(judgeMaxConnections({ ...primary, role: { ...primary.role, connLimit: 10 } }, { size: 20, source: 'DB_POOL_MAX' }, 1).observed).toMatch(/^role app has CONNECTION LIMIT 10/);
  });
});

describe('recorded replica', () => {
  it('passes in recovery with no lag, fails when lagging or the receiver is down', () => {
    expect(judgeReplication(replica, { minReplicas: 1, maxLagSeconds: 60 }).status).toBe('pass');
    expect(judgeReplication({ ...replica, replicaLagSeconds: 600 }, { minReplicas: 1, maxLagSeconds: 60 }).status).toBe('fail');
    expect(judgeReplication({ ...replica, walReceiverStatus: 'stopping' }, { minReplicas: 1, maxLagSeconds: 60 }).status).toBe('fail');
  });
});

describe('ssl', () => {
  const good = { serverSsl: true, connectionEncrypted: true, sslMode: 'require' as const, sslSource: 'DB_SSL=true', plain: { outcome: 'refused' as const, reason: 'no pg_hba.conf entry' } };
  it('passes only when all four hold', () => {
    expect(judgeSsl(good).status).toBe('pass');
    expect(judgeSsl({ ...good, sslMode: 'prefer' }).observed).toBe('configuration: DB_SSL=true (sslmode prefer does not require SSL)');
    expect(judgeSsl({ ...good, plain: { outcome: 'inconclusive', reason: 'timeout' } }).status).toBe('warn');
  });

  it('lets the live application connections decide over the declared setting, and says both', () => {
    const live = (ssl: boolean) => [{ client: '10.0.0.5', application: 'api', ssl, count: 3 }];
    const plain = judgeSsl({ ...good, user: 'app', appSessions: live(false) });
    expect(plain.status).toBe('fail');
    expect(plain.observed).toBe('configuration: declared DB_SSL=true (requires SSL), but live 3 of 3 application connection(s) of role app are not encrypted (3 from 10.0.0.5 as "api" not encrypted)');
    const encrypted = judgeSsl({ ...good, sslMode: 'prefer', sslSource: 'DB_SSL unset', user: 'app', appSessions: live(true) });
    expect(encrypted.status).toBe('pass');
    expect(encrypted.observed).toMatch(/configuration: declared DB_SSL unset \(sslmode prefer does not require SSL\); live all 3 application connection\(s\) of role app are encrypted/);
  });
});

describe('vendor isolation', () => {
  const table = (name: string, checks: Array<{ vendor: string; own?: boolean; foreignVendor?: string | null; error?: string }>) => ({ table: name, column: 'vendor_id', checks });
  it('fails on a visible foreign row, warns without enough data, passes with evidence', () => {
    const base = { setting: 'app.current_vendor_id', knownVendors: ['a', 'b'], tested: ['a', 'b'] };
    expect(judgeIsolation({ ...base, tables: [table('orders', [{ vendor: 'a', own: true, foreignVendor: 'b' }])] }).status).toBe('fail');
    expect(judgeIsolation({ ...base, tables: [table('orders', [{ vendor: 'a', own: true, foreignVendor: null }])] }).status).toBe('pass');
    expect(judgeIsolation({ ...base, knownVendors: ['a'], tables: [table('orders', [{ vendor: 'a', own: true, foreignVendor: null }])] }).status).toBe('warn');
    expect(judgeIsolation({ ...base, tables: [table('orders', [{ vendor: 'a', own: false, foreignVendor: null }])] }).observed).toMatch(/^not enough data to tell: no vendor table showed rows/);
    expect(judgeIsolation({ ...base, tables: [] }).status).toBe('warn');
  });
});

describe('migrations', () => {
  it('matches files by stem, and TypeORM/Flyway rows by leading version', () => {
    expect(pendingMigrations(['20240101_init.js', '20240202_orders.ts'], ['20240101_init.js'])).toEqual({ pending: ['20240202_orders.ts'], unknown: [] });
    expect(pendingMigrations(['1700000000000-Init.ts'], ['Init1700000000000'])).toEqual({ pending: [], unknown: [] });
    expect(pendingMigrations(['V20240101__init.sql'], ['20240101'])).toEqual({ pending: [], unknown: [] });
    expect(judgeMigrations({ table: 'knex_migrations', files: ['a.js'], applied: ['a.js', 'b.js'] })).toMatchObject({ status: 'warn' });
  });

  it('covers an FK by an index on the same leading columns in any order', () => {
    expect(covered([['b', 'a', 'c']], ['a', 'b'])).toBe(true);
    expect(covered([['c', 'a', 'b']], ['a', 'b'])).toBe(false);
  });
});

describe('env.db-pool against the live database', () => {
  const params = { min: 20, max: 50 };
  const snapshot = (maxConnections: number, sessions: Array<{ client: string; count: number }> = [], connLimit = -1) => ({
    snapshot: {
      settings: { max_connections: { setting: String(maxConnections), unit: null }, superuser_reserved_connections: { setting: '3', unit: null } },
      role: { super: false, createRole: false, createDb: false, bypassRls: false, replication: false, connLimit },
      currentUser: 'app',
      appSessions: sessions.map((s) => ({ ...s, application: 'api', ssl: true })),
    },
  });
  it('judges the declaration alone when the database was not compared, and says why', () => {
    const finding = judgeDbPool({ declaredMax: '30', live: { reason: 'DATABASE_URL is not set' } }, params);
    expect(finding).toMatchObject({ status: 'pass', observed: 'DB_POOL_MAX is 30 (not compared with the live database: DATABASE_URL is not set)' });
  });
  it('fails a declared pool the live server or role cannot hold, saying both', () => {
    expect(judgeDbPool({ declaredMax: '30', live: snapshot(25) }, params)).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^declared DB_POOL_MAX is 30, but the live server's max_connections = 25 leaves 22 for applications/) });
    expect(judgeDbPool({ declaredMax: '30', live: snapshot(100, [], 10) }, params).observed).toMatch(/role app has CONNECTION LIMIT 10, fewer than one pool of 30/);
  });
  it('sums one client\'s sessions across applications and warns when they exceed the declared pool', () => {
    const finding = judgeDbPool({ declaredMax: '20', live: snapshot(200, [{ client: '10.0.0.5', count: 15 }, { client: '10.0.0.5', count: 10 }, { client: '10.0.0.6', count: 3 }]) }, params);
    expect(finding.status).toBe('warn');
    expect(finding.observed).toMatch(/live: 25 session\(s\) of role app from 10\.0\.0\.5, more than DB_POOL_MAX 20/);
    // A declaration already failing keeps failing, with the live evidence beside it.
    expect(judgeDbPool({ live: snapshot(200, [{ client: '10.0.0.5', count: 12 }]) }, params)).toMatchObject({ status: 'fail', observed: expect.stringMatching(/more than the driver default of 10/) });
  });
});
