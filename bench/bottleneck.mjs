// The tool is never the bottleneck (issue 16.2): the full run against the benchmark deployment
// against each probe run alone, all as whole processes of the real binary, interleaved.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, cells, median, interleaved, loadAverage, ms, ratio, root, spread, table, timeCommand, timeProcess, timeRun, verdict } from './lib.mjs';

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux
const SCREEN_PASSES = 2;

/** CPU (ms) of `pid` and every process below it, alive or reaped by it (utime + stime + cutime + cstime). */
export function treeCpuMs(pid) {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
    } catch {
      // the process ended meanwhile
    }
  }
  let ticks = 0;
  const queue = [pid];
  while (queue.length) {
    const current = queue.pop();
    ticks += stats.get(current)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === current) queue.push(child);
  }
  return ticks * CLOCK_TICK_MS;
}

/**
 * The pid listening on 127.0.0.1:`port` (from /proc/net/tcp and the processes' socket fds), or
 * undefined: pg_ctl detaches the postmaster (setsid), so PostgreSQL is no child of the deployment.
 */
export function listenerPid(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields[1]?.endsWith(`:${hex}`) && fields[3] === '0A') inodes.add(fields[9]);
      }
    } catch {
      // no such table
    }
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      for (const fd of readdirSync(`/proc/${name}/fd`)) {
        const link = readlinkSync(`/proc/${name}/fd/${fd}`);
        if (link.startsWith('socket:[') && inodes.has(link.slice(8, -1))) return Number(name);
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return undefined;
}

/** The catalog's probe ids (entries with a probe, manual ones left out), from `list --json`. */
function catalogProbes() {
  const listed = JSON.parse(timeProcess(['--', bin, 'list', '--json', '--no-manual']).stdout);
  return [...new Set(listed.filter((entry) => entry.probe && !entry.manual).map((entry) => entry.probe))].sort();
}

/** The registry's probes ({ id, phase, sdks }), or none if the registry's shape changed. */
async function registryProbes() {
  try {
    const { loadRegistry } = await import(pathToFileURL(join(root, 'dist/src/engine/registry.js')).href);
    const registry = await loadRegistry();
    return [...registry.values()].map((probe) => ({ id: probe.id, phase: probe.phase ?? 'normal', sdks: probe.sdks ?? [] }));
  } catch {
    return [];
  }
}

/** Probe entries in the reports of one command's samples (the median over its rounds). */
function entriesOf(commandSamples) {
  return median(commandSamples.map((s) => s.report.results.filter((result) => result.probe).length));
}

/**
 * Two `run` processes started at the same moment and waited for together: wall from spawn until the
 * later one exits, CPU of both (GNU time wraps the shell that waits for them, and wait4 counts
 * reaped children), and both JSON reports. The shell fails unless both exit 0, 1 or 3.
 */
