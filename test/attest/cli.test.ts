import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { copyProject, HMAC_KEY, tempDir } from './helpers.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const GST = 'pre-deployment.compliance-legal.review-gst-compliance-requirements';
const VENDOR = 'deployment.deployment-steps.test-vendor-registration-flow';
const tmp = tempDir('attest-cli');
afterAll(() => tmp.remove());
let projects = 0;

const project = (): string => copyProject(join(tmp.dir, `p${++projects}`));
const ledgerOf = (dir: string) => join(dir, 'bazaarhub-attestations.jsonl');
const withKey = { BAZAARHUB_ATTEST_KEY: HMAC_KEY };
const cli = (dir: string, args: string[], env: Record<string, string> = withKey): Promise<CliResult> => runCli(args, { cwd: dir, env });

describe('attest through the real binary, without a terminal', () => {
  let dir = '';
  beforeAll(() => {
    dir = project();
  });

  it('records from flags and never prompts; a missing flag is exit 2 naming it', async () => {
    const ok = await cli(dir, ['attest', GST, '--status', 'done', '--by', 'Asha', '--evidence', 'https://wiki.example.com/gst']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/recorded .*review-gst-compliance-requirements: done by Asha, with no end date \(outside git no release ends it: give --expires\) \(line 1\)/);

    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [['attest'], /give the id\(s\) to attest/],
      [['attest', VENDOR], /--status is required/],
      [['attest', VENDOR, '--status', 'waived', '--by', 'a', '--justification', 'later'], /--expires YYYY-MM-DD is required/],
      [['attest', VENDOR, '--status', 'not-applicable', '--by', 'a'], /--reason is required/],
      [['attest', VENDOR, '--status', 'done', '--by', 'a', '--expires', '2027-02-29'], /--expires: "2027-02-29" is not a calendar date/],
      [['attest', VENDOR, '--status', 'done'], /--by is required/, { ...withKey, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' }],
      [['attest', 'pre-deployment.security.set-secure-cookies-true', '--status', 'done', '--by', 'a'], /verified by probe env.flags/],
      [['attest', 'no.such.id', '--status', 'done', '--by', 'a'], /no\.such\.id: no such catalog entry/],
      [['attest', VENDOR, '--status', 'done', '--by', 'a'], /BAZAARHUB_ATTEST_KEY/, {}],
      [['attest', '--phase', 'pre-deployment'], /give the id\(s\)/, { ...withKey, CI: 'true' }],
    ];
    for (const [args, message, env] of cases) {
      const result = await cli(dir, args, env ?? withKey);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stdout, args.join(' ')).not.toMatch(/Outcome|\?/);
    }
    expect(readFileSync(ledgerOf(dir), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('run folds the ledger in: attested passes, the rest stays unattested', async () => {
    const run = await cli(dir, ['run', '--env-file', GOOD_ENV, '--only', 'pre-deployment.compliance-legal', '--format', 'json', '--quiet']);
    const report = JSON.parse(run.stdout);
    const gst = report.results.find((r: { id: string }) => r.id === GST);
    expect(gst).toMatchObject({ status: 'attested', attestation: { by: 'Asha', evidence: 'https://wiki.example.com/gst' } });
    expect(report.results.filter((r: { status: string }) => r.status === 'unattested').length).toBeGreaterThan(0);
    expect(run.code).toBe(1);
    // Without a key nothing can be verified, so nothing counts, and stderr says why.
    const unverified = await cli(dir, ['run', '--env-file', GOOD_ENV, '--only', GST, '--format', 'json', '--quiet'], {});
    expect(JSON.parse(unverified.stdout).results[0].status).toBe('unattested');
    expect(unverified.stderr).toMatch(/cannot be verified/);
  });

  it('attest --lint: 0 intact, 1 edited or truncated, 2 without a key', async () => {
    expect((await cli(dir, ['attest', '--lint'])).code).toBe(0);
    expect((await cli(dir, ['attest', '--lint'], {})).code).toBe(2);
    const clean = readFileSync(ledgerOf(dir), 'utf8');
    writeFileSync(ledgerOf(dir), clean.replace('"by":"Asha"', '"by":"Mallory"'));
    const edited = await cli(dir, ['attest', '--lint']);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/bazaarhub-attestations.jsonl:1: signature: .*edited/);
    // --lint is what is running: it does not advise running itself.
    expect(edited.stderr).not.toMatch(/attest --lint/);
    expect(edited.stderr).toMatch(/restore the ledger from git/);
    const run = await cli(dir, ['run', '--env-file', GOOD_ENV, '--only', GST, '--format', 'json', '--quiet']);
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ status: 'unattested', observed: expect.stringMatching(/ledger is damaged/) });
    expect(run.stderr).toMatch(/attestation ledger is damaged/);

    writeFileSync(ledgerOf(dir), `${clean}{"v":1,"seq":2,"id":"x`);
    const truncated = await cli(dir, ['attest', '--lint']);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/:2: truncated: line 2 is half-written/);
    const refused = await cli(dir, ['attest', VENDOR, '--status', 'done', '--by', 'a']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/half-written/);
    writeFileSync(ledgerOf(dir), clean);
  });
});

