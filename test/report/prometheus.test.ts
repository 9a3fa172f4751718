/**
 * `--format prometheus` through the real binary: the file a scheduled run leaves for node_exporter's
 * textfile collector passes `promtool check metrics`, is replaced atomically, and the README's alert
 * rules (ci/prometheus/bazaarhub-check.rules.yml) pass `promtool check rules` and fire, under
 * `promtool test rules`, on the very series a run wrote.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { copyProject, HMAC_KEY, tempDir } from '../attest/helpers.js';
import { ROOT, runCli } from '../helpers/cli.js';

const tmp = tempDir('prometheus');
afterAll(() => tmp.remove());
const RULES = join(ROOT, 'ci/prometheus/bazaarhub-check.rules.yml');

function promtool(args: string[], input?: string): { code: number | null; output: string } {
  const result = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`promtool is needed (Debian package prometheus, see .ci/run): ${result.error.message}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  series: string;
  value: number;
}

function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-z_]+)(\{.*\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]!.replace(/\\(.)/g, '$1')]));
      return { name: match[1]!, labels, series: `${match[1]}${match[2] ?? ''}`, value: Number(match[3]) };
    });
}

/** A project with the real catalog and checklist, two signed attestations (one expiring in 3 days, one in 30). */
function project(): string {
  const dir = copyProject(join(tmp.dir, 'project'));
  writeFileSync(join(dir, 'prod.env'), 'NODE_ENV=production\nAPP_URL=https://127.0.0.1:9\n');
  return dir;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const SOON = 'ongoing-maintenance.daily-tasks.review-error-logs';
const LATER = 'ongoing-maintenance.daily-tasks.review-security-alerts';

describe('run --cadence daily --format prometheus --out FILE', () => {
  const dir = project();
  const textfile = join(dir, 'node_exporter/textfile');
  const out = join(textfile, 'bazaarhub.prom');
  const env = { BAZAARHUB_ATTEST_KEY: HMAC_KEY, CI: 'true' };

  it('writes valid exposition text: a gauge per entry labelled by id, probe, severity and cadence, the verdict, expiries, duration', async () => {
    for (const [id, expires] of [[SOON, day(3)], [LATER, day(30)]] as const) {
      const attested = await runCli(['attest', id, '--status', 'done', '--by', 'Ops', '--expires', expires], { cwd: dir, env });
      expect(attested.code, attested.stderr).toBe(0);
    }
    const run = await runCli(['run', '--cadence', 'daily', '--env-file', 'prod.env', '--timeout', '3', '--format', 'prometheus', '--out', out], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('NOT READY'); // the terminal summary still prints
    const text = readFileSync(out, 'utf8');
    const checked = promtool(['check', 'metrics'], text);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);

    const all = samples(text);
    const report = (await runCli(['run', '--cadence', 'daily', '--env-file', 'prod.env', '--timeout', '3', '--format', 'json'], { cwd: dir, env })).stdout;
    const results = JSON.parse(report).results as Array<{ id: string; probe: string | null; severity: string; cadence: string; status: string }>;
    const statuses = all.filter((s) => s.name === 'bazaarhub_check_entry_status');
    expect(statuses.map((s) => s.labels.id).sort()).toEqual(results.map((r) => r.id).sort());
    for (const result of results) {
      expect(statuses.find((s) => s.labels.id === result.id)?.labels).toEqual({ id: result.id, probe: result.probe ?? 'manual', severity: result.severity, cadence: 'daily', status: result.status });
    }
    expect(all.find((s) => s.labels.id === 'ongoing-maintenance.daily-tasks.check-service-health' && s.name === 'bazaarhub_check_entry_ok')?.value).toBe(0);
    expect(all.find((s) => s.labels.id === SOON && s.name === 'bazaarhub_check_entry_ok')?.value).toBe(1);
    expect(all.filter((s) => s.name === 'bazaarhub_check_verdict').map((s) => [s.labels.verdict, s.value])).toEqual([['ready', 0], ['not-ready', 1], ['incomplete', 0]]);
    expect(all.find((s) => s.name === 'bazaarhub_check_exit_code')?.value).toBe(1);
    const expiry = (id: string) => all.find((s) => s.name === 'bazaarhub_check_attestation_expiry_timestamp_seconds' && s.labels.id === id)!.value;
    expect((expiry(SOON) * 1000 - Date.now()) / 86_400_000).toBeGreaterThan(2.9);
    expect((expiry(SOON) * 1000 - Date.now()) / 86_400_000).toBeLessThan(4.1);
    expect((expiry(LATER) * 1000 - Date.now()) / 86_400_000).toBeGreaterThan(29);
    expect(all.find((s) => s.name === 'bazaarhub_check_run_duration_seconds')!.value).toBeGreaterThan(0);
    expect(all.find((s) => s.name === 'bazaarhub_check_info')?.labels).toMatchObject({ catalog: 'bazaarhub-checks.yaml', checklist: 'checklists/deployment.md', ledger: 'bazaarhub-attestations.jsonl' });
    expect(readdirSync(textfile)).toEqual(['bazaarhub.prom']); // no temporary file left behind

    // The alert rules: valid, and under promtool's rule tests they fire on exactly these series.
    expect(promtool(['check', 'rules', RULES]).code).toBe(0);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\`\`\`yaml\n${readFileSync(RULES, 'utf8')}\`\`\``);
    const now = Math.floor(Date.parse(JSON.parse(report).generatedAt) / 1000);
    const failedDaily = statuses.filter((s) => /^(fail|error)$/.test(s.labels.status!));
    expect(failedDaily.length).toBeGreaterThan(0);
    // promtool compares annotations too: the rules' templates filled in with each alert's labels.
    const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }> }).groups[0]!.rules;
    const expected = (alert: string, labels: Record<string, string>) => ({
      exp_labels: labels,
      exp_annotations: Object.fromEntries(Object.entries(rules.find((rule) => rule.alert === alert)!.annotations).map(([key, template]) => [key, template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '')])),
    });
    const rulesTest = {
      rule_files: [RULES],
      // One rule evaluation at 0 and one at "now" (a 1m step would be millions of evaluations).
      evaluation_interval: `${now}s`,
      tests: [
        {
          // Two samples: at time 0 and at "now", where the rules are evaluated (time() is then now).
          interval: `${now}s`,
          input_series: all.map((s) => ({ series: s.series, values: `${s.value} ${s.value}` })),
          alert_rule_test: [
            { eval_time: `${now}s`, alertname: 'BazaarhubDailyCheckFailed', exp_alerts: failedDaily.map((s) => expected('BazaarhubDailyCheckFailed', s.labels)) },
            { eval_time: `${now}s`, alertname: 'BazaarhubAttestationExpiresSoon', exp_alerts: [expected('BazaarhubAttestationExpiresSoon', { id: SOON, probe: 'manual', severity: statuses.find((s) => s.labels.id === SOON)!.labels.severity!, cadence: 'daily' })] },
            { eval_time: `${now}s`, alertname: 'BazaarhubCheckNotRunning', exp_alerts: [] },
          ],
        },
      ],
    };
    const testFile = join(tmp.dir, 'rules.test.yml');
    writeFileSync(testFile, stringify(rulesTest));
    const tested = promtool(['test', 'rules', testFile]);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code).toBe(0);
  }, 90_000);

  it('replaces the file atomically: a reader holding the old file keeps the old bytes, and no temporary file stays', async () => {
    const before = readFileSync(out, 'utf8');
    const reader = join(tmp.dir, 'held-by-a-reader.prom');
    linkSync(out, reader); // the same inode, as a scraper that opened the file before the run holds it
    const run = await runCli(['run', '--cadence', 'daily', '--env-file', 'prod.env', '--timeout', '3', '--format', 'prometheus', '--out', out, '--report', `json=${join(textfile, 'run.json')}`], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(readFileSync(reader, 'utf8')).toBe(before);
    // A new file renamed over the old one (not rewritten in place): another inode. Its bytes may
    // equal the old ones when both runs fell in the same second with the same duration.
    expect(statSync(out).ino).not.toBe(statSync(reader).ino);
    expect(readdirSync(textfile).sort()).toEqual(['bazaarhub.prom', 'run.json']);
    expect(promtool(['check', 'metrics'], readFileSync(out, 'utf8')).code).toBe(0);
  }, 60_000);

  it('a directory that cannot be written: exit 2 naming the flag, nothing left behind', async () => {
    const blocked = join(tmp.dir, 'not-a-dir');
    writeFileSync(blocked, '');
    const run = await runCli(['run', '--cadence', 'daily', '--env-file', 'prod.env', '--timeout', '3', '--format', 'prometheus', '--out', join(blocked, 'x.prom')], { cwd: dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^bazaarhub-check: --out .*not-a-dir\/x\.prom: cannot write/m);
    expect(execFileSync('ls', ['-A', tmp.dir], { encoding: 'utf8' })).not.toContain('.tmp');
  });
});

describe('demo --format prometheus', () => {
  it("names each service's certificate expiry", async () => {
    const dir = join(tmp.dir, 'demo');
    mkdirSync(dir);
    const run = await runCli(['demo', '--only', 'tls.certificate', '--quiet', '--format', 'prometheus', '--out', join(dir, 'demo.prom')], { cwd: dir });
    expect(run.code).toBe(0);
    const text = readFileSync(join(dir, 'demo.prom'), 'utf8');
    expect(promtool(['check', 'metrics'], text).code).toBe(0);
    const certificates = samples(text).filter((s) => s.name === 'bazaarhub_check_certificate_expiry_timestamp_seconds');
    expect(certificates.map((s) => s.labels.subject).sort()).toEqual(['admin-panel', 'api', 'storefront', 'vendor-panel']);
    // The demo's admin panel certificate is issued for 20 days, the others for 200.
    const daysLeft = (subject: string) => (certificates.find((s) => s.labels.subject === subject)!.value * 1000 - Date.now()) / 86_400_000;
    expect(daysLeft('api')).toBeGreaterThan(190);
    expect(daysLeft('admin-panel')).toBeLessThan(21);
  }, 60_000);
});
