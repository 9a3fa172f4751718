import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitReporter } from '../../src/report/junit.js';
import { BIN, LOOPBACK_GUARD, ROOT, runCli } from '../helpers/cli.js';
import { HMAC_KEY, tempDir } from '../attest/helpers.js';
import { startSilentServer, type SilentServer } from '../helpers/run-probe.js';
import { result, sampleReport } from '../report/sample.js';

const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const tmp = tempDir('defects');
let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(async () => {
  await silent.close();
  tmp.remove();
});
const silentUrl = () => `https://127.0.0.1:${silent.port}`;

describe('smaller defects', () => {
  it('an unknown command is exit 2 with a suggestion, with or without --help', async () => {
    for (const args of [['nosuch', '--help'], ['nosuch'], ['attets', '--help']]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout, args.join(' ')).toBe('');
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`unknown command '${args[0]}'`));
    }
    expect((await runCli(['attets', '--help'])).stderr).toMatch(/Did you mean attest\?/);
    expect((await runCli(['run', '--help'])).code).toBe(0);
  });

  it('--only prefixes end at a dot (or are written http.*); one that matches nothing is exit 2 naming it', async () => {
    const hst = await runCli(['run', '--only', 'http.hst', '--no-manual']);
    expect(hst.code).toBe(2);
    expect(hst.stderr.trim()).toMatch(/^bazaarhub-check: --only http\.hst: matches no entry id or probe id; did you mean http\.hsts\?/);
    const probes = async (only: string) => (JSON.parse((await runCli(['list', '--only', only, '--json'])).stdout) as Array<{ probe?: string }>).map((e) => e.probe);
    const star = await probes('http.*');
    expect(star.length).toBeGreaterThan(5);
    expect(await probes('http.')).toEqual(star);
    expect(new Set(await probes('http.hsts'))).toEqual(new Set(['http.hsts']));
    expect((await probes('pre-deployment.security')).length).toBeGreaterThan(5);
  });

  it('diff never suggests a command that would overwrite the file it could not read', async () => {
    const md = join(tmp.dir, 'report.md');
    writeFileSync(md, '# Deployment readiness\n');
    const good = join(tmp.dir, 'a.json');
    writeFileSync(good, (await runCli(['run', '--env-file', GOOD_ENV, '--only', 'env.', '--no-manual', '--format', 'json'])).stdout);
    const run = await runCli(['diff', good, md]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('report.md: not a readable JSON report');
    expect(run.stderr).not.toMatch(/--out \S*report\.md`/);
    expect(run.stderr).toMatch(/--out \S*report\.json`/);
  });

  it('--verbose lists each manual item with why it stands as it does (who, when, until)', async () => {
    const dir = join(tmp.dir, 'verbose');
    mkdirSync(join(dir, 'checklists'), { recursive: true });
    copyFileSync(join(ROOT, 'bazaarhub-checks.yaml'), join(dir, 'bazaarhub-checks.yaml'));
    copyFileSync(join(ROOT, 'checklists/deployment.md'), join(dir, 'checklists/deployment.md'));
    const env = { BAZAARHUB_ATTEST_KEY: HMAC_KEY };
    const gst = 'pre-deployment.compliance-legal.review-gst-compliance-requirements';
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    expect((await runCli(['attest', gst, '--status', 'done', '--by', 'Asha', '--expires', until], { cwd: dir, env })).code).toBe(0);
    const run = await runCli(['run', '--env-file', GOOD_ENV, '--only', 'pre-deployment.compliance-legal.', '--verbose', '--quiet'], { cwd: dir, env });
    expect(run.stdout).toMatch(new RegExp(`! warn +${gst.replace(/\./g, '\\.')}\\n +done, attested by Asha on [^;]+; valid until ${until} \\(expires in \\d days?\\)`));
    expect(run.stdout).toMatch(/\? unattested +pre-deployment\.compliance-legal\.\S+ ■ blocking\n +no attestation recorded/);
  });

  it("JUnit's testsuite time is the phase's wall time (checks run concurrently), not the sum of its checks", () => {
    const results = [500, 800, 300].map((ms, i) => result({ id: `pre-deployment.s.item-${i}`, status: 'pass', probe: 'x.y', durationMs: ms }));
    const xml = junitReporter({ ...sampleReport(results), durationMs: 900 }, { color: false, verbose: false });
    expect(xml).toMatch(/<testsuite name="pre-deployment" [^>]*time="0\.800"/);
    expect(xml).toMatch(/<testsuites [^>]*time="0\.900"/);
  });

  it('Ctrl-C delivered twice at once (the terminal and npx both send it) still finishes with a partial report and exit 3', async () => {
    const child = spawn(process.execPath, ['--', BIN, 'run', '--set', `APP_URL=${silentUrl()}`, '--only', 'http.hsts', '--timeout', '60', '--no-manual'], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', () => undefined);
    const before = silent.sockets.length;
    const started = Date.now();
    while (silent.sockets.length === before && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGINT'), 20);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(stdout).toContain('Verdict: INCOMPLETE (exit 3)');
  }, 30_000);

  it('under npx with a shell that passes the exit code through (script-shell=bash), Ctrl-C exits 3', async () => {
    const project = join(tmp.dir, 'npx');
    mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"npx-ctrl-c","version":"1.0.0","private":true}\n');
    symlinkSync(BIN, join(project, 'node_modules/.bin/bazaarhub-check'));
    copyFileSync(join(ROOT, 'bazaarhub-checks.yaml'), join(project, 'bazaarhub-checks.yaml'));
    const before = silent.sockets.length;
    const child = spawn('npx', ['--offline', 'bazaarhub-check', 'run', '--set', `APP_URL=${silentUrl()}`, '--only', 'http.hsts', '--timeout', '60', '--no-manual', '--quiet'], {
      cwd: project,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD, npm_config_script_shell: '/bin/bash', npm_config_update_notifier: 'false' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', () => undefined);
    // The run is under way once the probe is waiting on the silent server.
    const started = Date.now();
    while (silent.sockets.length === before && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(stdout).toContain('Verdict: INCOMPLETE (exit 3)');
  }, 60_000);
});

