import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

async function project(dir: string): Promise<void> {
  await copyFile(join(ROOT, 'bazaarhub-checks.yaml'), join(dir, 'bazaarhub-checks.yaml'));
  await writeFile(join(dir, 'deployment.md'), await readFile(join(ROOT, 'checklists/deployment.md')));
}

describe('bazaarhub-check CLI (real binary)', () => {
  it('--help lists the commands and the exit-code contract', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const command of ['run', 'demo', 'list', 'catalog', 'probes']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toMatch(/3 +incomplete/);
  });

  it('exit 0: every selected check passes', async () => {
    const { code, stdout } = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.', '--format', 'json']);
    const report = JSON.parse(stdout);
    expect(report.results.length).toBeGreaterThan(10);
    expect(report).toEqual(expect.objectContaining({ schemaVersion: 1, verdict: 'ready', exitCode: 0 }));
    expect(code).toBe(0);
  });

  it('exit 1: a blocking check fails, and the report names it with its fix', async () => {
    const { code, stdout } = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.', '--set', 'SECURE_COOKIES=false']);
    expect(code).toBe(1);
    expect(stdout).toContain('NOT READY (exit 1)');
    expect(stdout).toContain('pre-deployment.security.set-secure-cookies-true');
    expect(stdout).toContain('fix:');
  });

  it('exit 1 from unattested manual items; --fail-on critical lets medium failures through', async () => {
    expect((await runCli(['run', '--env-file', GOOD_ENV, '--only', 'pre-deployment.compliance-legal'])).code).toBe(1);
    expect((await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.db-pool', '--set', 'DB_POOL_MAX=5', '--fail-on', 'critical'])).code).toBe(0);
    expect((await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.db-pool', '--set', 'DB_POOL_MAX=5', '--fail-on', 'medium'])).code).toBe(1);
  });

  it('process env overrides the env file, --set overrides both', async () => {
    const env = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.flags', '--format', 'json'], { env: { NODE_ENV: 'development' } });
    expect(env.code).toBe(1);
    const set = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.flags', '--set', 'NODE_ENV=production'], { env: { NODE_ENV: 'development' } });
    expect(set.code).toBe(0);
  });

  it.each([
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['run', '--timeout', 'soon'], /--timeout expects seconds/],
    [['run', '--fail-on', 'urgent'], /fail-on/],
    [['run', '--format', 'pdf', '--env-file', GOOD_ENV], /--format pdf: unknown format/],
    [['run', '--env-file', 'missing.env'], /^bazaarhub-check: missing\.env: cannot read env file/],
    [['run', '--phase', 'nope'], /--phase nope: no such value/],
    [['run', '--only', 'zzz'], /--only zzz: matches no entry/],
    [['run', '--cadence', 'hourly'], /--cadence hourly: expected one of/],
    [['list', '--catalog', 'nope.yaml'], /nope\.yaml: cannot read catalog/],
    [['catalog', 'check', '--checklist', 'nope.md'], /nope\.md: cannot read checklist/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exit 2 with one clear line: %j', async (args, message) => {
    const { code, stderr, stdout } = await runCli(args as string[]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message as RegExp);
    expect(stdout).toBe('');
    noStack(stderr);
  });

  it('exit 2 naming file and line for a broken env file and a broken catalog', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'bad.env'), 'NODE_ENV=production\nJWT_SECRET\n');
      const env = await runCli(['run', '--env-file', join(dir, 'bad.env')]);
      expect(env.code).toBe(2);
      expect(env.stderr).toBe(`bazaarhub-check: ${join(dir, 'bad.env')}:2: expected KEY=VALUE\n`);

      await project(dir);
      const catalog = join(dir, 'bazaarhub-checks.yaml');
      await writeFile(catalog, (await readFile(catalog, 'utf8')).replace('probe: env.db-pool', 'probe: env.pool-size'));
      const result = await runCli(['list', '--catalog', catalog]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^bazaarhub-check: ${catalog}:\\d+: entry "pre-deployment.database.increase-connection-pool-size": unknown probe "env.pool-size"`));
    });
  });

  it('list filters and prints JSON', async () => {
    const { code, stdout } = await runCli(['list', '--phase', 'ongoing-maintenance', '--cadence', 'weekly', '--json']);
    expect(code).toBe(0);
    const entries = JSON.parse(stdout) as Array<{ id: string; cadence: string }>;
    expect(entries).toHaveLength(10);
    expect(entries.every((entry) => entry.cadence === 'weekly' && entry.id.startsWith('ongoing-maintenance.weekly-tasks.'))).toBe(true);
    const text = await runCli(['list', '--only', 'env.db-pool', '--only', 'env.flags']);
    expect(text.stdout).toContain('env.flags');
    expect(text.stdout).toMatch(/4 entries: 4 automated, 0 manual/);
  });

  it('catalog sync creates the catalog, check passes, drift exits 1 naming each item, sync keeps edits', async () => {
    await withTempDir(async (dir) => {
      const opts = ['--catalog', join(dir, 'c.yaml'), '--checklist', join(dir, 'deployment.md')];
      await project(dir);
      const created = await runCli(['catalog', 'sync', ...opts]);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/created .*c\.yaml: 273 added/);
      expect((await runCli(['catalog', 'check', ...opts])).code).toBe(0);

      const catalogPath = join(dir, 'c.yaml');
      await writeFile(catalogPath, (await readFile(catalogPath, 'utf8')).replace('title: Review terms of service\n', 'title: Review terms of service\n    attesters: [legal]\n'));
      const checklistPath = join(dir, 'deployment.md');
      const checklist = await readFile(checklistPath, 'utf8');
      await writeFile(checklistPath, checklist.replace('- [ ] Configure DDoS protection\n', '').replace('### Security\n', '### Security\n- [ ] Rotate the Razorpay webhook secret\n'));

      const drift = await runCli(['catalog', 'check', ...opts]);
      expect(drift.code).toBe(1);
      expect(drift.stdout).toContain('added    pre-deployment.security.rotate-the-razorpay-webhook-secret');
      expect(drift.stdout).toContain('vanished pre-deployment.infrastructure.configure-ddos-protection');
      expect(drift.stdout).toMatch(/moved +\d+ entries' source lines shifted/);

      const synced = await runCli(['catalog', 'sync', ...opts]);
      expect(synced.code).toBe(0);
      expect(synced.stdout).toMatch(/Items gone from the checklist[\s\S]*configure-ddos-protection/);
      const text = await readFile(catalogPath, 'utf8');
      expect(text).toMatch(/attesters: \[ ?legal ?\]/);
      expect(text).toMatch(/id: pre-deployment\.infrastructure\.configure-ddos-protection[\s\S]*?vanished: \d{4}-\d{2}-\d{2}/);
      // After a sync, check agrees (exit 0) and reports the vanished entry as sync did, until it is deleted.
      const after = await runCli(['catalog', 'check', ...opts]);
      expect(after.code).toBe(0);
      expect(after.stdout).toMatch(/vanished pre-deployment\.infrastructure\.configure-ddos-protection: gone from .* since \d{4}-\d{2}-\d{2}/);
    });
  });

  it('catalog schema prints a JSON Schema', async () => {
    const { code, stdout } = await runCli(['catalog', 'schema']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).definitions.BazaarhubCheckCatalog.properties.entries.type).toBe('array');
  });

  it('the shipped catalog agrees with the shipped checklist', async () => {
    const { code, stdout } = await runCli(['catalog', 'check']);
    expect(stdout).toContain('agrees');
    expect(code).toBe(0);
  });

  it('writes --out and --report files and still prints the terminal summary', async () => {
    await withTempDir(async (dir) => {
      const { code, stdout } = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.', '--format', 'markdown', '--out', join(dir, 'r.md'), '--report', `json=${join(dir, 'r.json')}`]);
      expect(code).toBe(0);
      expect(stdout).toContain('READY (exit 0)');
      expect(await readFile(join(dir, 'r.md'), 'utf8')).toMatch(/^# Deployment readiness: READY/);
      expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).verdict).toBe('ready');
    });
  });
});
