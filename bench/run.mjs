#!/usr/bin/env node
// `npm run bench`: measures, in one run, ratios against baselines taken in the same run (whole
// processes of the real binary, interleaved round by round, min / median / max), prints a table per
// measurement and writes them all to bench/RESULTS.md. Run after `npm run build` (the npm script
// does it). `node bench/run.mjs startup bottleneck` runs only some sections (RESULTS.md is then not
// rewritten). Sections: startup, bottleneck, profile, stability, contacts, hang, scale, package.
// BENCH_RUNS sets the rounds of the interleaved sections (default 5; at least 5 for the ratios).
// Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bottleneckSection } from './bottleneck.mjs';
import { contactsByKind, fullRun, startDeploymentProcess } from './deployment.mjs';
import { hangingRun } from './hang.mjs';
import { bin, loadAverage, ms, ratio, root, size, table, verdict } from './lib.mjs';
import { profileRun, renderSummary } from './profile.mjs';
import { stabilitySection } from './stability.mjs';
import { envOnlyFile, startupSection } from './startup.mjs';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
// Start-up commands are cheap: more rounds for a steadier median on a shared machine.
const STARTUP_RUNS = Math.max(RUNS, Number(process.env.BENCH_STARTUP_RUNS ?? 9));
const ALL = ['startup', 'bottleneck', 'profile', 'stability', 'contacts', 'hang', 'scale', 'package'];
const ALIASES = { cold: 'startup', run: 'contacts', latency: 'stability' };
const only = process.argv.slice(2).map((name) => ALIASES[name] ?? name);
const unknown = only.filter((name) => !ALL.includes(name));
if (unknown.length) {
  console.error(`bench: unknown section ${unknown.join(', ')} (sections: ${ALL.join(', ')})`);
  process.exit(2);
}
const sections = only.length ? ALL.filter((name) => only.includes(name)) : ALL;

/** The benchmark deployment in its own process, started on first use and shared by the sections. */
let deploymentStarted;
const deployment = () => (deploymentStarted ??= startDeploymentProcess(root));

/**
 * The TLS probes' handshakes per host (issue #15), split by what asked for them: the shared normal
 * handshake, tls.protocols' pinned variants and raw SSLv3 hello, the shared detail handshake
 * (chain as sent, stapling, ALPN), and tls.ciphers' suite enumeration.
 */
function tlsHandshakesPerHost(contacts) {
  const hosts = new Map();
  for (const [name, count] of contacts) {
    if (!name.startsWith('tls ')) continue;
    const [host, variant = ''] = name.slice(4).split(' ');
    const row = hosts.get(host) ?? { normal: 0, protocols: 0, detail: 0, ciphers: 0, max: 0 };
    if (!variant) row.normal += count;
    else if (variant.startsWith('detail')) row.detail += count;
    else if (variant.startsWith('tls1.2-suite-')) row.ciphers += count;
    else row.protocols += count;
    row.max = Math.max(row.max, count);
    hosts.set(host, row);
  }
  const rows = [...hosts].map(([host, row]) => [host, String(row.normal), String(row.protocols), String(row.detail), String(row.ciphers), String(row.normal + row.protocols + row.detail + row.ciphers), String(row.max)]);
  const once = [...hosts.values()].every((row) => row.max === 1 && row.normal === 1);
  return [
    'TLS handshakes per host (each variant once per run; tls.ciphers needs one per accepted TLS 1.2 suite plus the refusal):',
    '',
    table(['host', 'normal (shared)', 'tls.protocols variants', 'detail (shared)', 'tls.ciphers enumeration', 'total', 'max per variant'], rows),
    '',
    `Target: every variant at most once per host: ${verdict(once)}.`,
  ];
}

