import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, LOOPBACK_GUARD, runCli, withTempDir } from '../helpers/cli.js';
import { startSilentServer, type SilentServer } from '../helpers/run-probe.js';

/** Accepts TCP connections on 127.0.0.1 and never answers: the worst kind of broken service. */
let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(async () => {
  await silent.close();
});
const silentUrl = () => `https://127.0.0.1:${silent.port}`;

describe('incomplete runs (exit 3)', () => {
  it('an unreachable service makes dependent probes error, exit 3', async () => {
    const { code, stdout } = await runCli(['run', '--set', 'APP_URL=https://127.0.0.1:1', '--only', 'http.hsts', '--format', 'json']);
    const report = JSON.parse(stdout);
    expect(report.verdict).toBe('incomplete');
    expect(report.results[0]).toEqual(expect.objectContaining({ status: 'error', probe: 'http.hsts' }));
    expect(report.results[0].observed).toMatch(/ECONNREFUSED/);
    expect(code).toBe(3);
  });

  it('a service that never answers is bounded by --timeout', async () => {
    const started = Date.now();
    const { code, stdout } = await runCli(['run', '--set', `APP_URL=${silentUrl()}`, '--only', 'http.hsts', '--only', 'http.cache-headers', '--timeout', '1', '--format', 'json']);
    expect(Date.now() - started).toBeLessThan(4000);
    const report = JSON.parse(stdout);
    expect(report.results.every((result: { status: string }) => result.status === 'error')).toBe(true);
    expect(code).toBe(3);
  });

  it('Ctrl-C prints a partial report and exits 3', async () => {
    await withTempDir(async (dir) => {
      const env = join(dir, '.env');
      await writeFile(env, `APP_URL=${silentUrl()}\n`);
      const child = spawn(process.execPath, ['--', BIN, 'run', '--env-file', env, '--only', 'http.', '--timeout', '60'], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const interruptedAt = Date.now();
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(Date.now() - interruptedAt).toBeLessThan(3000);
      expect(code).toBe(3);
      expect(stderr).toContain('Interrupted');
      expect(stdout).toContain('INCOMPLETE (exit 3)');
      expect(stdout).toContain('Interrupted: this is a partial report.');
    });
  });
});
