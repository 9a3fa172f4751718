import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../attest/helpers.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const tmp = tempDir('report-cli');
afterAll(() => tmp.remove());
const base = ['run', '--env-file', GOOD_ENV, '--only', 'env.', '--quiet'];

describe('report formats through the real binary', () => {
  it('writes junit, sarif, html and checklist reports from one run', async () => {
    const out = (name: string) => join(tmp.dir, name);
    const run = await runCli([...base, '--set', 'SECURE_COOKIES=false', '--format', 'junit', '--out', out('r.xml'), '--report', `sarif=${out('r.sarif')}`, '--report', `html=${out('r.html')}`, '--report', `checklist=${out('r.md')}`]);
    expect(run.code).toBe(1);
    expect(readFileSync(out('r.xml'), 'utf8')).toMatch(/<testcase name="pre-deployment\.security\.set-secure-cookies-true"[^>]*>\s*<failure /);
    const sarif = JSON.parse(readFileSync(out('r.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('pre-deployment.security.set-secure-cookies-true');
    expect(readFileSync(out('r.html'), 'utf8')).toContain('<h1 id="verdict" class="verdict not-ready">NOT READY</h1>');
    const checklist = readFileSync(out('r.md'), 'utf8');
    expect(checklist).toMatch(/^- \[ \] Set SECURE_COOKIES=true _\(bazaarhub-check: ✘ fail/m);
    expect(checklist).toMatch(/^- \[x\] Set HTTPS_ONLY=true _\(bazaarhub-check: ✔ verified by env\.flags/m);
  });

  it('prints ::error annotations on GitHub Actions, on stdout beside the terminal report and on stderr beside JSON', async () => {
    const terminal = await runCli([...base, '--set', 'SECURE_COOKIES=false'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(terminal.stdout).toMatch(/^::error file=checklists\/deployment\.md,line=\d+,title=fail%3A Set SECURE_COOKIES=true/m);
    const json = await runCli([...base, '--set', 'SECURE_COOKIES=false', '--format', 'json'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(JSON.parse(json.stdout).verdict).toBe('not-ready');
    expect(json.stderr).toMatch(/^::error /m);
    const off = await runCli([...base, '--set', 'SECURE_COOKIES=false']);
    expect(off.stdout).not.toContain('::error');
  });

  it('diff: regressed and fixed keyed by id; exit 1 only on regressions; exit 2 on a bad file', async () => {
    const good = join(tmp.dir, 'good.json');
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(good, (await runCli([...base, '--format', 'json'])).stdout);
    writeFileSync(bad, (await runCli([...base, '--format', 'json', '--set', 'SECURE_COOKIES=false'])).stdout);
    const worse = await runCli(['diff', good, bad]);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toMatch(/regressed \(1\):\n\s+pass → fail\s+high\s+pre-deployment\.security\.set-secure-cookies-true/);
    const better = await runCli(['diff', bad, good, '--format', 'json']);
    expect(better.code).toBe(0);
    expect(JSON.parse(better.stdout)).toMatchObject({ verdict: { from: 'not-ready', to: 'ready' }, fixed: [{ id: 'pre-deployment.security.set-secure-cookies-true', from: 'fail', to: 'pass' }], regressed: [] });
    writeFileSync(join(tmp.dir, 'junk.json'), '{"hello":1}');
    const junk = await runCli(['diff', good, join(tmp.dir, 'junk.json')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/junk\.json: not a bazaarhub-check JSON report/);
  });
});
