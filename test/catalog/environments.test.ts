import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { goodProfile, startService, type RunningService } from '../../src/standins/web.js';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const SECRET = 'Qm8xT2vL9pZr4Kw7Ny1Hb6Jc3Fd0Gs5UeA2';
let production: RunningService;
let staging: RunningService;
let caPem = '';

beforeAll(async () => {
  const ca = await createCertificateAuthority();
  const leaf = await issueCertificate(ca);
  caPem = ca.cert;
  // Two stand-in deployments, identical but for one planted difference: staging sends no HSTS.
  production = await startService('api', goodProfile('api'), leaf);
  staging = await startService('api', { ...goodProfile('api'), hsts: undefined }, leaf);
});
afterAll(async () => {
  await production?.close();
  await staging?.close();
});

const CATALOG = `version: 1
checklist: checklists/deployment.md
environments:
  production:
    envFile: env/production.env
  staging:
    description: pre-production, test keys allowed
    envFile: env/staging.env
    variables: { HTTPS_ONLY: "true" }
    overrides:
      t.node-env:
        params: { expect: { NODE_ENV: staging } }
      env.secret-strength:
        severity: medium
entries:
  - id: t.jwt
    title: JWT secret is strong
    phase: t
    cadence: per-release
    severity: critical
    probe: env.secret-strength
    params: { variables: [JWT_SECRET] }
  - id: t.node-env
    title: NODE_ENV is right for the deployment
    phase: t
    cadence: per-release
    severity: high
    probe: env.flags
    params: { expect: { NODE_ENV: production } }
  - id: t.https-only
    title: HTTPS_ONLY is on
    phase: t
    cadence: per-release
    severity: high
    probe: env.flags
    params: { expect: { HTTPS_ONLY: "true" } }
  - id: t.hsts
    title: HSTS is sent
    phase: t
    cadence: per-release
    severity: high
    probe: http.hsts
`;

async function project(dir: string, catalog = CATALOG) {
  await mkdir(join(dir, 'env'), { recursive: true });
  await mkdir(join(dir, 'checklists'), { recursive: true });
  await writeFile(join(dir, 'checklists/deployment.md'), await readFile(join(ROOT, 'checklists/deployment.md')));
  await writeFile(join(dir, 'bazaarhub-checks.yaml'), catalog);
  await writeFile(join(dir, 'ca.pem'), caPem);
  await writeFile(join(dir, 'env/production.env'), `NODE_ENV=production\nHTTPS_ONLY=true\nAPP_URL=${production.url}\nJWT_SECRET=${SECRET}\n`);
  await writeFile(join(dir, 'env/staging.env'), `NODE_ENV=staging\nAPP_URL=${staging.url}\nJWT_SECRET=${SECRET}\n`);
  return (args: string[], env: Record<string, string> = {}) => runCli([...args, '--ca', 'ca.pem'], { cwd: dir, env });
}

describe('environments (real binary, two stand-in deployments)', () => {
  it('--environment selects one: its env file, variables and overrides apply, and the report names it', async () => {
    await withTempDir(async (dir) => {
      const cli = await project(dir);
      const run = await cli(['run', '--environment', 'staging', '--format', 'json']);
      const report = JSON.parse(run.stdout);
      expect(report.target).toEqual({ envFile: join(dir, 'env/staging.env'), deployment: new URL(staging.url).origin, environment: 'staging' });
      const status = Object.fromEntries(report.results.map((result: { id: string; status: string; severity: string }) => [result.id, `${result.status}/${result.severity}`]));
      // NODE_ENV=staging passes by the staging override; HTTPS_ONLY comes from the environment's variables.
      expect(status).toEqual({ 't.jwt': 'pass/medium', 't.node-env': 'pass/high', 't.https-only': 'pass/high', 't.hsts': 'fail/high' });
      expect(run.code).toBe(1);
      const terminal = await cli(['run', '--environment', 'production']);
      expect(terminal.stdout).toMatch(/environment production · target .*production\.env/);
      expect(terminal.code).toBe(0);
    });
  });

  it('two environments in one run: every entry side by side, and the planted difference named', async () => {
    await withTempDir(async (dir) => {
      const cli = await project(dir);
      const run = await cli(['run', '--environment', 'staging', '--environment', 'production']);
      expect(run.stderr).toMatch(/^environment staging\n[\s\S]*\nenvironment production\n/);
      expect(run.stderr).not.toContain('bazaarhub-check:');
      expect(run.code).toBe(1);
      const out = run.stdout;
      expect(out).toContain('bazaarhub-check: staging vs production: 2 difference(s) (exit 1)');
      expect(out).toMatch(/staging +NOT READY \(exit 1\)/);
      expect(out).toMatch(/production +READY \(exit 0\)/);
      expect(out).toMatch(/ {2}t\.hsts\n {4}staging +fail \(high\): .*no Strict-Transport-Security header\n {4}production +pass \(high\)/);
      // Severity overrides are differences too; equal rows are listed without the marker.
      expect(out).toMatch(/t\.jwt +pass \(medium\) +pass \(critical\) +← differs/);
      expect(out).toMatch(/t\.node-env +pass \(high\) +pass \(high\) *\n/);
      expect(out).toMatch(/t\.https-only +pass \(high\) +pass \(high\) *\n/);
      expect(out).not.toContain(SECRET);

      const json = JSON.parse((await cli(['run', '--environment', 'staging', '--environment', 'production', '--format', 'json'])).stdout);
      expect(json).toEqual(expect.objectContaining({ kind: 'comparison', exitCode: 1, differences: 2 }));
      expect(json.entries.find((entry: { id: string }) => entry.id === 't.hsts')).toEqual(expect.objectContaining({ differs: true, byEnvironment: { staging: expect.objectContaining({ status: 'fail' }), production: expect.objectContaining({ status: 'pass' }) } }));
      // Each environment gathered its own facts: one HSTS response from each stand-in.
      expect(json.reports.staging.results.find((r: { id: string }) => r.id === 't.hsts').observed).not.toBe(json.reports.production.results.find((r: { id: string }) => r.id === 't.hsts').observed);
    });
  });

  it('bad environment input is exit 2 with one line', async () => {
    await withTempDir(async (dir) => {
      const cli = await project(dir);
      const unknown = await cli(['run', '--environment', 'stagin']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe('bazaarhub-check: --environment stagin: not an environment of bazaarhub-checks.yaml (known: production, staging) (did you mean staging?)\n');
      const both = await cli(['run', '--environment', 'staging', '--environment', 'production', '--set', 'NODE_ENV=x']);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('--set: not with several --environment');
      const format = await cli(['run', '--environment', 'staging', '--environment', 'production', '--format', 'junit']);
      expect(format.code).toBe(2);
      const badOverride = await project(dir, CATALOG.replace('      t.node-env:\n        params: { expect: { NODE_ENV: staging } }', '      t.node-env:\n        params: { expct: { NODE_ENV: staging } }'));
      const bad = await badOverride(['run', '--environment', 'staging']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/bazaarhub-checks\.yaml:12: params\.expct: unknown param of env\.flags \(did you mean expect\?\)/);
      const badKey = await project(dir, CATALOG.replace('      t.node-env:\n', '      t.node-envv:\n'));
      expect((await badKey(['run', '--environment', 'staging'])).stderr).toMatch(/:11: environments\.staging\.overrides\.t\.node-envv: not an entry id or a probe id \(did you mean t\.node-env\?\)/);
    });
  });
});
