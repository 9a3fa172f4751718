import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findingFingerprint } from '../../src/attest/automated.js';
import { appendAttestation } from '../../src/attest/ledger.js';
import { loadKeys } from '../../src/attest/keys.js';
import { ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { copyProject, HMAC_KEY, tempDir } from '../attest/helpers.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const MIGRATIONS = 'deployment.pre-deployment-checks.database-migrations-ready';
const COOKIES = 'pre-deployment.security.set-secure-cookies-true';
const tmp = tempDir('gate');
afterAll(() => tmp.remove());
let projects = 0;

const project = (): string => copyProject(join(tmp.dir, `p${++projects}`));
const withKey = { BAZAARHUB_ATTEST_KEY: HMAC_KEY };
const cli = (dir: string, args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env: withKey });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const json = (result: CliResult) => JSON.parse(result.stdout);

describe('the verdict: skipped is not passed', () => {
  it('an empty environment is never READY: exit 3, one line up front, the terminal ends with the verdict', async () => {
    const result = await runCli(['run', '--only', 'http.', '--only', 'tls.', '--only', 'postgres.', '--no-manual', '--quiet']);
    expect(result.code).toBe(3);
    const notice = result.stderr.trim().split('\n');
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(/no --env-file and none of the deployment's variables .* are set/);
    expect(result.stdout).toMatch(/^bazaarhub-check: INCOMPLETE \(exit 3\)/);
    expect(result.stdout).toContain('Nothing was verified');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Verdict: INCOMPLETE \(exit 3\) · 0 automated failures · 0 missing or expired attestations · \d+ skipped but blocking · 0 errors · 0 waivers$/);
    const report = json(await runCli(['run', '--only', 'http.', '--only', 'tls.', '--only', 'postgres.', '--no-manual', '--format', 'json']));
    expect(report.verdict).toBe('incomplete');
    expect(report.counts.verified).toBe(0);
    const blocking = report.results.filter((r: { blocking: boolean }) => r.blocking);
    expect(blocking.length).toBe(report.counts.skippedBlocking);
    expect(blocking.every((r: { status: string; severity: string }) => r.status === 'skipped' && ['critical', 'high'].includes(r.severity))).toBe(true);
    // One cause, one fix: every entry that needs DATABASE_URL is under one cause.
    const database = report.causes.find((c: { title: string }) => c.title.startsWith('DATABASE_URL'));
    expect(database.entries.length).toBeGreaterThanOrEqual(8);
    for (const id of database.entries) expect(report.results.find((r: { id: string }) => r.id === id).cause).toBe(database.key);
  });

  it('nothing selected that could verify anything is not READY either, even below --fail-on', async () => {
    const result = await runCli(['run', '--only', 'postgres.version', '--no-manual', '--format', 'json']);
    expect(json(result)).toMatchObject({ verdict: 'incomplete', counts: { blocking: 0, verified: 0 } });
    expect(result.code).toBe(3);
  });

  it('a skipped high entry blocks (exit 3, naming what to set) until a not-applicable attestation says why', async () => {
    const dir = project();
    const args = ['run', '--env-file', GOOD_ENV, '--only', 'env.', '--only', MIGRATIONS, '--no-manual'];
    const before = await cli(dir, [...args, '--format', 'json']);
    expect(before.code).toBe(3);
    const skipped = json(before).results.find((r: { id: string }) => r.id === MIGRATIONS);
    expect(skipped).toMatchObject({ status: 'skipped', blocking: true, severity: 'high' });
    const terminal = await cli(dir, [...args, '--quiet']);
    expect(terminal.stdout).toContain(`set \`params: { folder: ... }\` on entry ${MIGRATIONS} in the catalog`);
    expect(terminal.stdout).toContain(`bazaarhub-check attest ${MIGRATIONS} --status not-applicable --reason TEXT`);

    const done = await cli(dir, ['attest', MIGRATIONS, '--status', 'done', '--by', 'Asha']);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/attested only --status not-applicable/);
    const na = await cli(dir, ['attest', MIGRATIONS, '--status', 'not-applicable', '--reason', 'migrations run by the platform team', '--by', 'Asha']);
    expect(na.code).toBe(0);
    const after = await cli(dir, [...args, '--format', 'json']);
    expect(after.code).toBe(0);
    const result = json(after).results.find((r: { id: string }) => r.id === MIGRATIONS);
    expect(result).toMatchObject({ status: 'skipped', blocking: false, attestation: { status: 'not-applicable', reason: 'migrations run by the platform team' } });
    expect((await cli(dir, [...args, '--quiet'])).stdout).toContain('not applicable: migrations run by the platform team');
  });
});

