import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { gitRepo, tempDir } from './helpers.js';

const tmp = tempDir('approve');
afterAll(() => tmp.remove());

const CATALOG = (roles: string) => `version: 1
checklist: checklist.md
approvals: { roles: [${roles}] }
entries:
  - id: pre-deployment.security.jwt
    title: Strong JWT secret
    phase: pre-deployment
    section: security
    cadence: per-release
    severity: critical
    probe: env.secret-strength
    params: { variables: [ JWT_SECRET ] }
  - id: pre-deployment.security.tls
    title: TLS certificates valid
    phase: pre-deployment
    section: security
    cadence: per-release
    severity: critical
    probe: tls.certificate
  - id: ongoing-maintenance.monthly-tasks.review-and-rotate-secrets
    title: Review and rotate secrets
    phase: ongoing-maintenance
    section: monthly-tasks
    cadence: monthly
    severity: medium
    manual: true
  - id: ongoing-maintenance.weekly-tasks.review-error-logs
    title: Review error logs
    phase: ongoing-maintenance
    section: weekly-tasks
    cadence: weekly
    severity: medium
    manual: true
  - id: ongoing-maintenance.quarterly-tasks.disaster-recovery-drill
    title: Disaster recovery drill
    phase: ongoing-maintenance
    section: quarterly-tasks
    cadence: quarterly
    severity: high
    manual: true
  - id: deployment.steps.smoke-test
    title: Smoke test the storefront
    phase: deployment
    section: steps
    cadence: per-release
    severity: high
    manual: true
`;

interface Person {
  env: Record<string, string>;
  line: string;
}

