import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, LOOPBACK_GUARD, ROOT, runCli, withTempDir } from '../helpers/cli.js';

/**
 * The tool's own flags, however it is started. Node scans its whole command line for --env-file up
 * to the first `--` and exits 9 on a missing file before any script runs (npx is a node script too),
 * so the bin's shebang carries `--`, a leading `--` is accepted, and `--env` is the spelling Node
 * never claims. Each launcher must give the tool's own error line and exit 2.
 */
interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const OWN_ERROR = /^bazaarhub-check: missing\.env: cannot read env file: ENOENT: no such file or directory, open 'missing\.env'\n$/;

function expectOwnError(result: Result, how: string): void {
  expect(result.stderr, how).toMatch(OWN_ERROR);
  expect(result.code, how).toBe(2);
}

describe('--env-file works however the tool is started', () => {
  it('node bin/bazaarhub-check.js: with a leading --, or spelled --env', async () => {
    expectOwnError(await run(process.execPath, [BIN, '--', 'run', '--env-file', 'missing.env']), 'node bin -- run --env-file');
    expectOwnError(await run(process.execPath, [BIN, 'run', '--env', 'missing.env']), 'node bin run --env');
    expectOwnError(await run(process.execPath, [BIN, 'run', '--env=missing.env']), 'node bin run --env=');
    // And the file really is read through either spelling.
    await withTempDir(async (dir) => {
      const file = join(dir, 'x.env');
      await writeFile(file, 'NODE_ENV=production\nAPP_URL=https://127.0.0.1:1\n');
      const viaEnv = await run(process.execPath, [BIN, 'run', '--env', file, '--only', 'env.flags', '--format', 'json', '--quiet']);
      expect((JSON.parse(viaEnv.stdout) as { target: { envFile?: string } }).target.envFile).toBe(file);
      const both = await runCli(['run', '--env', file, '--env-file', 'other.env']);
      expect(both.stderr).toBe('bazaarhub-check: --env and --env-file name different files: give one\n');
      expect(both.code).toBe(2);
    });
  });

  it('the bin run directly (its shebang passes --)', async () => {
    expectOwnError(await run(BIN, ['run', '--env-file', 'missing.env']), './bin/bazaarhub-check.js');
    expectOwnError(await runCli(['run', '--env-file=missing.env']), 'node -- bin');
  });

  it('an installed bin (npm install -g into a temporary prefix)', async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'bazaarhub-prefix-'));
    try {
      const install = await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ROOT]);
      expect(install.code, install.stderr).toBe(0);
      expectOwnError(await run(join(prefix, 'bin/bazaarhub-check'), ['run', '--env-file', 'missing.env']), 'installed bin');
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  }, 60_000);

  it('npx inside the repository: with -- before or after the name, or spelled --env', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'bazaarhub-npx-'));
    try {
      const env = { npm_config_cache: cache, npm_config_offline: 'true', npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false' };
      expectOwnError(await run('npx', ['--', 'bazaarhub-check', 'run', '--env-file', 'missing.env'], { env }), 'npx -- name');
      expectOwnError(await run('npx', ['bazaarhub-check', '--', 'run', '--env-file', 'missing.env'], { env }), 'npx name --');
      expectOwnError(await run('npx', ['bazaarhub-check', 'run', '--env', 'missing.env'], { env }), 'npx --env');
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('smaller truths', () => {
  it('--set keeps commas in the value', async () => {
    const result = await runCli(['run', '--set', 'CORS_ORIGIN=https://www.bazaarhub.in,https://vendor.bazaarhub.in', '--set', 'NODE_ENV=production', '--only', 'env.cors-origins', '--format', 'json', '--quiet']);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { results: Array<{ probe: string; status: string; observed: string }> };
    const cors = report.results.find((entry) => entry.probe === 'env.cors-origins');
    expect(cors?.status).toBe('pass');
    expect(cors?.observed).toContain('https://www.bazaarhub.in');
    expect(cors?.observed).toContain('https://vendor.bazaarhub.in');
  });

  it('dns.resolve with APP_URL an IP address says there is nothing to resolve, and why', async () => {
    const result = await runCli(['run', '--set', 'APP_URL=https://10.0.0.5', '--set', 'STOREFRONT_URL=https://localhost:3000', '--only', 'dns.resolve', '--format', 'json', '--quiet']);
    const report = JSON.parse(result.stdout) as { results: Array<{ probe: string; status: string; observed: string }> };
    const dns = report.results.filter((entry) => entry.probe === 'dns.resolve');
    expect(dns.length).toBeGreaterThan(0);
    for (const entry of dns) {
      expect(entry.status).toBe('skipped');
      expect(entry.observed).toBe('nothing to resolve: every host is an IP address or localhost (APP_URL 10.0.0.5, STOREFRONT_URL localhost), which needs no DNS record; give the service URLs their domain names to have DNS checked');
    }
    const none = await runCli(['run', '--only', 'dns.resolve', '--format', 'json', '--quiet']);
    expect((JSON.parse(none.stdout) as { results: Array<{ observed: string }> }).results[0]?.observed).toMatch(/^no host names to resolve: set APP_URL/);
  });
});
