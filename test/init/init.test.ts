import { execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSigners } from '../../src/attest/signers.js';
import { BIN, LOOPBACK_GUARD, ROOT, runCli } from '../helpers/cli.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const BUNDLED = parse(readFileSync(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8')) as { entries: Array<{ id: string; title: string; probe?: string; params?: unknown; severity: string; manual?: true }> };
const bundled = (id: string) => BUNDLED.entries.find((entry) => entry.id === id)!;

/**
 * An application repository (git) whose DEPLOYMENT_CHECKLIST.md is BazaarHub's, with one item moved
 * to another section (new id, same title) and one item of its own.
 */
function appRepo(checklist = 'DEPLOYMENT_CHECKLIST.md'): string {
  const dir = temp('bazaarhub-app-');
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['config', 'user.name', 'Asha Rao'], { cwd: dir });
  execFileSync('git', ['config', 'user.email', 'asha@bazaarhub.in'], { cwd: dir });
  let text = readFileSync(join(ROOT, 'checklists/deployment.md'), 'utf8');
  expect(text).toContain('- [ ] Configure HSTS headers\n');
  text = text.replace('- [ ] Configure HSTS headers\n', '');
  text = text.replace('### Database\n', '### Database\n- [ ] Configure HSTS headers\n- [ ] Rotate the warehouse door codes\n');
  mkdirSync(join(dir, 'docs'), { recursive: true });
  writeFileSync(join(dir, checklist), text);
  return dir;
}

/** Every file under `dir` (outside .git) with its bytes and mtime. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    if (file.startsWith('.git/') || file === '.git') continue;
    const path = join(dir, file);
    const stat = statSync(path);
    if (stat.isFile()) files[file] = `${stat.mtimeMs}:${readFileSync(path, 'base64')}`;
  }
  return files;
}

/** init and the commands after it, with a private config directory (the personal key lives there). */
const init = (dir: string, args: string[], config: string) => runCli(['init', ...args], { cwd: dir, env: { CI: 'true', XDG_CONFIG_HOME: config } });

