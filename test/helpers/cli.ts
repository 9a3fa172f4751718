import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/bazaarhub-check.js');
/** Preload for every process a test spawns: no traffic beyond loopback (see loopback-guard.cjs). */
export const LOOPBACK_GUARD = `--require=${join(ROOT, 'test/helpers/loopback-guard.cjs')}`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real, compiled binary (built by `npm test`) with a clean environment. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--', BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      // XDG_CONFIG_HOME: a developer's own signing key never signs in a test. XDG_CACHE_HOME: the
      // catalog cache is used (and shared by the tests) but stays out of the developer's home.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', XDG_CONFIG_HOME: join(tmpdir(), 'bazaarhub-test-no-config'), XDG_CACHE_HOME: join(tmpdir(), 'bazaarhub-test-cache'), NO_COLOR: '1', NODE_OPTIONS: LOOPBACK_GUARD, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bazaarhub-test-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