function timeSideBySide(argsA, argsB) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pair-'));
  const quote = (arg) => `'${String(arg).replace(/'/g, `'\\''`)}'`;
  const command = (args, out) => `${quote(process.execPath)} ${[bin, ...args, '--format', 'json', '--quiet'].map(quote).join(' ')} > ${quote(join(dir, out))}`;
  const fine = (code) => `{ [ ${code} -le 3 ] && [ ${code} -ne 2 ]; }`;
  try {
    const timed = timeCommand('sh', ['-c', `${command(argsA, 'a.json')} & pid=$!; ${command(argsB, 'b.json')}; b=$?; wait $pid; a=$?; ${fine('$a')} && ${fine('$b')}`]);
    const reports = ['a.json', 'b.json'].map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
    return { wallMs: timed.wallMs, cpuMs: timed.cpuMs, reports };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function bottleneckSection({ deployment, runs, slowest: slowestCount = 5 }) {
  const dep = await deployment();
  const target = ['--no-manual', '--env', dep.envFile, '--ca', dep.caFile];
  const full = ['run', ...target];
  const probes = catalogProbes();
  // The deployment's CPU: its own process tree, plus the detached PostgreSQL server.
  const databasePort = Number(new URL(dep.env.DATABASE_URL ?? 'postgres://x:0/').port);
  const postgresPid = databasePort ? listenerPid(databasePort) : undefined;
  const deploymentCpuMs = () => treeCpuMs(dep.pid) + (postgresPid ? treeCpuMs(postgresPid) : 0);

  // 1. Every probe alone, in SCREEN_PASSES passes over all of them, ranked by each probe's fastest
  // pass (a busy moment on the shared machine then cannot promote a fast probe).
  const screened = interleaved(probes, SCREEN_PASSES, (probe) => timeRun(['run', '--only', probe, ...target]));
  const alone = probes.map((probe, i) => {
    const selected = [...new Set(screened[i].flatMap((timed) => timed.report.results.map((result) => result.probe)))];
    return { probe, wallMs: Math.min(...screened[i].map((timed) => timed.wallMs)), selected };
  });
  alone.sort((a, b) => b.wallMs - a.wallMs);
  const slowest = alone.slice(0, slowestCount);
  const strays = alone.filter((entry) => entry.selected.some((id) => id !== entry.probe));

  // The catalog split in two: the probes that use an SDK client (pg, ioredis, S3, nodemailer) and
  // every other one. Both halves side by side in two processes, on both cores, is the most a worker
  // thread for the SDK probes could gain (a worker would share one process's start-up; it would
  // also share its heap and event-loop machinery, which two processes do not).
  const registry = await registryProbes();
  const usesSdk = new Set(registry.filter((probe) => probe.sdks.length > 0).map((probe) => probe.id));
  const only = (ids) => ids.flatMap((id) => ['--only', id]);
  const sdkHalf = probes.filter((id) => usesSdk.has(id));
  const otherHalf = probes.filter((id) => !usesSdk.has(id));
  const split = sdkHalf.length > 0 && otherHalf.length > 0;

  // 2. The full run, the slowest probes alone and the two halves, interleaved round by round.
  const commands = [
    { label: 'full run', args: full },
    ...slowest.map((entry) => ({ label: `\`${entry.probe}\` alone`, probe: entry.probe, args: ['run', '--only', entry.probe, ...target] })),
    ...(split
      ? [
          { label: `the SDK probes alone (${sdkHalf.length} probes: pg, ioredis, S3, nodemailer)`, half: true, args: ['run', ...only(sdkHalf), ...target] },
          { label: `every other probe alone (${otherHalf.length} probes)`, half: true, args: ['run', ...only(otherHalf), ...target] },
          { label: 'both halves side by side (two processes at once, until both exit)', pair: true },
        ]
      : []),
  ];
  const samples = interleaved(commands, runs, (command) => {
    if (command.pair) {
      const pair = timeSideBySide(['run', ...only(sdkHalf), ...target], ['run', ...only(otherHalf), ...target]);
      const entries = pair.reports.reduce((sum, report) => sum + report.results.filter((result) => result.probe).length, 0);
      return { wallMs: pair.wallMs, cpuMs: pair.cpuMs, runMs: Math.max(...pair.reports.map((report) => report.durationMs)), startupMs: Number.NaN, entries };
    }
    const before = command.probe || command.half ? 0 : deploymentCpuMs();
    const timed = timeRun(command.args);
    return { ...timed, deploymentCpuMs: command.probe || command.half ? Number.NaN : deploymentCpuMs() - before };
  });
  const stat = (i, key) => spread(samples[i].map((s) => s[key]));
  const rows = commands.map((command, i) => {
    const cpuPerWall = spread(samples[i].map((s) => s.cpuMs / s.wallMs));
    return [command.label, ...cells(stat(i, 'wallMs')), ms(stat(i, 'runMs').median), ms(stat(i, 'startupMs').median), ms(stat(i, 'cpuMs').median), ratio(cpuPerWall.median)];
  });
  const fullWall = stat(0, 'wallMs');
  const aloneMedians = commands.slice(1, 1 + slowest.length).map((_, i) => stat(i + 1, 'wallMs'));
  const slowestAloneIndex = aloneMedians.reduce((best, s, i) => (s.median > aloneMedians[best].median ? i : best), 0);
  const slowestAlone = aloneMedians[slowestAloneIndex];
  const slowestAloneProbe = commands[slowestAloneIndex + 1].probe;
  const target13 = fullWall.median / slowestAlone.median;
  const cpu = stat(0, 'cpuMs');
  const user = stat(0, 'userMs');
  const sys = stat(0, 'sysMs');
  const cpuPerWall = spread(samples[0].map((s) => s.cpuMs / s.wallMs));
  const depCpu = stat(0, 'deploymentCpuMs');

  // Informational: inside the full runs, the slowest probe the report names and the time spent in the
  // sequential measurement phases (load and burst probes run one at a time after the others).
  const phases = new Map(registry.map((probe) => [probe.id, probe.phase]));
  const inRun = samples[0].map((s) => {
    const probed = s.report.results.filter((result) => result.probe);
    const top = probed.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
    const sequential = probed.filter((result) => (phases.get(result.probe) ?? 'normal') !== 'normal').reduce((sum, result) => sum + result.durationMs, 0);
    return { top, sequential, runMs: s.runMs, wallMs: s.wallMs };
  });
  const topInRun = spread(inRun.map((r) => r.top.durationMs));
  const topNames = [...new Set(inRun.map((r) => r.top.probe))];
  const sequential = spread(inRun.map((r) => r.sequential));
  const entries = samples[0][0].report.results.filter((result) => result.probe).length;

  // What the target leaves room for on this machine: the full run's CPU and the deployment's, spread
  // perfectly over both cores, against 1.3× the slowest probe alone.
  const floorMs = (cpu.median + depCpu.median) / 2;
  const splitLines = split
    ? (() => {
        const pairIndex = commands.findIndex((command) => command.pair);
        const pair = stat(pairIndex, 'wallMs');
        const halves = [pairIndex - 2, pairIndex - 1].map((i) => stat(i, 'wallMs'));
        const pairEntries = median(samples[pairIndex].map((s) => s.entries));
        return [
          `The catalog split in two (informational, no target): the ${sdkHalf.length} probes that use an SDK client (${entriesOf(samples[pairIndex - 2])} entries) and the other ${otherHalf.length} (${entriesOf(samples[pairIndex - 1])} entries), each alone and both at once in two processes (${pairEntries} entries together, as in the full run: ${pairEntries === entries ? 'yes' : '**no**'}). Side by side is what a worker thread for the SDK probes could reach at best: both cores busy, no probe of one half waiting on the other's event loop. It took ${cells(pair).join(' / ')}, ${ratio(pair.median / slowestAlone.median)} the slowest probe alone, against ${ms(fullWall.median)} for the full run in one process; the half without any SDK took ${ms(halves[1].median)} alone (${ratio(halves[1].median / slowestAlone.median)}), the SDK half ${ms(halves[0].median)} (${ratio(halves[0].median / slowestAlone.median)}).`,
          '',
          `The floor on this machine (informational): the work of a full run as it stands, the tool's CPU (${ms(cpu.median)}) and the deployment's (${ms(depCpu.median)}), spread perfectly over the 2 cores, takes ${ms(floorMs)}: ${ratio(floorMs / slowestAlone.median)} the slowest probe alone, against the 1.3× (${ms(1.3 * slowestAlone.median)}) the target allows. With the deployment on the same cores, every handshake and request costs CPU on both sides, and nothing waits on a network.`,
        ];
      })()
    : [];
  if (splitLines.length) splitLines.push('');

  return {
    title: `The tool is never the bottleneck (full run against each probe alone, ${runs} interleaved runs)`,
    body: [
      `The real binary, \`run --no-manual --format json\` against the benchmark deployment (bench/deployment-server.mjs: the demo's web, Elasticsearch, S3, Razorpay, ... stand-ins in a separate Node process, with real PostgreSQL and Redis servers as its children), so the tool's process runs nothing but the tool. First every one of the catalog's ${probes.length} probes alone (\`run --only <probe>\`, all its entries), ${SCREEN_PASSES} passes over all of them, ranked by each probe's fastest pass, to find the slowest; then the full run (${entries} probe entries), the ${slowestCount} slowest alone${split ? ' and the catalog split in two halves (below the table)' : ''}, interleaved round by round, ${runs} rounds. Times are whole processes (spawn to exit): start-up, run and report alike.`,
      '',
      table(['process', 'wall min', 'wall median', 'wall max', 'runner (median)', 'start-up (median)', 'CPU user+sys (median)', 'CPU / wall (median)'], rows),
      '',
      `Slowest probes alone in the screening (fastest of ${SCREEN_PASSES} runs each): ${alone.slice(0, 10).map((entry) => `\`${entry.probe}\` ${ms(entry.wallMs)}`).join(', ')}; fastest: ${alone.slice(-3).map((entry) => `\`${entry.probe}\` ${ms(entry.wallMs)}`).join(', ')}.${strays.length ? ` (\`--only\` of ${strays.map((entry) => `\`${entry.probe}\``).join(', ')} also selected ${strays.flatMap((entry) => entry.selected.filter((id) => id !== entry.probe)).join(', ')}: a prefix match.)` : ''}`,
      '',
      `Target: the full run's median wall within 1.3× of the slowest probe run alone (\`${slowestAloneProbe}\`, median ${ms(slowestAlone.median)}): ${verdict(target13 <= 1.3)} (${ratio(target13)}: full run ${cells(fullWall).join(' / ')} min / median / max).`,
      '',
      `CPU of the full-run process: ${cells(cpu).join(' / ')} (min / median / max; user ${ms(user.median)} + sys ${ms(sys.median)} median), CPU / wall ${ratio(cpuPerWall.median)} median (${ratio(cpuPerWall.min)}–${ratio(cpuPerWall.max)}): ${cpuPerWall.median >= 0.8 ? 'one core busy for most of the wall time: the run is bound by its own CPU' : `the process was off CPU for part of its wall time, waiting on the deployment or, on this shared machine, for a core (load average ${loadAverage()} at the end of the section)`}. The deployment's processes (the stand-ins' Node process and its children such as Redis${postgresPid ? ', and the PostgreSQL server' : '; PostgreSQL not found, so not counted'}) used ${ms(depCpu.median)} CPU per full run (median) on the same 2 cores.`,
      '',
      ...splitLines,
      `Informational (no target; it divides by a probe of the same run, which the contention inflates, so it cannot show the tool being the bottleneck): the slowest probe inside the full run (${topNames.map((name) => `\`${name}\``).join(', ')}) took ${cells(topInRun).join(' / ')}; the runner ${ms(spread(inRun.map((r) => r.runMs)).median)} median, so runner / slowest-in-run ${ratio(spread(inRun.map((r) => r.runMs / r.top.durationMs)).median)}. Of the runner's time, the sequential load phase (probes with phase measurement or burst, run one at a time after the rest) took ${cells(sequential).join(' / ')}.`,
    ].join('\n'),
  };
}
