import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupCauses } from '../../src/report/causes.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../attest/helpers.js';
import { result } from '../report/sample.js';
import { readFileSync } from 'node:fs';

const tmp = tempDir('causes');
afterAll(() => tmp.remove());

describe('one cause, one line', () => {
  it('groups an unreachable API once, with one fix, in JSON, terminal, markdown and HTML', async () => {
    const md = join(tmp.dir, 'r.md');
    const html = join(tmp.dir, 'r.html');
    const args = ['run', '--set', 'APP_URL=https://127.0.0.1:1', '--only', 'http.', '--only', 'tls.', '--no-manual', '--quiet', '--checklist', join(ROOT, 'checklists/deployment.md')];
    const run = await runCli([...args, '--format', 'json', '--report', `markdown=${md}`, '--report', `html=${html}`]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const cause = report.causes[0];
    expect(cause).toMatchObject({ key: 'unreachable 127.0.0.1:1', title: '127.0.0.1:1 unreachable (ECONNREFUSED)', status: 'fail', severity: 'critical', blocks: 'failure' });
    expect(cause.entries.length).toBeGreaterThanOrEqual(15);
    const members = report.results.filter((r: { cause?: string }) => r.cause === cause.key);
    expect(members.map((r: { id: string }) => r.id).sort()).toEqual([...cause.entries].sort());
    // Every entry is still in the JSON on its own.
    expect(report.results.length).toBeGreaterThan(cause.entries.length);

    const terminal = (await runCli(args)).stdout;
    expect(terminal.match(/127\.0\.0\.1:1 unreachable \(ECONNREFUSED\)/g)).toHaveLength(1);
    expect(terminal.match(/fix: {2}Make 127\.0\.0\.1:1 reachable/g)).toHaveLength(1);
    const markdown = readFileSync(md, 'utf8');
    const top = markdown.split('# Detail')[0] ?? '';
    expect(top.match(/127\.0\.0\.1:1 unreachable \(ECONNREFUSED\) — \d+ entries/g)).toHaveLength(1);
    expect(top.match(/fix: Make 127\.0\.0\.1:1 reachable/g)).toHaveLength(1);
    // The release manager's part fits on two screens.
    expect(top.split('\n').length).toBeLessThan(100);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<li><span class="badge"[^>]*>fail<\/span> <b>critical<\/b> 127\.0\.0\.1:1 unreachable \(ECONNREFUSED\)/g)).toHaveLength(1);
    expect(page).toContain('<a href="#cause=unreachable%20127.0.0.1%3A1">');
    expect((page.match(/data-cause="unreachable 127\.0\.0\.1:1"/g) ?? []).length).toBe(cause.entries.length);
  });

  it('orders blocking causes first, by severity, then by how many entries they affect; the same finding for many URLs is one cause', () => {
    const cert = (i: number) => result({ id: `pre-deployment.security.cert-${i}`, status: 'fail', probe: 'tls.certificate', severity: 'high', observed: 'api: certificate expires in 5 days (2026-12-06)', remediation: 'renew the certificate' });
    const results = [
      result({ id: 'a.low-fail', status: 'fail', probe: 'x.y', severity: 'low', observed: 'below fail-on' }),
      result({ id: 'a.one-critical', status: 'fail', probe: 'x.z', severity: 'critical', observed: 'one critical finding' }),
      ...[1, 2, 3, 4, 5, 6].map(cert),
      result({ id: 'a.one-high', status: 'fail', probe: 'x.w', severity: 'high', observed: 'one high finding' }),
      result({ id: 'a.warned', status: 'warn', probe: 'x.v', severity: 'critical', observed: 'a warning' }),
    ].map((r) => ({ ...r, blocking: r.status === 'fail' && r.severity !== 'low' }));
    const causes = groupCauses(results, 'high');
    expect(causes.map((c) => c.entries.length)).toEqual([1, 6, 1, 1, 1]);
    expect(causes.map((c) => c.title)).toEqual(['one critical finding', 'api: certificate expires in 5 days (2026-12-06)', 'one high finding', 'a warning', 'below fail-on']);
    expect(causes[1]).toMatchObject({ fix: 'renew the certificate', blocks: 'failure' });
    expect(causes.slice(3).every((c) => c.blocks === null)).toBe(true);
  });
});