async function fullRunSection() {
  const { outcome, wallMs, entries, notes } = await fullRun(root);
  const probed = outcome.results.filter((result) => result.probe);
  const durations = probed.map((result) => result.durationMs);
  const slowest = probed.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
  const sum = durations.reduce((a, b) => a + b, 0);
  const statuses = Object.entries(probed.reduce((counts, result) => ({ ...counts, [result.status]: (counts[result.status] ?? 0) + 1 }), {}))
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const kinds = contactsByKind(outcome.contacts);
  const describe = (kind, note) => {
    const targets = kinds.get(kind);
    if (!targets) return [kind, '0', '0', '0', note];
    const counts = [...targets.values()];
    return [kind, String(targets.size), String(counts.reduce((a, b) => a + b, 0)), String(Math.max(...counts)), note];
  };
  const tlsHosts = new Map([...(kinds.get('tls') ?? new Map())].filter(([key]) => !key.includes(' ')));
  const tlsVariants = new Map([...(kinds.get('tls') ?? new Map())].filter(([key]) => key.includes(' ')));
  kinds.set('tls', tlsHosts);
  kinds.set('tls (deliberate: old protocols, weak ciphers)', tlsVariants);
  const rows = [
    describe('tls', 'one handshake per host'),
    describe('tls (deliberate: old protocols, weak ciphers)', 'one attempt per host and variant: tls.protocols variants, the shared detail handshake, tls.ciphers suites (table below)'),
    describe('postgres', 'one client per DSN'),
    describe('postgres-nossl', 'deliberate: postgres.ssl tries a plain connection'),
    describe('redis', 'one connection'),
    describe('redis-noauth', 'deliberate: redis.auth tries without the password'),
    describe('http', 'one GET per URL, shared'),
    describe('http-probe', 'deliberate probe traffic: latency samples, CORS preflights, rate-limit burst, WAF attack shapes'),
    describe('elasticsearch', 'one request per API (info, health, nodes, shards, ...), shared, plus one anonymous GET'),
    describe('s3', 'one request per bucket and setting, shared; one write-access roundtrip'),
    describe('razorpay', 'one authenticated API call'),
    describe('webhook', 'deliberate: razorpay.webhook-signature posts signed and forged deliveries'),
    describe('shiprocket', 'login, then one authenticated call'),
    describe('smtp', 'one connection'),
    describe('prometheus', 'one rules query'),
    ...[...kinds.keys()].filter((kind) => !['tls', 'tls (deliberate: old protocols, weak ciphers)', 'postgres', 'postgres-nossl', 'redis', 'redis-noauth', 'http', 'http-probe', 'elasticsearch', 's3', 'razorpay', 'webhook', 'shiprocket', 'smtp', 'prometheus'].includes(kind)).map((kind) => describe(kind, '')),
  ];
  const onceEach = ['tls', 'postgres', 'redis', 'http'].every((kind) => [...(kinds.get(kind)?.values() ?? [])].every((count) => count === 1));
  return {
    title: 'Contacts of a full run (in-process, against an in-process stand-in deployment)',
    body: [
      `${entries} probe entries (${statuses}), timeout 10 s, concurrency 256, run in the benchmark's own process through the runner (runEntries) so its contact counts are readable; the stand-ins share that process, so its timings are informational only (the *bottleneck* section measures whole processes). Stand-ins: ${notes.length} notes (${notes.map((note) => note.split(':')[0]).join(', ')}).`,
      '',
      table(
        ['measure (informational, no target)', 'value'],
        [
          ['wall time of the run (stand-ins in the same process)', ms(wallMs)],
          [`slowest probe of the same run (${slowest.probe})`, ms(slowest.durationMs)],
          ['wall / slowest probe of the same run (cannot fail: the contention inflates both)', ratio(wallMs / slowest.durationMs)],
          ['sum of all probe times / wall (concurrency gain)', ratio(sum / wallMs)],
        ],
      ),
      '',
      'Contacts per run (`ctx.facts.countContact`):',
      '',
      table(['kind', 'targets', 'contacts', 'max per target', 'expected'], rows),
      '',
      `Target: one TLS handshake per host, one PostgreSQL client per DSN, one Redis connection, one GET per URL (plus the deliberate extras listed): ${verdict(onceEach)}.`,
      '',
      ...tlsHandshakesPerHost(outcome.contacts),
    ].join('\n'),
  };
}