describe('bazaarhub-check init (real binary, temporary git repository)', () => {
  it('writes the curated catalog, ledger, public key, env template and workflow, then prints the next three commands', async () => {
    const dir = appRepo();
    const config = temp('bazaarhub-config-');
    const { code, stdout, stderr } = await init(dir, ['--ci', 'github'], config);
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const catalog = parse(readFileSync(join(dir, 'bazaarhub-checks.yaml'), 'utf8')) as typeof BUNDLED & { checklist: string };
    expect(catalog.checklist).toBe('DEPLOYMENT_CHECKLIST.md');
    // Same id: the bundled curation (probe, params, severity).
    const jwt = catalog.entries.find((entry) => entry.id === 'pre-deployment.security.generate-strong-jwt-secret')!;
    const curated = bundled('pre-deployment.security.generate-strong-jwt-secret');
    expect({ probe: jwt.probe, params: jwt.params, severity: jwt.severity }).toEqual({ probe: curated.probe, params: curated.params, severity: curated.severity });
    // Moved to another section (a new id): matched by its title.
    const hsts = catalog.entries.find((entry) => entry.title === 'Configure HSTS headers')!;
    const bundledHsts = BUNDLED.entries.find((entry) => entry.title === hsts.title)!;
    expect(hsts.id).not.toBe(bundledHsts.id);
    expect({ probe: hsts.probe, params: hsts.params, severity: hsts.severity }).toEqual({ probe: bundledHsts.probe, params: bundledHsts.params, severity: bundledHsts.severity });
    // The application's own item: inferred, manual.
    expect(catalog.entries.find((entry) => entry.title === 'Rotate the warehouse door codes')).toMatchObject({ manual: true });
    expect(stdout).toMatch(/created {2}bazaarhub-checks\.yaml from DEPLOYMENT_CHECKLIST\.md: \d+ entries .*; \d+ took probe, params and severity from the BazaarHub curation, 1 were inferred/);

    expect(readFileSync(join(dir, 'bazaarhub-attestations.jsonl'), 'utf8')).toBe('');
    // The personal key: outside the repository, owner-only; the signers file lists its public half.
    const privateFile = join(config, 'bazaarhub-check/attest-ed25519.pem');
    expect(statSync(privateFile).mode & 0o777).toBe(0o600);
    const publicKey = createPublicKey(createPrivateKey(readFileSync(privateFile, 'utf8')));
    const signers = parseSigners(readFileSync(join(dir, 'bazaarhub-signers'), 'utf8'), 'bazaarhub-signers');
    expect(signers.listings).toHaveLength(1);
    expect(signers.listings[0]).toMatchObject({ email: 'asha@bazaarhub.in', name: 'Asha Rao', roles: ['release-manager'] });
    expect(signers.listings[0]!.key.export({ type: 'spki', format: 'pem' })).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
    for (const [file, content] of Object.entries(snapshot(dir))) expect(Buffer.from(content.split(':')[1]!, 'base64').toString(), file).not.toContain('PRIVATE KEY');

    // The env template: names only, every value empty, ignored by git.
    const env = readFileSync(join(dir, '.env.production'), 'utf8');
    const assignments = env.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(assignments.every((line) => /^[A-Z][A-Z0-9_]*=$/.test(line))).toBe(true);
    for (const name of ['JWT_SECRET', 'ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL', 'APP_URL', 'RAZORPAY_KEY_SECRET', 'AWS_S3_KYC_BUCKET', 'SMTP_HOST', 'PROMETHEUS_URL']) expect(assignments).toContain(`${name}=`);
    expect(env).toMatch(/^# JWT_SECRET \(secret\): read by pre-deployment\.security\.generate-strong-jwt-secret/m);
    expect(execFileSync('git', ['check-ignore', '.env.production'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('.env.production');

    const workflow = parse(readFileSync(join(dir, '.github/workflows/bazaarhub-check.yml'), 'utf8'));
    const step = workflow.jobs.readiness.steps.find((s: { uses?: string }) => s.uses?.startsWith('bazaarhub/bazaarhub-check@'));
    expect(step.with).toMatchObject({ 'env-file-secret': '${{ secrets.BAZAARHUB_ENV_PRODUCTION }}', 'fail-on': 'high' });

    const next = stdout.slice(stdout.indexOf('Next:'));
    expect(next).toContain('1. fill in .env.production, then:  npx bazaarhub-check run --env-file .env.production');
    expect(next).toContain('2. record the manual items:   npx bazaarhub-check attest   (signs with your personal key)');
    expect(next).toMatch(/3\. commit the set-up: +git add bazaarhub-checks\.yaml bazaarhub-attestations\.jsonl bazaarhub-signers \.github\/workflows\/bazaarhub-check\.yml/);

    // The result works: the catalog agrees with the checklist, and run reads the template.
    expect((await runCli(['catalog', 'check'], { cwd: dir })).code).toBe(0);
    const run = await runCli(['run', '--env-file', '.env.production', '--only', 'env.', '--quiet'], { cwd: dir });
    expect(run.stdout).toContain('catalog bazaarhub-checks.yaml · checklist DEPLOYMENT_CHECKLIST.md · ledger bazaarhub-attestations.jsonl');
    expect(run.code).toBe(1);

    // An attestation signed with the personal key counts: the signers file lists it.
    const gst = 'pre-deployment.compliance-legal.review-gst-compliance-requirements';
    const attested = await runCli(['attest', gst, '--status', 'done', '--evidence', 'https://wiki.example.com/gst'], { cwd: dir, env: { CI: 'true', XDG_CONFIG_HOME: config } });
    expect(attested.code, attested.stderr).toBe(0);
    expect((await runCli(['attest', '--lint'], { cwd: dir })).code).toBe(0);
    const counted = await runCli(['run', '--env-file', '.env.production', '--only', gst, '--format', 'json'], { cwd: dir });
    expect(JSON.parse(counted.stdout).results[0]).toMatchObject({ id: gst, status: 'attested' });

    // Running it again changes nothing, and says so.
    const before = snapshot(dir);
    const again = await init(dir, [], config);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing changed: this repository is already set up for bazaarhub-check');
    expect(again.stdout).not.toMatch(/^created/m);
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(join(config, 'bazaarhub-check'))).toEqual(['attest-ed25519.pem']);
  }, 90_000);

  it('finds docs/*checklist*.md, sets up GitLab CI, and never puts the private key in the repository', async () => {
    const dir = appRepo('docs/release-checklist.md');
    const inside = await init(dir, ['--ci', 'gitlab'], join(dir, 'config'));
    expect(inside.code).toBe(2);
    expect(inside.stderr.trim().split('\n')).toHaveLength(1);
    expect(inside.stderr).toContain('inside the repository, where it could be committed');
    expect(readdirSync(dir).sort()).toEqual(['.git', 'docs']); // refused before anything was written

    const { code, stdout } = await init(dir, ['--ci', 'gitlab', '--by', 'Bob Iyer <bob@bazaarhub.in>', '--roles', 'security,operations'], temp('bazaarhub-config-'));
    expect(code).toBe(0);
    expect(stdout).toContain('from docs/release-checklist.md');
    expect(readFileSync(join(dir, 'bazaarhub-signers'), 'utf8')).toMatch(/^bob@bazaarhub\.in name="Bob Iyer",roles="security,operations" ssh-ed25519 /m);
    expect(parse(readFileSync(join(dir, 'bazaarhub-checks.yaml'), 'utf8')).checklist).toBe('docs/release-checklist.md');
    expect(parse(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'))).toEqual({ include: [{ local: '.gitlab/bazaarhub-check.gitlab-ci.yml' }] });
    const job = parse(readFileSync(join(dir, '.gitlab/bazaarhub-check.gitlab-ci.yml'), 'utf8'))['bazaarhub-check'];
    expect(job.artifacts.reports).toEqual({ junit: 'bazaarhub-junit.xml', codequality: 'gl-code-quality-report.json' });
  }, 60_000);

  it('without a checklist: one line, exit 2; --checklist names one anywhere', async () => {
    const dir = temp('bazaarhub-app-');
    const missing = await init(dir, ['--ci', 'none', '--by', 'Asha <asha@bazaarhub.in>'], temp('bazaarhub-config-'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('bazaarhub-check: no checklist found (looked for DEPLOYMENT_CHECKLIST.md, checklists/deployment.md and docs/*checklist*.md): pass --checklist FILE\n');
    writeFileSync(join(dir, 'ops.md'), readFileSync(join(ROOT, 'checklists/deployment.md')));
    const given = await init(dir, ['--checklist', 'ops.md', '--ci', 'none', '--by', 'Asha <asha@bazaarhub.in>'], temp('bazaarhub-config-'));
    expect(given.code).toBe(0);
    expect(relative(dir, join(dir, parse(readFileSync(join(dir, 'bazaarhub-checks.yaml'), 'utf8')).checklist))).toBe('ops.md');
  }, 60_000);

  it('on a terminal it asks which CI to set up', async () => {
    const dir = appRepo();
    const command = ['node', '--', BIN, 'init'].map((a) => `'${a}'`).join(' ');
    const output = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_CONFIG_HOME: temp('bazaarhub-config-'), TERM: 'xterm', NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD }, stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      let answered = false;
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (!answered && text.includes('Which CI should run bazaarhub-check?')) {
          answered = true;
          setTimeout(() => child.stdin.write('\x1b[B\r'), 150); // down once: GitLab CI
        }
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    expect(output).toContain('Which CI should run bazaarhub-check?');
    expect(output).toContain('created  .gitlab/bazaarhub-check.gitlab-ci.yml');
    expect(readdirSync(join(dir, '.gitlab'))).toEqual(['bazaarhub-check.gitlab-ci.yml']);
  }, 60_000);
});
