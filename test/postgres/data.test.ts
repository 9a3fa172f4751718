import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import fkIndexes from '../../checks/postgres/fk-indexes.js';
import migrations from '../../checks/postgres/migrations.js';
import rls from '../../checks/postgres/rls.js';
import vendorIsolation from '../../checks/postgres/vendor-isolation.js';
import type { Finding, Probe } from '../../src/engine/types.js';
import { APPLIED_MIGRATIONS, VENDOR_A, VENDOR_B } from '../../src/standins/postgres.js';
import { makeContext } from '../helpers/context.js';
import { PASSWORDS, startPgFixture, type PgFixture } from '../helpers/pg-server.js';

const probes = await probesOf('postgres');

let fx: PgFixture;
let folder: string;

beforeAll(async () => {
  fx = await startPgFixture();
  folder = mkdtempSync(join(tmpdir(), 'bazaarhub-migrations-'));
  for (const name of APPLIED_MIGRATIONS) writeFileSync(join(folder, name), 'exports.up = async () => {};\n');
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function check(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}): Promise<Finding> {
  const ctx = makeContext(env, { ca: [fx.ca] });
  try {
    const finding = await probe.run(ctx, probe.params.parse(params));
    for (const secret of Object.values(PASSWORDS)) expect(JSON.stringify(finding)).not.toContain(secret);
    return finding;
  } finally {
    await ctx.close();
  }
}

const app = (database: 'shop_good' | 'shop_mixed') => ({ DATABASE_URL: fx.dsn('app', database, { sslmode: 'require' }) });

describe('postgres.rls', () => {
  it('passes when every vendor table has forced RLS and a policy', async () => {
    const finding = await check(rls, app('shop_good'));
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.details?.map((d) => d.subject)).toEqual(['orders', 'payouts', 'products']);
  });

  it('lists the vendor tables without RLS, forcing or policy', async () => {
    const finding = await check(rls, app('shop_mixed'));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('orders: RLS not forced; payouts: RLS not enabled, RLS not forced, no policy');
  });

  it('warns when no table has the configured vendor column', async () => {
    const finding = await check(rls, app('shop_good'), { vendorColumns: ['tenant_id'] });
    expect(finding.status).toBe('warn');
  });
});

describe('postgres.vendor-isolation', () => {
  it('passes when a vendor sees only its own rows', async () => {
    const finding = await check(vendorIsolation, app('shop_good'));
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toBe("3 of 3 vendor table(s) showed only the current vendor's rows for 2 vendor(s)");
  });

  it('fails when another vendor\'s payouts are visible', async () => {
    const finding = await check(vendorIsolation, app('shop_mixed'));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe(`payouts: with app.current_vendor_id=${VENDOR_A}, a row of vendor ${VENDOR_B} is visible`);
  });

  it('fails for a role that bypasses RLS (the superuser)', async () => {
    const finding = await check(vendorIsolation, { DATABASE_URL: fx.dsn('postgres', 'shop_good', { sslmode: 'require' }) });
    expect(finding.status).toBe('fail');
    expect(finding.details?.filter((d) => d.status === 'fail')).toHaveLength(3);
  });

  it('warns when fewer than two vendors are known', async () => {
    const finding = await check(vendorIsolation, app('shop_good'), { vendorTable: 'none', vendorIds: [VENDOR_A] });
    expect(finding.status).toBe('warn');
    expect(finding.observed).toMatch(/not enough data to tell: 1 vendor id\(s\) known/);
  });
});

describe('postgres.fk-indexes', () => {
  it('passes when every foreign key and vendor column is indexed', async () => {
    const finding = await check(fkIndexes, app('shop_good'));
    expect(finding.status, finding.observed).toBe('pass');
  });

  it('lists the unindexed foreign key', async () => {
    const finding = await check(fkIndexes, app('shop_mixed'));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('1 column set(s) without an index: orders(product_id)');
  });
});

