import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connectivity from '../../checks/postgres/connectivity.js';
import maxConnections from '../../checks/postgres/max-connections.js';
import privileges from '../../checks/postgres/privileges.js';
import replication from '../../checks/postgres/replication.js';
import slowQueryLog from '../../checks/postgres/slow-query-log.js';
import ssl from '../../checks/postgres/ssl.js';
import version from '../../checks/postgres/version.js';
import type { Finding, Probe } from '../../src/engine/types.js';
import { freePort } from '../../src/standins/process.js';
import { makeContext } from '../helpers/context.js';
import { PASSWORDS, startPgFixture, type PgFixture } from '../helpers/pg-server.js';

let fx: PgFixture;

beforeAll(async () => {
  fx = await startPgFixture({ replica: true });
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

/** Runs one probe through a fresh context (its own fact store), as the runner would, and checks no secret leaked. */
async function check(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}): Promise<Finding & { contacts: Map<string, number> }> {
  const ctx = makeContext(env, { ca: [fx.ca] });
  try {
    const finding = await probe.run(ctx, probe.params.parse(params));
    const text = JSON.stringify(finding);
    for (const secret of Object.values(PASSWORDS)) expect(text).not.toContain(secret);
    return { ...finding, contacts: new Map(ctx.facts.contacts) };
  } finally {
    await ctx.close();
  }
}

const appUrl = () => ({ DATABASE_URL: fx.dsn('app', 'shop_good', { sslmode: 'require' }) });

describe('postgres.connectivity', () => {
  it('passes with the application credentials and reports latency', async () => {
    const finding = await check(connectivity, appUrl());
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/connected to app@127\.0\.0\.1:\d+\/shop_good \(SSL\) in \d+ ms; a query took \d+ ms/);
    expect(finding.contacts.get(`postgres app@127.0.0.1:${fx.primary.port}/shop_good`)).toBe(1);
  });

  it('fails with a wrong password, without echoing it', async () => {
    const finding = await check(connectivity, { DATABASE_URL: fx.dsn('app', 'shop_good', { sslmode: 'require', password: 'Wrong-Passw0rd-123' }) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/password authentication failed/);
    expect(finding.observed).not.toContain('Wrong-Passw0rd-123');
  });

  it('fails when nothing listens', async () => {
    const port = await freePort();
    const finding = await check(connectivity, { DB_HOST: '127.0.0.1', DB_PORT: String(port), DB_USER: 'app', DB_PASSWORD: PASSWORDS.app, DB_NAME: 'shop_good' });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/ECONNREFUSED/);
  });

  it('is skipped without DATABASE_URL or DB_*', async () => {
    const finding = await check(connectivity, {});
    expect(finding.status).toBe('skipped');
    expect(finding.observed).toMatch(/DATABASE_URL/);
  });

  it('falls back to a plain connection with sslmode=prefer when the server has SSL off', async () => {
    const finding = await check(connectivity, { DATABASE_URL: fx.dsn('postgres', 'shop_good', { server: fx.replica, sslmode: 'prefer' }) });
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/\(no SSL\)/);
    const label = `postgres@127.0.0.1:${fx.replica?.port}/shop_good`;
    expect([finding.contacts.get(`postgres ${label}`), finding.contacts.get(`postgres-nossl ${label}`)]).toEqual([1, 1]);
  });

  it('reads DB_* with DB_SSL', async () => {
    const finding = await check(connectivity, { DB_HOST: '127.0.0.1', DB_PORT: String(fx.primary.port), DB_USER: 'app', DB_PASSWORD: PASSWORDS.app, DB_NAME: 'shop_good', DB_SSL: 'true' });
    expect(finding.status).toBe('pass');
  });
});

describe('postgres.version', () => {
  it('passes on PostgreSQL 15+', async () => {
    const finding = await check(version, appUrl());
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/^PostgreSQL 1\d/);
  });

  it('fails below the required major', async () => {
    const finding = await check(version, appUrl(), { minMajor: 99 });
    expect(finding.status).toBe('fail');
  });
});