describe('50 concurrent attest and approve processes by different signers', () => {
  it('leave 50 valid, chained records, each verified against its signer', async () => {
    const dir = project();
    const ids = (await cli(dir, ['list', '--json'])).stdout;
    const manual = (JSON.parse(ids) as Array<{ id: string; manual: boolean }>).filter((e) => e.manual).slice(0, 40).map((e) => e.id);
    expect(manual).toHaveLength(40);
    // Ten people, each with a personal key, all listed as release managers.
    const people: Array<{ env: Record<string, string>; line: string }> = [];
    for (let i = 0; i < 10; i++) {
      const env = { XDG_CONFIG_HOME: join(dir, `.config-${i}`), HOME: dir };
      const made = await cli(dir, ['attest', '--new-key', '--by', `Worker ${i} <worker${i}@bazaarhub.in>`], env);
      people.push({ env, line: (/^ {2}(\S+@\S+ .*ssh-ed25519 \S+)$/m.exec(made.stderr)?.[1] as string).replace('roles="engineering"', 'roles="release-manager"') });
    }
    writeFileSync(join(dir, 'bazaarhub-signers'), `${people.map((p) => p.line).join('\n')}\n`);
    await cli(dir, ['run', '--env-file', GOOD_ENV, '--only', 'env.secret-strength', '--no-manual', '--format', 'json', '--out', 'report.json'], people[0]?.env);
    const commands = [...manual.map((id) => ['attest', id, '--status', 'done']), ...Array.from({ length: 10 }, () => ['approve', 'report.json', '--role', 'release-manager'])];
    // All 50 start at once; `nice` keeps the burst from starving test files running beside this one.
    const codes = await Promise.all(
      commands.map(
        (args, i) =>
          new Promise<string>((resolve, reject) => {
            const child = spawn('nice', ['-n', '15', process.execPath, '--', BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...people[i % 10]?.env }, stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
            child.on('error', reject);
            child.on('close', (code) => {
              clearTimeout(timer);
              resolve(`${code}${stderr}`);
            });
          }),
      ),
    );
    expect(codes).toEqual(commands.map(() => '0'));
    const lint = await cli(dir, ['attest', '--lint'], {});
    expect(lint.stdout).toMatch(/50 record\(s\), hash chain intact, every signature verified, every signer listed/);
    expect(lint.code).toBe(0);
    const records = readFileSync(ledgerOf(dir), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(new Set(records.map((r) => r.by)).size).toBe(10);
    expect(records.filter((r) => r.kind === 'approval')).toHaveLength(10);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await cli(dir, ['approve', '--verify', 'report.json'], {})).code).toBe(0);
  }, 120_000);
});