describe('waivers', () => {
  const failing = ['run', '--env-file', GOOD_ENV, '--only', 'env.', '--no-manual', '--set', 'SECURE_COOKIES=false'];

  it('a waiver covers exactly the finding it was recorded for, until it expires', async () => {
    const dir = project();
    expect((await cli(dir, [...failing, '--quiet'])).code).toBe(1);
    const missing = await cli(dir, ['waive', COOKIES, '--expires', inDays(30), '--by', 'CTO', '--env-file', GOOD_ENV, '--set', 'SECURE_COOKIES=false']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--justification is required/);
    const tooLong = await cli(dir, ['waive', COOKIES, '--justification', 'x', '--expires', inDays(200), '--by', 'CTO', '--env-file', GOOD_ENV, '--set', 'SECURE_COOKIES=false']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/at most 90 days/);
    const passing = await cli(dir, ['waive', COOKIES, '--justification', 'x', '--expires', inDays(30), '--by', 'CTO', '--env-file', GOOD_ENV]);
    expect(passing.code).toBe(2);
    expect(passing.stderr).toMatch(/passes now .* nothing to waive/);

    const waived = await cli(dir, ['waive', COOKIES, '--justification', 'cookie rollout ships next sprint', '--expires', inDays(30), '--by', 'CTO', '--env-file', GOOD_ENV, '--set', 'SECURE_COOKIES=false']);
    expect(waived.stderr).toBe('');
    expect(waived.code).toBe(0);
    expect(waived.stdout).toMatch(/^waived pre-deployment\.security\.set-secure-cookies-true \(fail: SECURE_COOKIES: "false".*\) by CTO until /);
    const record = JSON.parse(readFileSync(join(dir, 'bazaarhub-attestations.jsonl'), 'utf8').trim());
    expect(record).toMatchObject({ status: 'waived', reason: 'cookie rollout ships next sprint', finding: { status: 'fail', observed: expect.stringMatching(/^SECURE_COOKIES: "false"/) } });

    const covered = await cli(dir, [...failing, '--format', 'json']);
    expect(covered.code).toBe(0);
    const report = json(covered);
    expect(report.verdict).toBe('ready');
    expect(report.counts).toMatchObject({ blocking: 0, failures: 0, waivers: 1 });
    expect(report.results.find((r: { id: string }) => r.id === COOKIES)).toMatchObject({ status: 'fail', blocking: false, waived: true, waiver: { by: 'CTO', justification: 'cookie rollout ships next sprint', state: 'in-force' } });
    const terminal = await cli(dir, [...failing, '--quiet']);
    expect(terminal.stdout).toMatch(/Waivers \(1\)\n {2}pre-deployment\.security\.set-secure-cookies-true: fail \(fail: SECURE_COOKIES: "false".*\), waived by CTO until \S+: cookie rollout ships next sprint/);

    // A different finding (a typo instead of false) is not what was accepted: it blocks.
    const changed = await cli(dir, ['run', '--env-file', GOOD_ENV, '--only', 'env.', '--no-manual', '--set', 'SECURE_COOKIES=ture', '--format', 'json']);
    expect(changed.code).toBe(1);
    expect(json(changed).results.find((r: { id: string }) => r.id === COOKIES)).toMatchObject({ status: 'fail', blocking: true, waiver: { state: 'finding-changed' } });
    expect(json(changed).results.find((r: { id: string }) => r.id === COOKIES).waived).toBeUndefined();
  });

  it('an expired waiver blocks again; one expiring within --warn-days warns', async () => {
    const dir = project();
    const ledger = join(dir, 'bazaarhub-attestations.jsonl');
    const signer = loadKeys(withKey, ledger).signer;
    if (!signer) throw new Error('no signer');
    // The finding as the probe reports it here (a waiver binds to exactly that text, numbers aside).
    const seen = JSON.parse((await cli(dir, [...failing, '--format', 'json'])).stdout).results.find((r: { id: string }) => r.id === COOKIES).observed as string;
    const finding = { status: 'fail', observed: seen, fingerprint: findingFingerprint('fail', seen) };
    await appendAttestation(ledger, { id: COOKIES, status: 'waived', by: 'CTO', at: '2026-01-01T00:00:00.000Z', expires: '2026-01-31T23:59:59.999Z', evidence: null, note: null, reason: 'old decision', commit: null, finding }, signer);
    const expired = await cli(dir, [...failing, '--format', 'json']);
    expect(expired.code).toBe(1);
    expect(json(expired).results.find((r: { id: string }) => r.id === COOKIES)).toMatchObject({ blocking: true, waiver: { state: 'expired' } });
    expect((await cli(dir, [...failing, '--quiet'])).stdout).toMatch(/waiver by CTO expired 2026-01-31: it blocks again/);

    expect((await cli(dir, ['waive', COOKIES, '--justification', 'one more day', '--expires', inDays(2), '--by', 'CTO', '--from', await reportFile(dir)])).code).toBe(0);
    const expiring = await cli(dir, [...failing, '--quiet']);
    expect(expiring.code).toBe(0);
    expect(expiring.stdout).toMatch(/waived by CTO until \S+ ⚠ expiring soon: one more day/);
    expect(expiring.stdout).toMatch(/Expiring soon \(1\)\n {2}pre-deployment\.security\.set-secure-cookies-true: waiver ends /);
    // `due` lists it among what turns red next.
    const due = await cli(dir, ['due', '--days', '7']);
    expect(due.stdout).toMatch(/waiver +Set SECURE_COOKIES=true\n +waiver by CTO expires in \d day\(s\); fix the finding, or bazaarhub-check waive pre-deployment\.security\.set-secure-cookies-true/);
  });
});

async function reportFile(dir: string): Promise<string> {
  const file = join(dir, 'report.json');
  const result = await cli(dir, [...['run', '--env-file', GOOD_ENV, '--only', 'env.', '--no-manual', '--set', 'SECURE_COOKIES=false'], '--format', 'json', '--out', file, '--quiet']);
  expect(result.code).toBe(1);
  return file;
}