async function hangSection() {
  const timeoutSeconds = 2;
  const { wallMs, code, report, stderr } = await hangingRun(bin, { timeoutSeconds });
  const results = report?.results ?? [];
  const counts = results.reduce((acc, result) => ({ ...acc, [result.status]: (acc[result.status] ?? 0) + 1 }), {});
  const network = results.filter((result) => result.status !== 'skipped' && !/^(env|npm|git|dns|backup|postgres\.migrations)\./.test(result.probe ?? ''));
  const notError = network.filter((result) => result.status !== 'error');
  const slowest = results.reduce((max, result) => Math.max(max, result.durationMs ?? 0), 0);
  const bound = timeoutSeconds * 1000 + 1000;
  return {
    title: 'A deployment that accepts connections and never answers',
    body: [
      `Every service (4 HTTPS + 4 HTTP URLs, PostgreSQL, Redis, Elasticsearch, SMTP, S3, Razorpay, Shiprocket, Prometheus) points at a 127.0.0.1 listener that accepts TCP and never writes; the rest of the env file is test/fixtures/good.env. The real binary runs \`run --timeout ${timeoutSeconds} --no-manual --format json\`.`,
      '',
      table(
        ['measure', 'value'],
        [
          ['wall time of the process (spawn to exit)', ms(wallMs)],
          [`bound: per-probe timeout + 1 s`, `${ms(bound)} ${verdict(wallMs <= bound)}`],
          ['run duration in the report', ms(report?.durationMs ?? Number.NaN)],
          ['slowest probe', ms(slowest)],
          ['results', Object.entries(counts).map(([status, count]) => `${count} ${status}`).join(', ')],
          // A fail by design (http.health: a health route that never answers fails, issue 11 item 4) makes it NOT READY.
          ['exit code', `${code} ${verdict(code === (notError.some((result) => result.status === 'fail') ? 1 : 3))} (target 3, or 1 when a probe judges the silence a fail by design)`],
          ['stderr lines beyond progress', String(stderr.split('\n').filter((line) => line && !line.startsWith('[')).length)],
        ],
      ),
      '',
      notError.length
        ? `Network probes that did not report \`error\` (their judgement of an unreachable service is \`fail\` by design, which makes the verdict NOT READY, exit 1):\n\n${notError.map((result) => `- \`${result.probe}\` ${result.status}: ${result.observed.slice(0, 140)}`).join('\n')}`
        : 'Every network probe reported `error`.',
    ].join('\n'),
  };
}

function scaleSection() {
  const rows = [];
  const results = [];
  for (const n of [1000, 10000]) {
    const run = spawnSync(process.execPath, [join(root, 'bench/scale-worker.mjs'), root, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`scale worker ${n} failed: ${run.stderr}`);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
    results.push(result);
    rows.push([
      n.toLocaleString('en'),
      size(result.checklistBytes),
      ms(result.parseMs),
      ms(result.freshMs),
      ms(result.parseMs + result.freshMs),
      ms(result.reparseMs + result.resyncMs),
      size(result.catalogBytes),
      `${Math.round(result.peakRssMb)} MiB`,
    ]);
  }
  // The CLI on the biggest size: `catalog sync` also validates what it writes, `catalog check` and
  // `list` load the catalog (through the yaml Document API, the only catalog parser).
  const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const cli = {};
  try {
    const worker = spawnSync(process.execPath, ['--input-type=module', '-e', `import { generateChecklist, realChecklist } from ${JSON.stringify(join(root, 'bench/generate.mjs'))}; process.stdout.write(generateChecklist(10000, realChecklist(${JSON.stringify(root)})));`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    writeFileSync(join(dir, 'c.md'), worker.stdout);
    for (const [label, args] of [['catalog sync (new catalog)', ['catalog', 'sync']], ['catalog check', ['catalog', 'check']], ['list', ['list']]]) {
      const started = performance.now();
      const run = spawnSync(process.execPath, ['--', bin, ...args, '--checklist', 'c.md', '--catalog', 'c.yaml'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 });
      if (run.status !== 0) throw new Error(`${label} exited ${run.status ?? run.signal}: ${run.stderr || run.error?.message || ""}`);
      cli[label] = performance.now() - started;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const big = results.at(-1);
  const mid = results.at(-2);
  const worst = Math.max(big.parseMs + big.freshMs, big.reparseMs + big.resyncMs);
  const growth = (big.reparseMs + big.resyncMs) / (mid.reparseMs + mid.resyncMs);
  return {
    title: 'Parsing and syncing a generated checklist',
    body: [
      `The generator (bench/generate.mjs) stretches the real checklist's shape: phases of 10 sections of 20 task lines taken from checklists/deployment.md (inline code, env names, \`<\`), a ✅ criterion and a requirements fence per phase. *Re-sync* parses the checklist with one item inserted near the top and syncs it into the catalog just created, so every entry's \`source:\` line moves. Each size runs in its own process; peak memory is that process's maximum RSS (of which ${Math.round(big.baseRssMb)} MiB is Node with the probe registry loaded, before any work).`,
      '',
      table(['items', 'checklist', 'parse', 'sync (new catalog)', 'parse + sync', 'parse + re-sync (all moved)', 'catalog', 'peak RSS'], rows),
      '',
      `Through the binary at 10,000 items (${size(big.catalogBytes)} catalog): ${Object.entries(cli).map(([label, value]) => `\`${label}\` ${ms(value)}`).join(', ')}. The catalog has one parser, the yaml library's Document API (it keeps comments and hand edits); real checklists have hundreds of items, so the 100,000-item rows and the text fast path they needed are gone.`,
      '',
      `Target: \`catalog check\` and \`list\` at 10,000 items under 5 s through the binary: ${verdict(cli['catalog check'] < 5000 && cli.list < 5000)}.`,
      '',
      `Worst parse + sync at 10,000 items: ${ms(worst)}; growth from 1,000 to 10,000 items: ${ratio(growth)} for 10× the items (linear is 10×).`,
    ].join('\n'),
  };
}