describe('postgres.migrations', () => {
  it('is skipped until the folder is configured', async () => {
    const finding = await check(migrations, app('shop_good'));
    expect(finding.status).toBe('skipped');
    expect(finding.observed).toMatch(/param folder/);
  });

  it('passes when every migration file is recorded in knex_migrations', async () => {
    const finding = await check(migrations, app('shop_good'), { folder });
    expect(finding).toMatchObject({ status: 'pass', observed: 'all 3 migration(s) in the folder are recorded in knex_migrations' });
  });

  it('fails when a migration file is pending', async () => {
    const pending = mkdtempSync(join(tmpdir(), 'bazaarhub-migrations-'));
    try {
      for (const name of [...APPLIED_MIGRATIONS, '20240401000000_kyc.js']) writeFileSync(join(pending, name), '');
      const finding = await check(migrations, app('shop_good'), { folder: pending });
      expect(finding.status).toBe('fail');
      expect(finding.observed).toBe('1 of 4 migration(s) pending: 20240401000000_kyc.js');
    } finally {
      rmSync(pending, { recursive: true, force: true });
    }
  });

  it('fails when the named migration table does not exist', async () => {
    const finding = await check(migrations, app('shop_good'), { folder, table: 'SequelizeMeta' });
    expect(finding.status).toBe('fail');
  });
});

describe('read-only', () => {
  interface Counters { ins: number; upd: number; del: number; tIns: number; tUpd: number; tDel: number }

  async function counters(database: string): Promise<Counters> {
    const admin = await fx.primary.admin(database);
    try {
      await admin.query('SELECT pg_stat_clear_snapshot()');
      const [db] = (await admin.query('SELECT tup_inserted::int AS ins, tup_updated::int AS upd, tup_deleted::int AS del FROM pg_stat_database WHERE datname = current_database()')).rows;
      const [t] = (await admin.query('SELECT sum(n_tup_ins)::int AS "tIns", sum(n_tup_upd)::int AS "tUpd", sum(n_tup_del)::int AS "tDel" FROM pg_stat_user_tables')).rows;
      return { ...db, ...t } as Counters;
    } finally {
      await admin.end();
    }
  }

  /** Statistics reach the shared counters when a backend's transaction ends or it exits; poll briefly for them to settle. */
  async function settled(database: string): Promise<Counters> {
    let last = await counters(database);
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const next = await counters(database);
      if (JSON.stringify(next) === JSON.stringify(last)) return next;
      last = next;
    }
    return last;
  }

  it('a full run of every postgres probe leaves the insert/update/delete counters unchanged', async () => {
    const before = { good: await settled('shop_good'), mixed: await settled('shop_mixed') };
    const env = (user: 'app' | 'postgres', database: string) => ({ DATABASE_URL: fx.dsn(user, database, { sslmode: 'require' }), DB_POOL_MAX: '20' });
    for (const [user, database] of [['app', 'shop_good'], ['app', 'shop_mixed'], ['postgres', 'shop_good'], ['postgres', 'shop_mixed']] as const) {
      // One context for all probes, like a real run: every probe shares the one client per DSN.
      const ctx = makeContext(env(user, database), { ca: [fx.ca] });
      try {
        const findings = await Promise.all(
          probes.map((probe) => probe.run({ ...ctx, signal: new AbortController().signal }, probe.params.parse(probe.id === 'postgres.migrations' ? { folder } : {}))),
        );
        expect(findings.map((f) => f.status)).not.toContain('error');
        expect(ctx.facts.contacts.get(`postgres ${user}@127.0.0.1:${fx.primary.port}/${database}`)).toBe(1);
      } finally {
        await ctx.close();
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    expect({ good: await settled('shop_good'), mixed: await settled('shop_mixed') }).toEqual(before);
  });

  it('the counters do move when something writes (the comparison above can fail)', async () => {
    const before = await settled('shop_mixed');
    const admin = await fx.primary.admin('shop_mixed');
    try {
      await admin.query(`INSERT INTO payouts ("vendorId", amount) VALUES ('${VENDOR_A}', 1)`);
    } finally {
      await admin.end();
    }
    let after = await settled('shop_mixed');
    for (let i = 0; i < 30 && after.tIns === before.tIns; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await counters('shop_mixed');
    }
    expect(after.tIns).toBe(before.tIns + 1);
    expect(after.ins).toBeGreaterThan(before.ins);
  });
});