describe('postgres.ssl', () => {
  it('passes when SSL is required and a plain connection is refused by pg_hba', async () => {
    const finding = await check(ssl, appUrl());
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.contacts.get(`postgres-nossl app@127.0.0.1:${fx.primary.port}/shop_good`)).toBe(1);
  });

  it('fails when the server still accepts a plain connection', async () => {
    const finding = await check(ssl, { DATABASE_URL: fx.dsn('postgres', 'shop_good', { sslmode: 'require' }) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('connection without SSL: accepted by the server');
  });

  it('fails when the application does not ask for SSL (libpq\'s default prefer encrypts but does not require it)', async () => {
    const finding = await check(ssl, { DATABASE_URL: fx.dsn('postgres', 'shop_good') });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/configuration: no sslmode in DATABASE_URL, PGSSLMODE or DB_SSL \(libpq's default prefer\) \(sslmode prefer does not require SSL\)/);
    expect(finding.observed).toMatch(/connection without SSL: accepted by the server/);
  });

  it('fails when the application disables SSL and the server requires it; the other probes could not look', async () => {
    const env = { DATABASE_URL: fx.dsn('app', 'shop_good', { sslmode: 'disable' }) };
    const finding = await check(ssl, env);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^app@127\.0\.0\.1:\d+\/shop_good: configuration: sslmode=disable in DATABASE_URL \(sslmode disable\); the server refuses connections without SSL/);
    const other = await check(version, env);
    expect(other.status).toBe('skipped');
    expect(other.observed).toMatch(/see postgres\.ssl/);
  });

  it('fails when the server has SSL off', async () => {
    const finding = await check(ssl, { DATABASE_URL: fx.dsn('postgres', 'shop_good', { server: fx.replica, sslmode: 'require' }) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/ssl = off/);
  });

  it('fails verify-full on an untrusted certificate (not an error), passes require without a root certificate, and connects with --insecure', async () => {
    const verifyFull = { DATABASE_URL: fx.dsn('app', 'shop_good', { sslmode: 'verify-full' }) };
    const ctx = makeContext(verifyFull);
    try {
      const finding = await ssl.run(ctx, {});
      expect(finding.status).toBe('fail');
      expect(finding.observed).toMatch(/certificate is signed by an unknown CA/);
    } finally {
      await ctx.close();
    }
    for (const [env, options] of [[appUrl(), {}], [verifyFull, { insecure: true }]] as const) {
      const context = makeContext(env, options);
      try {
        expect((await ssl.run(context, {})).status).toBe('pass');
      } finally {
        await context.close();
      }
    }
  });
});

describe('postgres.privileges', () => {
  it('passes for a minimal application role', async () => {
    const finding = await check(privileges, appUrl());
    expect(finding.status, finding.observed).toBe('pass');
  });

  it('fails for a superuser', async () => {
    const finding = await check(privileges, { DATABASE_URL: fx.dsn('postgres', 'shop_good', { sslmode: 'require' }) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/role postgres: has SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS, REPLICATION/);
    expect(finding.observed).toMatch(/owns 5 table\(s\)/);
  });
});

describe('postgres.slow-query-log', () => {
  it('passes with log_min_duration_statement = 500', async () => {
    const finding = await check(slowQueryLog, appUrl());
    expect(finding).toMatchObject({ status: 'pass', observed: 'log_min_duration_statement = 500 ms' });
  });

  it('fails for a role whose sessions log nothing', async () => {
    const finding = await check(slowQueryLog, { DATABASE_URL: fx.dsn('app_nolog', 'shop_good', { sslmode: 'require' }) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/-1/);
  });
});

describe('postgres.max-connections', () => {
  it('passes when DB_POOL_MAX x instances fits', async () => {
    const finding = await check(maxConnections, { ...appUrl(), DB_POOL_MAX: '20' });
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/max_connections = 50 \(3 reserved, 47 for applications/);
  });

  it('fails when the pools exceed max_connections', async () => {
    const finding = await check(maxConnections, { ...appUrl(), DB_POOL_MAX: '30' });
    expect(finding.status).toBe('fail');
    expect(finding.expected).toMatch(/= 60 connections/);
  });
});

describe('postgres.replication', () => {
  it('passes on a primary with a streaming replica', async () => {
    const admin = await fx.primary.admin();
    try {
      for (let i = 0; i < 50; i++) {
        const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.end();
    }
    const finding = await check(replication, appUrl());
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/primary with 1 attached replica/);
  });

  it('passes connected to the replica, in recovery with no lag', async () => {
    const finding = await check(replication, { DATABASE_URL: fx.dsn('postgres', 'shop_good', { server: fx.replica }) });
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/connected to a replica \(recovery mode\), WAL receiver streaming, 0\.0 s behind/);
  });

  it('fails on a primary without a replica', async () => {
    await fx.replica?.stop();
    const admin = await fx.primary.admin();
    try {
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_replication');
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.end();
    }
    const finding = await check(replication, appUrl());
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('primary with 0 attached replica(s)');
  });
});
