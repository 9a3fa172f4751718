/**
 * Starts a throwaway redis-server on 127.0.0.1 (random port) with its own directory, for the tests
 * and the demo stand-in. Extra arguments configure it the way a case needs (`--appendonly yes`,
 * `--requirepass ...`, `--replicaof ...`); `tls` serves TLS only on that port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExitCleanup } from './exit-cleanup.js';
import { freePort, onPath } from './process.js';

export function findRedisServer(): string | undefined {
  return onPath('redis-server', ['/usr/bin', '/usr/local/bin', '/usr/sbin']);
}

export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Starts redis-server with `args` on top of local-only defaults; resolves once it accepts connections. */
export async function startRedis(args: string[] = [], options: { tls?: { key: string; cert: string }; timeoutMs?: number } = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error('cannot start Redis: no redis-server on PATH');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), 'bazaarhub-redis-'));
  const port = await freePort();
  let listen = ['--port', String(port)];
  if (options.tls) {
    // TLS only: the plain port is closed, clients need no certificate of their own.
    writeFileSync(join(dir, 'tls.key'), options.tls.key, { mode: 0o600 });
    writeFileSync(join(dir, 'tls.crt'), options.tls.cert);
    listen = ['--port', '0', '--tls-port', String(port), '--tls-key-file', join(dir, 'tls.key'), '--tls-cert-file', join(dir, 'tls.crt'), '--tls-auth-clients', 'no'];
  }
  const child = spawn(
    binary,
    [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'no', '--logfile', '', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // However this process ends (a signal, a closed pipe, a crash), the server stops and its directory goes.
  const unregister = onExitCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${timeoutMs} ms: ${output.slice(-300)}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    unregister();
    throw error;
  }
  // Keep draining its log so the pipe never fills.
  child.stdout.resume();
  child.stderr.resume();
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
}
