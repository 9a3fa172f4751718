import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countsLine } from '../../src/report/story.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { HMAC_KEY, tempDir } from '../attest/helpers.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const tmp = tempDir('gate-formats');
afterAll(() => tmp.remove());
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('one report model, seven formats', () => {
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
    const formats = ['json', 'markdown', 'junit', 'sarif', 'html', 'checklist'];
    const run = await runCli(['run', ...select, '--quiet', ...formats.flatMap((f) => ['--report', `${f}=${out(`r.${f}`)}`])], { cwd: dir, env });
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
    };
    for (const [format, text] of Object.entries(seen)) expect(text, format).toBe(expected);
    expect(JSON.parse(read('sarif')).runs[0].properties.counts).toEqual(c);
    // Every format lists the waiver in its own section.
    expect(run.stdout).toMatch(/Waivers \(1\)\n {2}pre-deployment\.security\.set-secure-cookies-true: fail/);
    expect(read('markdown')).toMatch(/## Waivers \(1\)\n\n\| Item \|[^\n]*\n[^\n]*\n\| Set SECURE_COOKIES=true/);
    expect(read('html')).toMatch(/<h2 id="waivers">Waivers \(1\)<\/h2>\n<ul><li><b>Set SECURE_COOKIES=true<\/b>/);
    expect(read('junit')).toMatch(/<property name="waiver\.pre-deployment\.security\.set-secure-cookies-true" value="fail \(fail: SECURE_COOKIES: &quot;false&quot;\), waived by CTO/);
    const sarif = JSON.parse(read('sarif')).runs[0];
    expect(sarif.properties.waivers).toHaveLength(1);
    expect(sarif.results.find((r: { ruleId: string }) => r.ruleId === 'pre-deployment.security.set-secure-cookies-true').suppressions).toEqual([expect.objectContaining({ kind: 'external', status: 'accepted' })]);
    expect(read('checklist')).toMatch(/\*\*Waivers \(1\):\*\*\n\n- `pre-deployment\.security\.set-secure-cookies-true`: fail/);
  });
});
