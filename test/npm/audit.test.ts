import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import audit from '../../checks/npm/audit.js';
import { listenHttp, sendJson, type RunningHttp } from '../../src/standins/http.js';
import { runProbe } from '../helpers/servers.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

/**
 * A registry on 127.0.0.1 that answers npm's bulk advisory endpoint (what `npm audit` POSTs its
 * lockfile's packages to) from a table, so `npm audit` runs for real without leaving the machine.
 */
let registry: RunningHttp;
let advisories: Record<string, unknown[]> = {};
let dir: string;

beforeAll(async () => {
  registry = await listenHttp((req, res) => {
    if (req.method === 'POST' && req.url === '/-/npm/v1/security/advisories/bulk') return sendJson(res, 200, advisories);
    return sendJson(res, 404, { error: 'not found' });
  });
  dir = await mkdtemp(join(tmpdir(), 'npm-audit-'));
  const app = join(dir, 'app');
  await mkdir(app);
  const resolved = `${registry.url}/left-pad/-/left-pad-1.0.0.tgz`;
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { 'left-pad': '^1.0.0' } }));
  await writeFile(
    join(app, 'package-lock.json'),
    JSON.stringify({
      name: 'shop',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'shop', version: '1.0.0', dependencies: { 'left-pad': '^1.0.0' } }, 'node_modules/left-pad': { version: '1.0.0', resolved, integrity: 'sha512-AAAA' } },
    }),
  );
  await mkdir(join(dir, 'nolock'));
  await writeFile(join(dir, 'nolock', 'package.json'), JSON.stringify({ name: 'nolock', version: '1.0.0' }));
});
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm.audit from saved reports', () => {
  it('passes on a clean report', async () => {
    const finding = await runProbe(audit, {}, { report: fixture('audit-clean.json') });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/no vulnerabilities$/);
  });

  it('fails on critical and high advisories and lists them, worst first', async () => {
    const finding = await runProbe(audit, {}, { report: fixture('audit-critical.json') });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('2 critical, 1 high, 1 moderate');
    expect(finding.observed).toContain('minimist (critical), mkdirp (critical), jsonwebtoken (high), semver (moderate)');
    expect(finding.details?.[0]).toEqual({ subject: 'minimist', status: 'fail', observed: 'critical: Prototype Pollution in minimist (https://github.com/advisories/GHSA-xvch-5gv4-984h)' });
    expect(finding.details?.find((detail) => detail.subject === 'mkdirp')?.observed).toBe('critical: via minimist');
    expect(finding.details?.find((detail) => detail.subject === 'semver')?.status).toBe('warn');
  });

  it('warns on moderate only, and honours failOn', async () => {
    expect((await runProbe(audit, {}, { report: fixture('audit-moderate.json') })).status).toBe('warn');
    expect((await runProbe(audit, {}, { report: fixture('audit-moderate.json'), failOn: ['moderate', 'high', 'critical'] })).status).toBe('fail');
  });

  it('reads npm 6 reports', async () => {
    const finding = await runProbe(audit, {}, { report: fixture('audit-v1-high.json') });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('lodash (high)');
  });

  it('errors on npm errors and unreadable reports; skips without dir or report', async () => {
    const enolock = await runProbe(audit, {}, { report: fixture('audit-enolock.json') });
    expect(enolock.status).toBe('error');
    expect(enolock.observed).toContain('ENOLOCK: This command requires an existing lockfile.');
    expect((await runProbe(audit, {}, { report: fixture('missing.json') })).status).toBe('error');
    expect((await runProbe(audit, {})).status).toBe('skipped');
  });
});

describe('npm.audit running npm audit in a checkout', () => {
  it('fails when the registry reports a critical advisory for a locked package', async () => {
    advisories = {
      'left-pad': [{ id: 1001, url: 'https://github.com/advisories/GHSA-test-0001', title: 'Remote code execution in left-pad', severity: 'critical', vulnerable_versions: '<1.3.0', cwe: ['CWE-94'], cvss: { score: 9.8, vectorString: null } }],
    };
    const finding = await runProbe(audit, {}, { dir: join(dir, 'app'), registry: `${registry.url}/` }, { timeoutMs: 30_000 });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('1 critical: left-pad (critical)');
    expect(finding.details?.[0]?.observed).toContain('Remote code execution in left-pad');
  }, 40_000);

  it('passes when the registry knows no advisories', async () => {
    advisories = {};
    const finding = await runProbe(audit, {}, { dir: join(dir, 'app'), registry: `${registry.url}/` }, { timeoutMs: 30_000 });
    expect(finding.status).toBe('pass');
  }, 40_000);

  it('reports npm\'s own error for a checkout without a lockfile', async () => {
    const finding = await runProbe(audit, {}, { dir: join(dir, 'nolock'), registry: `${registry.url}/` }, { timeoutMs: 30_000 });
    expect(finding.status).toBe('error');
    expect(finding.observed).toContain('ENOLOCK');
  }, 40_000);
});
