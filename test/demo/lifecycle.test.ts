/**
 * However the demo ends, its PostgreSQL and Redis stop and their temporary directories go. Each
 * demo gets its own TMPDIR, so "left behind" is exact: any process whose command line names that
 * directory, any file in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, LOOPBACK_GUARD, ROOT, runCli } from '../helpers/cli.js';
import { findPgBin } from '../../src/standins/postgres-server.js';
import { findRedisServer } from '../../src/standins/redis-server.js';

const temps: string[] = [];
afterAll(() => {
  // A failed case may have left servers behind: stop them before their directories go.
  for (const dir of temps) {
    for (const line of processesUnder(dir)) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function privateTmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bazaarhub-demo-life-'));
  chmodSync(dir, 0o755); // the postgres OS user runs the cluster in a directory under it
  temps.push(dir);
  return dir;
}

/**
 * Processes that work in `dir`: their command line names it (postgres -D) or their working directory is
 * under it (redis-server rewrites its command line but runs in its --dir).
 */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // another user's process we may not look into, or one that just ended
      }
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${pid} ${cmdline} (cwd ${cwd})`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

async function eventually(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string, args: string[], tmp: string, options: { detached?: boolean; preload?: string } = {}): Started {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: options.detached ?? false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', TMPDIR: tmp, NODE_OPTIONS: [LOOPBACK_GUARD, ...(options.preload ? [`--require=${options.preload}`] : [])].join(' ') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => stderr, exited };
}

/** Waits until the demo's servers run (it prints "services:" once every stand-in started). */
async function serversUp(started: Started, tmp: string): Promise<void> {
  await eventually(() => started.stderr().includes('services:') || started.child.exitCode !== null, 90_000);
  expect(started.stderr()).toContain('services:');
  // Not vacuous: PostgreSQL and Redis are running from this demo's temporary directory now.
  await eventually(() => processesUnder(tmp).length >= 2, 10_000);
  const running = processesUnder(tmp).join('\n');
  expect(running).toMatch(/postgres/);
  expect(running).toMatch(/redis-server/);
}

async function nothingLeft(tmp: string): Promise<void> {
  await eventually(() => processesUnder(tmp).length === 0 && readdirSync(tmp).length === 0, 30_000);
  expect(processesUnder(tmp)).toEqual([]);
  expect(readdirSync(tmp)).toEqual([]);
}

const haveServers = Boolean(findPgBin() && findRedisServer());

describe.skipIf(!haveServers)('the demo stops its servers however it ends', () => {
  it('a closed pipe: `demo --format json | head -5`', async () => {
    const tmp = privateTmp();
    const started = start('sh', ['-c', `"${process.execPath}" -- "${BIN}" demo --format json | head -5`], tmp); // the JSON report is over a pipe buffer (64 KiB): the write meets the closed pipe
    await serversUp(started, tmp);
    const { code } = await started.exited;
    expect(code).toBe(0);
    await nothingLeft(tmp);
  }, 180_000);

  it('Ctrl-C on a terminal while stderr goes through tee (the whole process group gets SIGINT)', async () => {
    const tmp = privateTmp();
    const started = start('sh', ['-c', `"${process.execPath}" -- "${BIN}" demo 2>&1 | tee /dev/null >&2`], tmp, { detached: true });
    await serversUp(started, tmp);
    process.kill(-started.child.pid!, 'SIGINT');
    await started.exited;
    await nothingLeft(tmp);
  }, 180_000);

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} to the demo`, async () => {
      const tmp = privateTmp();
      const started = start(process.execPath, ['--', BIN, 'demo'], tmp);
      await serversUp(started, tmp);
      started.child.kill(signal);
      const { code } = await started.exited;
      if (signal === 'SIGINT' && code === 0) expect(started.stderr()).toContain('Interrupted: finishing with a partial report');
      // A Ctrl-C during the run stops the probes and still reports; before the run starts it ends the demo (exit 3, incomplete).
      if (signal === 'SIGINT') expect([0, 3]).toContain(code);
      else expect(code).toBe(signal === 'SIGTERM' ? 143 : 129);
      await nothingLeft(tmp);
    }, 180_000);
  }

  it('an uncaught error', async () => {
    const tmp = privateTmp();
    // Fault injection from outside our code: when the test creates the trigger file, a timer throws an error nothing catches.
    const trigger = `${tmp}.crash-now`;
    const preload = `${tmp}.crash.cjs`;
    writeFileSync(preload, `const timer = setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(trigger)})) { clearInterval(timer); throw new Error('injected crash'); } }, 50);\ntimer.unref();\n`);
    temps.push(preload, trigger);
    const started = start(process.execPath, ['--', BIN, 'demo'], tmp, { preload });
    await serversUp(started, tmp);
    writeFileSync(trigger, '');
    const { code } = await started.exited;
    expect(started.stderr()).toContain('injected crash');
    expect(code).toBe(1);
    await nothingLeft(tmp);
  }, 180_000);
});

describe('demo --help and repeat runs', () => {
  it('offers only the flags it honours', async () => {
    const { code, stdout } = await runCli(['demo', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--format', '--out', '--report', '--only', '--timeout', '--concurrency', '--fail-on', '--ca']) expect(stdout).toContain(flag);
    for (const flag of ['--env-file', '--set', '--ledger', '--warn-days', '--release-tags']) expect(stdout).not.toContain(flag);
    const refused = await runCli(['demo', '--env-file', '.env.production']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("unknown option '--env-file'");
  });

  it.skipIf(!haveServers)('two runs back to back give the same status for every entry', async () => {
    const statuses = async () => {
      const { code, stdout, stderr } = await runCli(['demo', '--quiet', '--format', 'json'], { timeoutMs: 170_000 });
      expect(code, stderr).toBe(0);
      return new Map((JSON.parse(stdout).results as Array<{ id: string; status: string; observed: string }>).map((r) => [r.id, r]));
    };
    const first = await statuses();
    const second = await statuses();
    expect(first.size).toBeGreaterThan(200);
    expect([...second.keys()]).toEqual([...first.keys()]);
    // Named with what each run saw, so a difference says why.
    const differing = [...first.values()].filter((a) => second.get(a.id)?.status !== a.status).map((a) => `${a.id}: ${a.status} (${a.observed}) then ${second.get(a.id)?.status} (${second.get(a.id)?.observed})`);
    expect(differing).toEqual([]);
  }, 360_000);
});