/** Runs the binary under a pseudo-terminal (util-linux `script`); each step types its keys once its pattern shows up in new output. */
function onTerminal(dir: string, args: string[], env: Record<string, string>, steps: Array<[RegExp, string]>): Promise<{ code: number | null; output: string }> {
  const command = ['node', '--', BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm', NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let from = 0;
    let step = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const next = steps[step];
      if (next && next[0].test(output.slice(from))) {
        step++;
        from = output.length;
        setTimeout(() => child.stdin.write(next[1]), 150);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('attest on a terminal', () => {
  it('waives an automated finding from the walk: the finding comes from a JSON report', async () => {
    const dir = project();
    const cookies = 'pre-deployment.security.set-secure-cookies-true';
    const report = join(dir, 'report.json');
    const run = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.', '--no-manual', '--set', 'SECURE_COOKIES=false', '--format', 'json', '--out', report, '--quiet'], { cwd: dir, env: withKey });
    expect(run.code).toBe(1);
    const soon = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const down = '\x1b[B';
    const { code, output } = await onTerminal(dir, ['attest', cookies, '--by', 'CTO'], withKey, [
      [/Outcome/, `${down}\r`],
      [/JSON report holding the finding/, `${report}\r`],
      [/Justification/, 'cookie rollout next sprint\r'],
      [/Waived until/, `${soon}\r`],
    ]);
    expect(output).toContain('finding: fail: SECURE_COOKIES: "false"');
    expect(code).toBe(0);
    const [record] = readFileSync(ledgerOf(dir), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(record).toMatchObject({ id: cookies, status: 'waived', by: 'CTO', reason: 'cookie rollout next sprint', finding: { status: 'fail', observed: expect.stringMatching(/^SECURE_COOKIES: "false"/) } });
    const after = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.', '--no-manual', '--set', 'SECURE_COOKIES=false', '--format', 'json'], { cwd: dir, env: withKey });
    expect(after.code).toBe(0);
  }, 60_000);

  it('walks the chosen item with prompts and records the answers', async () => {
    const dir = project();
    const { code, output } = await onTerminal(dir, ['attest', VENDOR, '--by', 'Tester'], withKey, [
      [/Outcome/, '\r'],
      [/Evidence/, 'https://ci.example.com/run/7\r'],
      [/Note/, 'smoke run\r'],
    ]);
    expect(output).toContain('Outcome');
    // The walk says why a person has to look: the catalog's why of the item.
    expect(output).toMatch(/manual because: Exercising it means creating a vendor, which the read-only rule forbids/);
    expect(code).toBe(0);
    const [record] = readFileSync(ledgerOf(dir), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(record).toMatchObject({ id: VENDOR, status: 'done', by: 'Tester', evidence: 'https://ci.example.com/run/7', note: 'smoke run' });
  }, 40_000);

  it('offers a personal key on the first attest of a machine with none, then signs with it', async () => {
    const dir = project();
    const config = join(dir, '.config');
    const { code, output } = await onTerminal(dir, ['attest', VENDOR, '--by', 'Tester <tester@bazaarhub.in>'], { XDG_CONFIG_HOME: config }, [
      [/Create a personal Ed25519 key/, '\r'],
      [/Outcome/, '\r'],
      [/Evidence/, '\r'],
      [/Note/, '\r'],
    ]);
    expect(code).toBe(0);
    expect(output).toMatch(/tester@bazaarhub\.in name="Tester",roles="engineering" ssh-ed25519 /);
    const [record] = readFileSync(ledgerOf(dir), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(record).toMatchObject({ id: VENDOR, alg: 'ed25519', by: 'Tester <tester@bazaarhub.in>' });
    expect(statSync(join(config, 'bazaarhub-check/attest-ed25519.pem')).mode & 0o777).toBe(0o600);
  }, 40_000);

  it('records a waiver from prompts, rejecting an impossible date and one beyond the 90-day limit until a valid one is typed', async () => {
    const dir = project();
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const down = '\x1b[B';
    const { code, output } = await onTerminal(dir, ['attest', VENDOR, '--by', 'CTO'], withKey, [
      [/Outcome/, `${down}${down}\r`],
      [/Justification/, 'vendor portal ships next sprint\r'],
      [/Waived until/, '2026-02-30\r'],
      [/not a calendar date/, `${'\x7f'.repeat(10)}2030-01-31\r`],
      [/at most 90 days/, `${'\x7f'.repeat(10)}${soon}\r`],
      [/Evidence/, '\r'],
      [/Note/, '\r'],
    ]);
    expect(output).toContain('"2026-02-30" is not a calendar date');
    expect(code).toBe(0);
    const [record] = readFileSync(ledgerOf(dir), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(output).toContain('a waiver may last at most 90 days');
    expect(record).toMatchObject({ id: VENDOR, status: 'waived', by: 'CTO', reason: 'vendor portal ships next sprint', expires: `${soon}T23:59:59.999Z`, evidence: null, note: null });
  }, 40_000);

  it('walks only the unattested items of a section; skip and stop record nothing', async () => {
    const dir = project();
    expect((await cli(dir, ['attest', 'deployment.deployment-steps.build-docker-images-docker-compose-build-no-cache', '--status', 'done', '--by', 'x'])).code).toBe(0);
    const down = '\x1b[B';
    const { code, output } = await onTerminal(dir, ['attest', '--phase', 'deployment', '--section', 'deployment-steps', '--by', 'Tester'], withKey, [
      [/\[1\/\d+\][\s\S]*Outcome/, `${down}${down}${down}\r`],
      [/\[2\/\d+\][\s\S]*Outcome/, `${down}${down}${down}${down}\r`],
    ]);
    expect(code).toBe(0);
    expect(output).not.toContain('Build Docker images'); // already attested: not offered
    expect(output).toMatch(/\[1\/\d+\] Push images to registry/);
    expect(output).toMatch(/\[2\/\d+\]/);
    expect(output).not.toMatch(/\[3\/\d+\]/);
    expect(output).toContain('0 attestation(s) recorded');
    expect(readFileSync(ledgerOf(dir), 'utf8').trim().split('\n')).toHaveLength(1);
  }, 40_000);

  it('never prompts under CI, even on a terminal', async () => {
    const dir = project();
    const { code, output } = await onTerminal(dir, ['attest'], { ...withKey, CI: 'true' }, []);
    expect(code).toBe(2);
    expect(output).toMatch(/give the id\(s\) to attest/);
    expect(output).not.toContain('Outcome');
  }, 40_000);
});