async function person(dir: string, name: string, email: string, roles: string): Promise<Person> {
  const env = { XDG_CONFIG_HOME: join(dir, `.config-${email.split('@')[0]}`), HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const made = await runCli(['attest', '--new-key', '--by', `${name} <${email}>`], { cwd: dir, env });
  expect(made.code, made.stderr).toBe(0);
  const line = (/^ {2}(\S+@\S+ .*ssh-ed25519 \S+)$/m.exec(made.stderr)?.[1] as string).replace('roles="engineering"', `roles="${roles}"`);
  return { env, line };
}

describe('approve: a signed release approval of one report', () => {
  const dir = join(tmp.dir, 'repo');
  let asha: Person;
  let bob: Person;
  const cli = (who: Person, args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env: who.env });

  beforeAll(async () => {
    mkdirSync(dir);
    const git = gitRepo(dir);
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG('release-manager'));
    writeFileSync(join(dir, 'good.env'), 'APP_URL=https://api.bazaarhub.example\nJWT_SECRET=Qm8xT2vL9pZr4Kw7Ny1Hb6Jc3Fd0Gs5UeA2\n');
    writeFileSync(join(dir, 'bad.env'), 'APP_URL=https://api.bazaarhub.example\nJWT_SECRET=short\n');
    asha = await person(dir, 'Asha Rao', 'asha@bazaarhub.in', 'release-manager,security');
    bob = await person(dir, 'Bob Iyer', 'bob@bazaarhub.in', 'engineering');
    writeFileSync(join(dir, 'bazaarhub-signers'), `${asha.line}\n${bob.line}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    for (const [env, out] of [['good.env', 'ready.json'], ['bad.env', 'not-ready.json']]) {
      await runCli(['run', '--env-file', env as string, '--only', 'env.', '--no-manual', '--format', 'json', '--out', out as string], { cwd: dir, env: asha.env });
    }
    expect(JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')).verdict).toBe('ready');
  });

  it('records an approval in a role the signer holds; verify passes on the unchanged report, fails once it is edited', async () => {
    const refused = await cli(bob, ['approve', 'ready.json', '--role', 'release-manager']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--role release-manager: Bob Iyer <bob@bazaarhub\.in> holds engineering/);
    expect((await cli(asha, ['approve', '--verify', 'ready.json'])).code).toBe(1);

    const approved = await cli(asha, ['approve', 'ready.json', '--role', 'release-manager']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/approved ready\.json \(sha256 [0-9a-f]{12}, ready\) as release-manager by Asha Rao <asha@bazaarhub\.in>/);

    const verified = await cli(bob, ['approve', '--verify', 'ready.json']);
    expect(verified.stdout).toMatch(/✓ release-manager: Asha Rao <asha@bazaarhub\.in> on .*, signed with a listed personal key of Asha Rao/);
    expect(verified.code).toBe(0);

    appendFileSync(join(dir, 'ready.json'), ' ');
    const edited = await cli(bob, ['approve', '--verify', 'ready.json']);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/✗ release-manager: approved as [0-9a-f]{12} by Asha Rao .*this file's SHA-256 is [0-9a-f]{12}: the report changed since/);
  });

  it('fails verification while a required role (catalog approvals.roles) has not approved', async () => {
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG('release-manager, security'));
    await runCli(['run', '--env-file', 'good.env', '--only', 'env.', '--no-manual', '--format', 'json', '--out', 'second.json'], { cwd: dir, env: asha.env });
    expect((await cli(asha, ['approve', 'second.json', '--role', 'release-manager'])).code).toBe(0);
    const missing = await cli(bob, ['approve', '--verify', 'second.json']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/✗ security: no approval of this report/);
    expect((await cli(asha, ['approve', 'second.json', '--role', 'security'])).code).toBe(0);
    expect((await cli(bob, ['approve', '--verify', 'second.json'])).code).toBe(0);
  });

  it('a NOT READY report needs --override --justification, and the override shows in verify, JSON and markdown', async () => {
    const plain = await cli(asha, ['approve', 'not-ready.json', '--role', 'release-manager']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/the verdict is NOT-READY; approving it anyway needs --override --justification TEXT/);
    expect((await cli(asha, ['approve', 'not-ready.json', '--role', 'release-manager', '--override'])).code).toBe(2);
    const override = await cli(asha, ['approve', 'not-ready.json', '--role', 'release-manager', '--override', '--justification', 'hotfix for checkout outage, JWT rotated tomorrow']);
    expect(override.code, override.stderr).toBe(0);
    expect((await cli(asha, ['approve', 'not-ready.json', '--role', 'security', '--override', '--justification', 'same hotfix'])).code).toBe(0);
    const verified = await cli(bob, ['approve', '--verify', 'not-ready.json']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/OVERRIDE of a NOT-READY report: hotfix for checkout outage/);

    // The next run's sign-off is filled from the standing approvals of this deployment.
    const markdown = await runCli(['run', '--env-file', 'bad.env', '--only', 'env.', '--no-manual', '--format', 'markdown'], { cwd: dir, env: bob.env });
    expect(markdown.stdout).toMatch(/\| release-manager \| Asha Rao &lt;asha@bazaarhub\.in&gt; \| approved report `[0-9a-f]{12}` \(not-ready\) — \*\*OVERRIDE\*\*: hotfix for checkout outage, JWT rotated tomorrow \|/);
    const json = JSON.parse((await runCli(['run', '--env-file', 'bad.env', '--only', 'env.', '--no-manual', '--format', 'json'], { cwd: dir, env: bob.env })).stdout);
    expect(json.signoff.roles).toEqual(['release-manager', 'security']);
    expect(json.notes.join('\n')).toMatch(/Release approval OVERRIDE in force: Asha Rao <asha@bazaarhub\.in> approved a NOT-READY report/);
    const terminal = await runCli(['run', '--env-file', 'bad.env', '--only', 'env.', '--no-manual'], { cwd: dir, env: bob.env });
    expect(terminal.stdout).toMatch(/note: Release approval OVERRIDE in force/);
    expect(json.signoff.approvals.find((a: { role: string }) => a.role === 'release-manager')).toMatchObject({ by: 'Asha Rao <asha@bazaarhub.in>', override: true, roleVerified: true });
  });

  it('a file that is not a JSON report is exit 2', async () => {
    writeFileSync(join(dir, 'notes.md'), '# not json');
    const result = await cli(asha, ['approve', '--verify', 'notes.md']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^bazaarhub-check: notes\.md: not a JSON report/);
  });
});

describe('due: what turns red next', () => {
  const dir = join(tmp.dir, 'due');
  let asha: Person;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  let httpsUrl = '';
  let caFile = '';
  let close: () => void = () => undefined;

  beforeAll(async () => {
    mkdirSync(dir);
    gitRepo(dir);
    writeFileSync(join(dir, 'bazaarhub-checks.yaml'), CATALOG('release-manager'));
    asha = await person(dir, 'Asha Rao', 'asha@bazaarhub.in', 'release-manager,security,operations');
    writeFileSync(join(dir, 'bazaarhub-signers'), `${asha.line}\n`);
    const attest = (id: string, expires: string) => runCli(['attest', id, '--status', 'done', '--expires', expires], { cwd: dir, env: asha.env });
    expect((await attest('ongoing-maintenance.monthly-tasks.review-and-rotate-secrets', day(29))).code).toBe(0);
    expect((await attest('ongoing-maintenance.weekly-tasks.review-error-logs', day(1))).code).toBe(0);
    expect((await attest('ongoing-maintenance.quarterly-tasks.disaster-recovery-drill', day(31))).code).toBe(0);
    expect((await runCli(['attest', 'deployment.steps.smoke-test', '--status', 'done'], { cwd: dir, env: asha.env })).code).toBe(0);

    const ca = await createCertificateAuthority();
    const leaf = await issueCertificate(ca, { notAfterDays: 12, hosts: ['127.0.0.1', 'localhost'] });
    const server = createServer({ key: leaf.key, cert: leaf.cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    httpsUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.cert);
    writeFileSync(join(dir, 'live.env'), `APP_URL=${httpsUrl}\n`);
    close = () => server.close();
  });
  afterAll(() => close());

  it('lists items at 1 and 29 days soonest first, not the one at 31, and the per-release attestation the next tag ends', async () => {
    const result = await runCli(['due', '--days', '30', '--format', 'json'], { cwd: dir, env: asha.env });
    expect(result.code, result.stderr).toBe(0);
    const items = JSON.parse(result.stdout).items as Array<{ id: string; kind: string; daysLeft: number | null }>;
    expect(items.map((item) => [item.id, item.kind, item.daysLeft])).toEqual([
      ['ongoing-maintenance.weekly-tasks.review-error-logs', 'attestation', 1],
      ['ongoing-maintenance.monthly-tasks.review-and-rotate-secrets', 'secret-rotation', 29],
      ['deployment.steps.smoke-test', 'per-release', null],
    ]);
    const text = await runCli(['due'], { cwd: dir, env: asha.env });
    expect(text.stdout).toMatch(/3 item\(s\) turn red within 30 day\(s\), soonest first/);
    expect(text.stdout.indexOf('Review error logs')).toBeLessThan(text.stdout.indexOf('Review and rotate secrets'));
    expect(text.stdout).not.toMatch(/Disaster recovery drill/);
  });

  it('adds TLS certificates, live with --env-file; the ICS file parses back with a real iCalendar parser, one event per dated item', async () => {
    const out = join(dir, 'due.ics');
    const result = await runCli(['due', '--days', '30', '--format', 'ics', '--out', out, '--env-file', 'live.env', '--ca', caFile], { cwd: dir, env: asha.env });
    expect(result.code, result.stderr).toBe(0);
    const calendar = new ICAL.Component(ICAL.parse(readFileSync(out, 'utf8')));
    const events = calendar.getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent));
    expect(events.map((event) => event.summary)).toEqual([
      'bazaarhub-check: Review error logs (attestation)',
      'bazaarhub-check: TLS certificate of api (certificate)',
      'bazaarhub-check: Review and rotate secrets (secret-rotation)',
    ]);
    expect(events[0]?.startDate.toString()).toBe(day(1));
    expect(events[2]?.startDate.toString()).toBe(day(29));
    expect(events[1]?.description).toMatch(/expires in 1[12] day\(s\)/);
  });

  it('reads certificates from an earlier run\'s JSON report', async () => {
    await runCli(['run', '--env-file', 'live.env', '--ca', caFile, '--only', 'tls.certificate', '--no-manual', '--format', 'json', '--out', 'last.json'], { cwd: dir, env: asha.env });
    const result = await runCli(['due', '--days', '20', '--format', 'json', '--report', 'last.json'], { cwd: dir, env: asha.env });
    const items = JSON.parse(result.stdout).items as Array<{ kind: string; daysLeft: number }>;
    expect(items.find((item) => item.kind === 'certificate')?.daysLeft).toBeGreaterThanOrEqual(11);
    expect((await runCli(['due', '--format', 'pdf'], { cwd: dir, env: asha.env })).code).toBe(2);
  });
});
