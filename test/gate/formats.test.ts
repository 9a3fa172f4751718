import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { costLine, countsLine, targetCostText } from '../../src/report/story.js';
import type { TargetCost } from '../../src/facts/wire.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { HMAC_KEY, tempDir } from '../attest/helpers.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const tmp = tempDir('gate-formats');
afterAll(() => tmp.remove());
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('one report model, nine formats', () => {
  it('every format prints the same counts for the same run: failures, attestations, skipped-but-blocking, errors, waivers', async () => {
    const dir = tmp.dir;
    mkdirSync(join(dir, 'checklists'), { recursive: true });
    copyFileSync(join(ROOT, 'bazaarhub-checks.yaml'), join(dir, 'bazaarhub-checks.yaml'));
    copyFileSync(join(ROOT, 'checklists/deployment.md'), join(dir, 'checklists/deployment.md'));
    const env = { BAZAARHUB_ATTEST_KEY: HMAC_KEY };
    const select = ['--env-file', GOOD_ENV, '--only', 'env.', '--only', 'http.hsts', '--only', 'deployment.pre-deployment-checks.database-migrations-ready', '--only', 'pre-deployment.compliance-legal.', '--set', 'SECURE_COOKIES=false', '--set', 'HTTPS_ONLY=false', '--set', 'APP_URL=https://127.0.0.1:1', '--set', 'STOREFRONT_URL=', '--set', 'VENDOR_PANEL_URL=', '--set', 'ADMIN_PANEL_URL='];
    const waived = await runCli(['waive', 'pre-deployment.security.set-secure-cookies-true', '--justification', 'accepted', '--expires', inDays(20), '--by', 'CTO', '--env-file', GOOD_ENV, '--set', 'SECURE_COOKIES=false'], { cwd: dir, env });
    expect(waived.stderr).toBe('');
    expect(waived.code).toBe(0);
    const out = (name: string) => join(dir, name);
    const formats = ['json', 'markdown', 'junit', 'sarif', 'html', 'checklist', 'codequality', 'prometheus'];
    const run = await runCli(['run', ...select, '--quiet', '--max-requests', '5', ...formats.flatMap((f) => ['--report', `${f}=${out(`r.${f}`)}`])], { cwd: dir, env });
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(out('r.json'), 'utf8'));
    const c = report.counts;
    // The run really has each kind of count.
    expect(c.failures).toBeGreaterThan(0);
    expect(c.attestations).toBeGreaterThan(0);
    expect(c.skippedBlocking).toBe(1);
    expect(c.errors).toBe(1);
    expect(c.waivers).toBe(1);
    expect(c.blocking).toBe(c.failures + c.attestations + c.skippedBlocking + c.errors);
    expect(report.results.filter((r: { blocking: boolean }) => r.blocking)).toHaveLength(c.blocking);
    const expected = `Blocking (${c.blocking}): ${countsLine(c)}`;

    const read = (f: string) => readFileSync(out(`r.${f}`), 'utf8');
    const seen: Record<string, string | undefined> = {
      terminal: /Blocking \((\d+)\): ([^\n]+)/.exec(run.stdout)?.[0],
      terminalLast: run.stdout.trimEnd().split('\n').at(-1)?.replace(/^Verdict: NOT READY \(exit 1\) · /, `Blocking (${c.blocking}): `),
      markdown: /\*\*Blocking \((\d+)\):\*\* ([^\n]+)/.exec(read('markdown'))?.[0].replace(/\*\*/g, ''),
      html: /<p id="counts"><a href="#status=blocking">(Blocking \(\d+\))<\/a>: ([^<]+)<\/p>/.exec(read('html'))?.slice(1).join(': '),
      junit: /<property name="gate" value="([^"]+)"\/>/.exec(read('junit'))?.[1],
      sarif: JSON.parse(read('sarif')).runs[0].properties.gate,
      checklist: /\*\*Blocking \((\d+)\):\*\* ([^\n]+)/.exec(read('checklist'))?.[0].replace(/\*\*/g, ''),
      codequality: /Blocking \(\d+\): [^;]+/.exec(JSON.parse(read('codequality'))[0].description)?.[0],
    };
    for (const [format, text] of Object.entries(seen)) expect(text, format).toBe(expected);
    expect(JSON.parse(read('sarif')).runs[0].properties.counts).toEqual(c);
    const gauges = Object.fromEntries([...read('prometheus').matchAll(/^bazaarhub_check_gate\{count="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(gauges).toEqual(c);
    expect(read('prometheus').match(/^bazaarhub_check_entry_blocking\{.*\} 1$/gm)).toHaveLength(c.blocking);
    // Every format states the same cost to the deployment, and the same numbers per target.
    const cost = report.cost;
    expect(cost.totals.connections).toBeGreaterThan(0);
    // env.cors-origins' CORS exchange (a GET and a preflight) is the only deliberate traffic selected.
    expect(cost.budget).toEqual({ maxRequests: 5, granted: 2, skipped: [] });
    const line = costLine(cost);
    const costSeen: Record<string, string | undefined> = {
      terminal: run.stdout.split('\n').find((l) => l.startsWith('Cost to the deployment')),
      markdown: /^## (Cost to the deployment[^\n]+)$/m.exec(read('markdown'))?.[1],
      html: /<h2 id="cost">([^<]+)<\/h2>/.exec(read('html'))?.[1],
      junit: /<property name="cost" value="([^"]+)"\/>/.exec(read('junit'))?.[1],
      sarif: JSON.parse(read('sarif')).runs[0].properties.costLine,
      checklist: /^\*\*(Cost to the deployment[^\n]+)\*\*$/m.exec(read('checklist'))?.[1],
      codequality: /Cost to the deployment[^;(]+/.exec(JSON.parse(read('codequality'))[0].description)?.[0].trimEnd(),
    };
    for (const [format, text] of Object.entries(costSeen)) expect(text, format).toBe(line);
    expect(JSON.parse(read('sarif')).runs[0].properties.cost).toEqual(cost);
    const totals = Object.fromEntries([...read('prometheus').matchAll(/^bazaarhub_check_run_cost\{kind="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(totals).toEqual(cost.totals);
    for (const row of cost.targets as TargetCost[]) {
      expect(read('prometheus')).toContain(`bazaarhub_check_cost{target="${row.target}",kind="requests"} ${row.requests}`);
      expect(read('markdown')).toContain(`| ${row.target} |`);
      expect(read('html')).toContain(`<td>${row.target}</td>`);
      expect(read('junit')).toContain(`<property name="cost.target.${row.target}"`);
      expect(run.stdout).toContain(`  ${targetCostText(row)}`);
    }

    // Every format lists the waiver in its own section.
    expect(run.stdout).toMatch(/Waivers \(1\)\n {2}pre-deployment\.security\.set-secure-cookies-true: fail/);
    expect(read('markdown')).toMatch(/## Waivers \(1\)\n\n\| Item \|[^\n]*\n[^\n]*\n\| Set SECURE_COOKIES=true/);
    expect(read('html')).toMatch(/<h2 id="waivers">Waivers \(1\)<\/h2>\n<ul><li><b>Set SECURE_COOKIES=true<\/b>/);
    expect(read('junit')).toMatch(/<property name="waiver\.pre-deployment\.security\.set-secure-cookies-true" value="fail \(fail: SECURE_COOKIES: &quot;false&quot;.*\), waived by CTO/);
    const sarif = JSON.parse(read('sarif')).runs[0];
    expect(sarif.properties.waivers).toHaveLength(1);
    expect(sarif.results.find((r: { ruleId: string }) => r.ruleId === 'pre-deployment.security.set-secure-cookies-true').suppressions).toEqual([expect.objectContaining({ kind: 'external', status: 'accepted' })]);
    expect(read('checklist')).toMatch(/\*\*Waivers \(1\):\*\*\n\n- `pre-deployment\.security\.set-secure-cookies-true`: fail/);
  });
});

describe("the release manager's markdown", () => {
  it('opens with verdict, why, skipped-but-blocking, waivers, expiring soon and sign-off; the detail follows', async () => {
    const { renderMarkdown } = await import('../../src/report/markdown.js');
    const { sampleReport, sampleResults, result } = await import('../report/sample.js');
    const waived = result({ id: 'pre-deployment.security.set-secure-cookies-true', title: 'Set SECURE_COOKIES=true', status: 'fail', probe: 'env.flags', observed: 'SECURE_COOKIES: "false"', waived: true, waiver: { by: 'CTO', at: '2026-11-20T00:00:00.000Z', expires: '2026-12-31T23:59:59.999Z', justification: 'rollout', finding: { status: 'fail', observed: 'SECURE_COOKIES: "false"', fingerprint: 'x' }, state: 'in-force' } });
    const skipped = result({ id: 'deployment.pre-deployment-checks.database-migrations-ready', title: 'Database migrations ready', status: 'skipped', probe: 'postgres.migrations', observed: "param folder (the application's migrations folder) is not set" });
    const text = renderMarkdown(sampleReport([...sampleResults(), waived, skipped]), { color: false, verbose: false });
    const headings = [...text.matchAll(/^#{1,2} .*$/gm)].map((m) => m[0].replace(/ \(.*$/, ''));
    expect(headings.slice(0, 8)).toEqual(['# Deployment readiness: NOT READY', '## Why', '## Skipped but blocking', '## Waivers', '## Expiring soon', '## Sign-off', '# Detail', '## Could not run']);
    const top = text.split('# Detail')[0] ?? '';
    expect(top).toContain('set `params: { folder: ... }` on entry deployment.pre-deployment-checks.database-migrations-ready in the catalog');
    expect(top).toMatch(/\| Set SECURE_COOKIES=true \(`pre-deployment\.security\.set-secure-cookies-true`\) \| fail \| fail: SECURE_COOKIES: "false" \| CTO \| 2026-12-31 \| rollout \|/);
    expect(top).toContain('check-service-health`): waiver ends 2026-11-27');
  });
});
