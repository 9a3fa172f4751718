import { setMaxListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoDeployment, type DemoDeployment } from '../../src/demo/deployment.js';
import { toEnvFile } from '../../src/demo/env.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadRegistry } from '../../src/engine/registry.js';
import { runEntries } from '../../src/engine/runner.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

/**
 * The read-only proof: the FULL catalog, through the real binary, against the stand-in deployment
 * (real PostgreSQL and Redis when the machine has them, wire-level stand-ins for the rest), and
 * every part of the deployment reports afterwards that nothing was done: no PostgreSQL row
 * inserted/updated/deleted, no Redis write (dirty counter, keyspace, write commands), no S3 object
 * or version left, no Elasticsearch write, no mail envelope, no SMS, no Razorpay/Shiprocket write call, no
 * webhook event BazaarHub would act on, no Prometheus admin call, and on the web services no
 * request an application could act on beyond the documented rate-limit burst of bogus logins.
 */
let deployment: DemoDeployment;
beforeAll(async () => {
  deployment = await startDemoDeployment();
}, 60_000);
afterAll(async () => {
  await deployment?.close();
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

interface RedisState {
  /** rdb_changes_since_last_save: every write that changed data bumps it (the server runs with --save ''). */
  changes: number;
  keyspace: string;
  /** calls per command (INFO commandstats). */
  calls: Record<string, number>;
}

async function redisState(url: string): Promise<RedisState> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true, enableReadyCheck: false });
  await client.connect();
  try {
    const info = await client.info('everything');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1] as string] = Number(match[2]);
    const keyspace = [...info.matchAll(/^(db\d+):keys=(\d+),expires=(\d+)/gm)].map((match) => `${match[1]} keys=${match[2]} expires=${match[3]}`).join('; ');
    return { changes: Number(field('rdb_changes_since_last_save')), keyspace, calls };
  } finally {
    client.disconnect();
  }
}

/** Commands that read or manage the connection only; anything else a run sends would be a write (or a read we did not document). */
const REDIS_READ_ONLY = new Set(['ping', 'info', 'config|get', 'auth', 'hello', 'select', 'client|setname', 'client|setinfo', 'client|info', 'command', 'command|docs', 'command|info', 'quit']);

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

interface JsonReport {
  results: Array<{ id: string; probe: string | null; status: string; observed: string }>;
}

