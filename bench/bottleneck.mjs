// The tool is never the bottleneck (issue 16.2): the full run against the benchmark deployment
// against each probe run alone, all as whole processes of the real binary, interleaved.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, cells, interleaved, loadAverage, ms, ratio, root, spread, table, timeProcess, timeRun, verdict } from './lib.mjs';

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

/** Probe id -> phase ('normal', 'measurement', 'burst'), or an empty map if the registry's shape changed. */
async function probePhases() {
  try {
    const { loadRegistry } = await import(pathToFileURL(join(root, 'dist/src/engine/registry.js')).href);
    const registry = await loadRegistry();
    return new Map([...registry.values()].map((probe) => [probe.id, probe.phase ?? 'normal']));
  } catch {
    return new Map();
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

  // 2. The full run and the slowest probes alone, interleaved round by round.
  const commands = [{ label: 'full run', args: full }, ...slowest.map((entry) => ({ label: `\`${entry.probe}\` alone`, probe: entry.probe, args: ['run', '--only', entry.probe, ...target] }))];
  const samples = interleaved(commands, runs, (command) => {
    const before = command.probe ? 0 : deploymentCpuMs();
    const timed = timeRun(command.args);
    return { ...timed, deploymentCpuMs: command.probe ? Number.NaN : deploymentCpuMs() - before };
  });
  const stat = (i, key) => spread(samples[i].map((s) => s[key]));
  const rows = commands.map((command, i) => {
    const cpuPerWall = spread(samples[i].map((s) => s.cpuMs / s.wallMs));
    return [command.label, ...cells(stat(i, 'wallMs')), ms(stat(i, 'runMs').median), ms(stat(i, 'startupMs').median), ms(stat(i, 'cpuMs').median), ratio(cpuPerWall.median)];
  });
  const fullWall = stat(0, 'wallMs');
  const aloneMedians = commands.slice(1).map((_, i) => stat(i + 1, 'wallMs'));
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
  const phases = await probePhases();
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

  return {
    title: `The tool is never the bottleneck (full run against each probe alone, ${runs} interleaved runs)`,
    body: [
      `The real binary, \`run --no-manual --format json\` against the benchmark deployment (bench/deployment-server.mjs: the demo's web, Elasticsearch, S3, Razorpay, ... stand-ins in a separate Node process, with real PostgreSQL and Redis servers as its children), so the tool's process runs nothing but the tool. First every one of the catalog's ${probes.length} probes alone (\`run --only <probe>\`, all its entries), ${SCREEN_PASSES} passes over all of them, ranked by each probe's fastest pass, to find the slowest; then the full run (${entries} probe entries) and the ${slowestCount} slowest alone, interleaved round by round, ${runs} rounds. Times are whole processes (spawn to exit): start-up, run and report alike.`,
      '',
      table(['process', 'wall min', 'wall median', 'wall max', 'runner (median)', 'start-up (median)', 'CPU user+sys (median)', 'CPU / wall (median)'], rows),
      '',
      `Slowest probes alone in the screening (fastest of ${SCREEN_PASSES} runs each): ${alone.slice(0, 10).map((entry) => `\`${entry.probe}\` ${ms(entry.wallMs)}`).join(', ')}; fastest: ${alone.slice(-3).map((entry) => `\`${entry.probe}\` ${ms(entry.wallMs)}`).join(', ')}.${strays.length ? ` (\`--only\` of ${strays.map((entry) => `\`${entry.probe}\``).join(', ')} also selected ${strays.flatMap((entry) => entry.selected.filter((id) => id !== entry.probe)).join(', ')}: a prefix match.)` : ''}`,
      '',
      `Target: the full run's median wall within 1.3× of the slowest probe run alone (\`${slowestAloneProbe}\`, median ${ms(slowestAlone.median)}): ${verdict(target13 <= 1.3)} (${ratio(target13)}: full run ${cells(fullWall).join(' / ')} min / median / max).`,
      '',
      `CPU of the full-run process: ${cells(cpu).join(' / ')} (min / median / max; user ${ms(user.median)} + sys ${ms(sys.median)} median), CPU / wall ${ratio(cpuPerWall.median)} median (${ratio(cpuPerWall.min)}–${ratio(cpuPerWall.max)}): ${cpuPerWall.median >= 0.8 ? 'one core busy for most of the wall time: the run is bound by its own CPU' : `the process was off CPU for part of its wall time, waiting on the deployment or, on this shared machine, for a core (load average ${loadAverage()} at the end of the section)`}. The deployment's processes (the stand-ins' Node process and its children such as Redis${postgresPid ? ', and the PostgreSQL server' : '; PostgreSQL not found, so not counted'}) used ${ms(depCpu.median)} CPU per full run (median) on the same 2 cores.`,
      '',
      `Informational (no target; it divides by a probe of the same run, which the contention inflates, so it cannot show the tool being the bottleneck): the slowest probe inside the full run (${topNames.map((name) => `\`${name}\``).join(', ')}) took ${cells(topInRun).join(' / ')}; the runner ${ms(spread(inRun.map((r) => r.runMs)).median)} median, so runner / slowest-in-run ${ratio(spread(inRun.map((r) => r.runMs / r.top.durationMs)).median)}. Of the runner's time, the sequential load phase (probes with phase measurement or burst, run one at a time after the rest) took ${cells(sequential).join(' / ')}.`,
    ].join('\n'),
  };
}