/** What `npm pack` would publish (dist/ is fresh: the npm script built it), without writing the tarball. */
function packageSection() {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm pack --dry-run exited ${result.status}: ${result.stderr.trim().split('\n').pop()}`);
  const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
  const dist = info.files.filter((file) => file.path.startsWith('dist/')).reduce((sum, file) => sum + file.size, 0);
  return {
    title: 'Package (npm pack)',
    body: table(['tarball', 'packed', 'unpacked', 'files', 'of which dist/'], [[info.filename, size(info.size), size(info.unpackedSize), String(info.entryCount), size(dist)]]),
  };
}

/** One full run under `node --cpu-prof` (and `run --only env.` for contrast), summarised by category (bench/profile.mjs). */
async function profileSection() {
  const dep = await deployment();
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const full = profileRun(['run', '--no-manual', '--env', dep.envFile, '--ca', dep.caFile, '--format', 'json', '--quiet']);
    const env = profileRun(['run', '--only', 'env.', '--no-manual', '--env', envOnlyFile(dir), '--format', 'json', '--quiet']);
    const line = (label, result) => `${label}: wall ${ms(result.wallMs)}, CPU ${ms(result.cpuMs)} (user ${ms(result.userMs)} + sys ${ms(result.sysMs)}) under the profiler, which adds its own cost.`;
    return {
      title: 'Where the CPU goes (`node --cpu-prof`)',
      body: [
        'Self time of every sampled frame, summed by category (first matching rule in bench/profile.mjs: by script URL, e.g. `node:_tls_wrap` is TLS, `/node_modules/yaml/` is yaml, `dist/src/util/redact` is redaction; *(program)* is native work with no JS frame on the stack, such as TLS record crypto and socket I/O called from libuv; *idle* is the event loop waiting). Re-run on any command with `node bench/profile.mjs -- <bazaarhub-check arguments>` (`--keep DIR` keeps the .cpuprofile for DevTools or speedscope).',
        '',
        `### Full run against the benchmark deployment`,
        '',
        line('`run --no-manual --format json` (full catalog)', full),
        '',
        renderSummary(full.summary),
        '',
        '### `run --only env.` (env file only)',
        '',
        line('`run --only env. --no-manual --format json`', env),
        '',
        renderSummary(env.summary),
      ].join('\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Bench prerequisites (not the test suite's): wrk for the latency comparisons.
if (sections.includes('stability') && spawnSync('wrk', ['-v']).error) {
  console.error('bench: the stability section needs wrk (Debian: apt-get install -y wrk)');
  process.exit(2);
}

/** Every section's `Target: ...` line, in one list at the top of RESULTS.md. */
function targetSummary() {
  return ['Targets (each explained in its section below):', '', ...targets.map(([title, line]) => `- ${line.replace(/^Target( \(([^)]*)\))?: /, (_, __, what) => (what ? `${what}: ` : ''))} *(${title.replace(/ \(.*$/, '')})*`)].join('\n');
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}`;
console.log(`bazaarhub-check benchmark on ${machine}\n`);
const output = [];
const run = {
  startup: () => startupSection({ deployment, runs: STARTUP_RUNS }),
  bottleneck: () => bottleneckSection({ deployment, runs: RUNS }),
  profile: profileSection,
  stability: () => stabilitySection({ deployment, runs: RUNS }),
  contacts: fullRunSection,
  hang: hangSection,
  scale: scaleSection,
  package: packageSection,
};
const loadAtStart = loadAverage();
const benchStarted = performance.now();
const targets = [];
console.log(`load average at start: ${loadAtStart}\n`);
for (const name of sections) {
  const started = performance.now();
  const load = loadAverage();
  let section;
  try {
    section = await run[name]();
  } catch (error) {
    section = { title: name, body: `**failed:** ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const footer = `<sub>\`node bench/run.mjs ${name}\`: ${seconds} s; load average (1, 5, 15 min) at its start ${load}.</sub>`;
  console.log(`## ${section.title}\n\n${section.body}\n\n${footer}\n`);
  output.push(`## ${section.title}\n\n${section.body}\n\n${footer}\n`);
  for (const line of section.body.split('\n')) if (/^Target\b/.test(line)) targets.push([section.title, line]);
}
if (deploymentStarted) await (await deploymentStarted).stop();
const loadAtEnd = loadAverage();
const minutes = ((performance.now() - benchStarted) / 60000).toFixed(1);
console.log(`load average at end: ${loadAtEnd}; ${minutes} min`);
if (!only.length) {
  writeFileSync(
    join(root, 'bench/RESULTS.md'),
    `# Benchmark results\n\n${targetSummary()}\n\nGenerated by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${minutes} min (BENCH_RUNS=${RUNS}).\nMachine: ${machine}; load average (1, 5, 15 min) ${loadAtStart} at the start, ${loadAtEnd} at the end (the machine is shared: other work raises every number alike, since the commands of a section are interleaved).\n\n${output.join('\n')}`,
  );
  console.log('Written to bench/RESULTS.md');
}
process.exit(0);