describe('probes stay read-only', () => {
  it('a full catalog run through the binary changes nothing in any part of the deployment', async () => {
    const env = deployment.env;
    expect(env.AWS_ENDPOINT_URL_S3, 'the S3 stand-in runs').toBeTruthy();
    const hasPg = Boolean(env.DATABASE_URL);
    const hasRedis = Boolean(env.REDIS_URL);
    const snapshot = async () => ({
      pg: hasPg ? await pgCounters(env.DATABASE_URL as string) : '',
      redis: hasRedis ? await redisState(env.REDIS_URL as string) : undefined,
      s3: await s3Objects(env),
      activity: deployment.activity(),
    });
    const before = await snapshot();

    const report = await withTempDir(async (dir) => {
      const envFile = join(dir, '.env.production');
      const caFile = join(dir, 'demo-ca.pem');
      await writeFile(envFile, toEnvFile(env));
      await writeFile(caFile, deployment.caPem);
      const result = await runCli(['run', '--env-file', envFile, '--ca', caFile, '--no-manual', '--timeout', '30', '--format', 'json', '--quiet'], { timeoutMs: 170_000 });
      expect(result.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
      expect([0, 1, 3], `exit ${result.code}: ${result.stderr.slice(-500)}`).toContain(result.code);
      return JSON.parse(result.stdout) as JsonReport;
    });

    // The run really reached every part of the deployment it is about to be judged on.
    const looked = (probe: string) => report.results.filter((result) => result.probe === probe && result.status !== 'skipped' && result.status !== 'error');
    const reached = ['http.reachable', 'http.rate-limit', 'waf.blocks-attacks', 'es.connectivity', 's3.buckets', 's3.roundtrip', 'razorpay.keys', 'razorpay.webhook-signature', 'shiprocket.auth', 'smtp.connect', 'sms.account', 'monitoring.alert-rules', 'monitoring.series', 'monitoring.alertmanagers', 'deploy.service'];
    if (hasPg) reached.push('postgres.connectivity', 'postgres.vendor-isolation');
    if (hasRedis) reached.push('redis.connectivity', 'redis.auth', 'redis.hit-rate');
    for (const probe of reached) expect(looked(probe).length, `${probe} ran against the stand-in`).toBeGreaterThan(0);

    // Soft: one run shows every part that changed, not only the first.
    const after = await snapshot();
    expect.soft(after.pg, 'PostgreSQL row counters').toEqual(before.pg);
    if (before.redis && after.redis) {
      expect.soft(after.redis.changes, 'Redis writes (rdb_changes_since_last_save)').toBe(before.redis.changes);
      expect.soft(after.redis.keyspace, 'Redis keyspace').toBe(before.redis.keyspace);
      const sent = Object.keys(after.redis.calls).filter((command) => after.redis!.calls[command] !== before.redis!.calls[command]);
      expect.soft(sent.length, 'the run sent Redis commands').toBeGreaterThan(0);
      expect.soft(sent.filter((command) => !REDIS_READ_ONLY.has(command)), 'Redis commands beyond the documented reads').toEqual([]);
    }
    expect.soft(after.s3, 'S3 objects and versions').toEqual(before.s3);

    const done = after.activity;
    const s3Writes = (done.s3?.writes as string[]).slice((before.activity.s3?.writes as string[]).length);
    // s3.roundtrip is the one documented writer: its own object under bazaarhub-check/, put then deleted.
    expect.soft(s3Writes.every((write) => /^(PutObject|DeleteObject) bazaarhub-products\/bazaarhub-check\//.test(write)), s3Writes.join('\n')).toBe(true);
    expect.soft(s3Writes.filter((write) => write.startsWith('PutObject')).length).toBe(s3Writes.filter((write) => write.startsWith('DeleteObject')).length);
    expect.soft(done.elasticsearch, 'Elasticsearch writes').toEqual({ writes: [] });
    expect.soft(done.prometheus, 'Prometheus writes').toEqual({ writes: [] });
    expect.soft(done.smtp, 'SMTP: no MAIL FROM / RCPT TO / DATA').toEqual({ envelope: [], mailsSent: 0 });
    expect.soft(done.shiprocket, 'Shiprocket write calls').toEqual({ writes: [] });
    expect.soft(done.twilio, 'SMS messages sent').toEqual({ messagesSent: 0 });
    expect.soft(done.razorpay?.apiWrites, 'Razorpay API write calls').toEqual([]);
    expect.soft(done.razorpay?.webhookEventsActedOn, 'webhook events BazaarHub would act on (record a payment, update statistics)').toEqual([]);
    const unsafe = done.web?.unsafeRequests as Record<string, string[]>;
    // The only non-GET traffic: http.rate-limit's bounded burst of bogus logins on the API (documented in its `sends`).
    expect.soft(Object.entries(unsafe).flatMap(([service, requests]) => requests.filter((request) => !(service === 'api' && request === 'POST /api/auth/login')).map((request) => `${service}: ${request}`))).toEqual([]);
    expect.soft(unsafe.api?.length, 'the rate-limit burst stays within its count').toBeLessThanOrEqual(30);
  }, 180_000);

  it('a probe that declares it sends nothing contacts nothing, on any of its catalog entries', async () => {
    const registry = await loadRegistry();
    const { catalog } = await loadCatalog(`${ROOT}/bazaarhub-checks.yaml`, registry);
    const silent = [...registry.values()].filter((probe) => probe.sends.to === 'nothing').map((probe) => probe.id);
    expect(silent.length).toBeGreaterThan(0);
    for (const id of silent) {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal);
      const outcome = await runEntries({
        entries: catalog.entries.filter((entry) => entry.probe === id),
        registry,
        target: buildTarget({ envFile: '.env.production', fileValues: new Map(Object.entries(deployment.env)) }, new Redactor()),
        options: { timeoutMs: 30_000, insecure: false, ca: [deployment.caPem] },
        concurrency: 8,
        signal: controller.signal,
      });
      expect(Object.fromEntries(outcome.contacts), `${id} declares sends.to "nothing"`).toEqual({});
    }
  }, 120_000);
});
