import { setMaxListeners } from 'node:events';
import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { startDemoDeployment, type DemoDeployment } from '../../src/demo/deployment.js';
import { loadRegistry } from '../../src/engine/registry.js';
import { runEntries } from '../../src/engine/runner.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';
import { ROOT } from '../helpers/cli.js';

/**
 * A full run of every catalog probe against the stand-in deployment (real PostgreSQL when the
 * machine has it, the S3 stand-in) changes no row counter and leaves no object or object version.
 */
let deployment: DemoDeployment;
beforeAll(async () => {
  deployment = await startDemoDeployment();
}, 60_000);
afterAll(async () => {
  await deployment.close();
});

async function pgCounters(dsn: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: dsn.replace(/[?&]sslmode=[^&]*/, ''), ssl: { ca: deployment.caPem } });
  await client.connect();
  try {
    const read = async () => {
      await client.query('SELECT pg_stat_clear_snapshot()');
      const db = (await client.query('SELECT tup_inserted::int AS ins, tup_updated::int AS upd, tup_deleted::int AS del FROM pg_stat_database WHERE datname = current_database()')).rows[0];
      const tables = (await client.query('SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_del::int AS del FROM pg_stat_user_tables ORDER BY relname')).rows;
      return JSON.stringify({ db, tables });
    };
    // Statistics reach the shared counters when backends end their transactions: wait for them to settle.
    let last = await read();
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await read();
      if (next === last) return next;
      last = next;
    }
    return last;
  } finally {
    await client.end();
  }
}

async function s3Objects(env: Record<string, string>): Promise<string[]> {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string },
    requestHandler: { httpsAgent: new Agent({ ca: deployment.caPem }) },
  });
  try {
    const all: string[] = [];
    for (const bucket of [env.AWS_S3_BUCKET, env.AWS_S3_KYC_BUCKET] as string[]) {
      const versions = await client.send(new sdk.ListObjectVersionsCommand({ Bucket: bucket }));
      for (const v of versions.Versions ?? []) all.push(`${bucket}/${v.Key}@${v.VersionId}`);
      for (const m of versions.DeleteMarkers ?? []) all.push(`${bucket}/${m.Key}@${m.VersionId} (delete marker)`);
    }
    return all.sort();
  } finally {
    client.destroy();
  }
}

describe('probes stay read-only', () => {
  it('a full catalog run changes no PostgreSQL row counter and leaves no S3 object', async () => {
    const env = deployment.env;
    const hasPg = Boolean(env.DATABASE_URL);
    expect(env.AWS_ENDPOINT_URL_S3, 'the S3 stand-in runs').toBeTruthy();
    const before = { pg: hasPg ? await pgCounters(env.DATABASE_URL as string) : '', s3: await s3Objects(env) };

    const registry = await loadRegistry();
    const { catalog } = await loadCatalog(`${ROOT}/bazaarhub-checks.yaml`, registry);
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const outcome = await runEntries({
      entries: catalog.entries,
      registry,
      target: buildTarget({ envFile: '.env.production', fileValues: new Map(Object.entries(env)) }, new Redactor()),
      options: { timeoutMs: 10_000, insecure: false, ca: [deployment.caPem] },
      concurrency: 64,
      signal: controller.signal,
    });
    // The run really reached both: the write-access roundtrip wrote and deleted its object.
    const ran = (probe: string) => outcome.results.filter((result) => result.probe === probe && result.status !== 'skipped' && result.status !== 'error');
    expect(ran('s3.roundtrip').length).toBeGreaterThan(0);
    if (hasPg) expect(ran('postgres.connectivity').length).toBeGreaterThan(0);

    const after = { pg: hasPg ? await pgCounters(env.DATABASE_URL as string) : '', s3: await s3Objects(env) };
    expect(after.s3).toEqual(before.s3);
    expect(after.pg).toEqual(before.pg);
  }, 90_000);
});
