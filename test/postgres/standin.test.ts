import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import type { StandInContext, RunningStandIn } from '../../src/demo/standin.js';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { postgresStandIn } from '../../src/standins/postgres.js';
import { makeContext } from '../helpers/context.js';
import { ensurePostgresUser } from '../helpers/pg-server.js';

const probes = await probesOf('postgres');

let running: RunningStandIn;
let context: StandInContext;

beforeAll(async () => {
  ensurePostgresUser();
  const ca = await createCertificateAuthority('demo CA');
  context = { dir: mkdtempSync(join(tmpdir(), 'bazaarhub-standin-')), caPem: ca.cert, issueCertificate: (options) => issueCertificate(ca, options?.hosts ? { hosts: options.hosts } : {}) };
  running = await postgresStandIn.start(context);
}, 60_000);

afterAll(async () => {
  await running?.close();
  rmSync(context.dir, { recursive: true, force: true });
});

it('the demo database gives the postgres probes a realistic mix of passes and failures', async () => {
  expect(Object.keys(running.env)).toEqual(['DATABASE_URL', 'DB_SSL']);
  const ctx = makeContext({ ...running.env, DB_POOL_MAX: '20' }, { ca: [context.caPem] });
  try {
    const results = Object.fromEntries(
      await Promise.all(probes.map(async (probe) => [probe.id, (await probe.run({ ...ctx, signal: new AbortController().signal }, probe.params.parse({}))).status] as const)),
    );
    expect(results).toEqual({
      'postgres.connectivity': 'pass',
      'postgres.version': 'pass',
      'postgres.ssl': 'fail',
      'postgres.privileges': 'pass',
      'postgres.slow-query-log': 'pass',
      'postgres.rls': 'fail',
      'postgres.vendor-isolation': 'fail',
      'postgres.fk-indexes': 'fail',
      'postgres.replication': 'fail',
      'postgres.max-connections': 'pass',
      'postgres.migrations': 'skipped',
    });
  } finally {
    await ctx.close();
  }
});
