// Shared helpers of the benchmark: statistics, formatting, and timing whole processes (wall time,
// CPU time, start-up read from the JSON report).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(root, 'bin/bazaarhub-check.js');

export const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
export const ms1 = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
export const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
export const verdict = (ok) => (ok ? 'met' : '**missed**');
export const size = (bytes) => (bytes < 2 ** 20 ? `${Math.round(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
export const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function spread(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { min: sorted[0] ?? Number.NaN, median: median(sorted), max: sorted.at(-1) ?? Number.NaN, n: sorted.length };
}

/** `min / median / max` cells of a spread, formatted by `format`. */
export const cells = (s, format = ms) => [format(s.min), format(s.median), format(s.max)];

// GNU time reports the child's CPU (user, sys) from wait4; without it the CPU columns read n/a.
const GNU_TIME = spawnSync('/usr/bin/time', ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : undefined;

/**
 * Runs `node <args>` to completion (blocking: nothing else runs in the benchmark meanwhile) and
 * returns its wall time (spawn to exit), CPU time (user + sys, from GNU time, 10 ms resolution),
 * exit code and stdout. `ok` lists the exit codes that are not a failure of the benchmark.
 */
export function timeProcess(args, options = {}) {
  return timeCommand(process.execPath, args, options);
}

/** timeProcess for any program (`sh -c` running two processes side by side, say). */
export function timeCommand(program, args, { env = {}, cwd = root, ok = [0] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(dir, 'time.txt');
  const command = GNU_TIME ? GNU_TIME : program;
  const argv = GNU_TIME ? ['-f', '%U %S %M', '-o', timeFile, program, ...args] : args;
  try {
    const startedEpochMs = performance.timeOrigin + performance.now();
    const started = performance.now();
    const result = spawnSync(command, argv, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
    const wallMs = performance.now() - started;
    if (!ok.includes(result.status)) throw new Error(`${program === process.execPath ? 'node' : program} ${args.join(' ')} exited ${result.status}: ${(result.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`);
    let userMs = Number.NaN;
    let sysMs = Number.NaN;
    let maxRssKb = Number.NaN;
    if (GNU_TIME) {
      const line = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
      [userMs, sysMs, maxRssKb] = line.split(' ').map(Number);
      userMs *= 1000;
      sysMs *= 1000;
    }
    return { wallMs, cpuMs: userMs + sysMs, userMs, sysMs, maxRssKb, code: result.status, stdout: result.stdout, stderr: result.stderr, startedEpochMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A `run --format json` process: its timing plus what its report says. `startupMs` is process start
 * to the runner starting its first probe: the report's generatedAt (stamped right after the runner
 * returns) minus the runner's durationMs, minus the moment the benchmark spawned the process
 * (same wall clock; 1 ms resolution). `afterMs` is what the process spent after the runner
 * (rendering, exit).
 */
export function timeRun(args, options = {}) {
  const timed = timeProcess(['--', bin, ...args, '--format', 'json', '--quiet'], { ok: [0, 1, 3], ...options });
  const report = JSON.parse(timed.stdout);
  const runnerStartEpochMs = Date.parse(report.generatedAt) - report.durationMs;
  const startupMs = runnerStartEpochMs - timed.startedEpochMs;
  return { ...timed, report, startupMs, runMs: report.durationMs, afterMs: timed.wallMs - startupMs - report.durationMs };
}

/** Round-robin: `rounds` times, every command once, in the same order, so machine noise hits all alike. */
export function interleaved(commands, rounds, measure) {
  const samples = commands.map(() => []);
  for (let round = 0; round < rounds; round++) commands.forEach((command, i) => samples[i].push(measure(command, round)));
  return samples;
}

/** The load average as `uptime` prints it, for the notes. */
export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
  } catch {
    return 'n/a';
  }
}
