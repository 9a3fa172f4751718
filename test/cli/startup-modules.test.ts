import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOOPBACK_GUARD, ROOT, runCli, withTempDir } from '../helpers/cli.js';

const SDKS = ['pg', 'ioredis', '@elastic/elasticsearch', '@aws-sdk/client-s3', 'nodemailer', 'razorpay'];

/** The npm packages a real run of the binary imports, logged by a module-resolution hook. */
async function packagesLoaded(args: string[], env: Record<string, string> = {}): Promise<Set<string>> {
  return withTempDir(async (dir) => {
    const log = join(dir, 'modules.txt');
    writeFileSync(log, '');
    const result = await runCli(args, { env: { NODE_OPTIONS: `${LOOPBACK_GUARD} --import=${join(ROOT, 'bench/module-log.mjs')}`, BENCH_MODULE_LOG: log, ...env } });
    expect(result.code, result.stderr).not.toBe(2);
    return new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean));
  });
}

describe('start-up proportional to the selection', () => {
  it('run --only env. imports no network SDK when no database is configured (env.db-pool compares with a live database when one is)', async () => {
    const envFile = join(tmpdir(), `startup-${process.pid}.env`);
    writeFileSync(envFile, readFileSync(join(ROOT, 'test/fixtures/good.env'), 'utf8').replace(/^(DATABASE_URL|DB_[A-Z_]+)=.*$/gm, ''));
    const loaded = await packagesLoaded(['run', '--only', 'env.', '--no-manual', '--env-file', envFile]);
    expect(loaded.size).toBeGreaterThan(0);
    expect(SDKS.filter((sdk) => loaded.has(sdk))).toEqual([]);
    // The env probes, and the http judgements env.flags compares HTTPS_ONLY and SECURE_COOKIES with: no other area.
    const areas = new Set([...loaded].filter((name) => /^checks\/[a-z0-9-]+\//.test(name)).map((name) => name.split('/')[1]));
    expect([...areas].sort()).toEqual(['env', 'http']);
    expect(loaded.has('checks/env/secret-strength.js')).toBe(true);
    expect(['checks/http/latency.js', 'checks/http/rate-limit.js'].filter((name) => loaded.has(name))).toEqual([]);
  });

  it('run --only postgres. imports pg and nothing of AWS, Elasticsearch or Redis', async () => {
    const loaded = await packagesLoaded(['run', '--only', 'postgres.connectivity', '--no-manual', '--timeout', '2'], { DATABASE_URL: 'postgres://app:Secret-Passw0rd-1@127.0.0.1:9/shop' });
    expect(loaded.has('pg')).toBe(true);
    expect(['ioredis', '@elastic/elasticsearch', '@aws-sdk/client-s3'].filter((sdk) => loaded.has(sdk))).toEqual([]);
    // One probe selected, one probe module loaded.
    expect([...loaded].filter((name) => name.startsWith('checks/') && name !== 'checks/index.js')).toEqual(['checks/postgres/connectivity.js']);
  });

  it('loads the selected probes\' SDKs before the first probe starts, and says so in the report', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'report.json');
      const pg = await runCli(['run', '--only', 'postgres.connectivity', '--no-manual', '--timeout', '2', '--format', 'json', '--out', out], { env: { DATABASE_URL: 'postgres://app:Secret-Passw0rd-1@127.0.0.1:9/shop' } });
      expect(pg.code, pg.stderr).not.toBe(2);
      const notes = (JSON.parse(readFileSync(out, 'utf8')) as { notes: string[] }).notes;
      expect(notes.filter((note) => note.startsWith('SDKs loaded before the first probe started'))).toEqual([expect.stringMatching(/: pg \(\d+ ms\)$/)]);
      const envOnly = await runCli(['run', '--only', 'env.required', '--no-manual', '--format', 'json', '--out', out, '--env-file', join(ROOT, 'test/fixtures/good.env')]);
      expect(envOnly.code, envOnly.stderr).toBe(0);
      const envNotes = (JSON.parse(readFileSync(out, 'utf8')) as { notes: string[] }).notes;
      expect(envNotes.some((note) => note.startsWith('SDKs loaded'))).toBe(false);
      // The run's own CPU is stated, so a reader can tell when the tool, not the deployment, set the pace.
      expect(envNotes).toContainEqual(expect.stringMatching(/^CPU of the run: \d+ ms in \d+ ms \(\d+\.\d\d of a core\)$/));
    });
  });

  it('a full selection loads every probe module', async () => {
    const loaded = await packagesLoaded(['list']);
    expect([...loaded].filter((name) => /^checks\/[a-z0-9-]+\//.test(name)).length).toBeGreaterThanOrEqual(88);
  });
});
