#!/usr/bin/env node
// `npm run bench`: measures, in one run, ratios against baselines taken in the same run, prints a
// table per measurement and writes them all to bench/RESULTS.md. Run after `npm run build` (the
// npm script does it). `node bench/run.mjs cold scale` runs only some sections (RESULTS.md is then
// not rewritten). Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contactsByKind, fullRun, repeatedRuns } from './deployment.mjs';
import { hangingRun } from './hang.mjs';
import { compareLatency, wrk } from './latency.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/bazaarhub-check.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ALL = ['cold', 'run', 'hang', 'scale', 'latency', 'stability', 'package'];
const only = process.argv.slice(2);
const sections = only.length ? ALL.filter((name) => only.includes(name)) : ALL;
const SDKS = ['pg', 'ioredis', '@elastic/elasticsearch', '@aws-sdk/client-s3', 'razorpay', 'nodemailer', 'smtp-server', 'node-forge', 'listr2'];

const ms = (value) => `${Math.round(value)} ms`;
const ratio = (value) => `${value.toFixed(2)}×`;
const verdict = (ok) => (ok ? 'met' : '**missed**');
const size = (bytes) => (bytes < 2 ** 20 ? `${Math.round(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
/** Package names with the micromark/mdast/unist families folded, e.g. `micromark (+27)`. */
function packageList(names) {
  const families = ['micromark', 'mdast-util', 'unist-util'];
  const out = names.filter((name) => !families.some((family) => name.startsWith(family)));
  for (const family of families) {
    const members = names.filter((name) => name.startsWith(family));
    if (members.length) out.push(members.length === 1 ? members[0] : `${family}-* (${members.length})`);
  }
  return out.join(', ');
}
const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time of `node <args>` over RUNS runs, interleaved with the other commands by the caller. */
function timeOnce(args, env = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function packagesLoaded(args) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-modules-'));
  const log = join(dir, 'modules.txt');
  writeFileSync(log, '');
  try {
    timeOnce(['--import', join(root, 'bench/module-log.mjs'), '--', bin, ...args], { BENCH_MODULE_LOG: log });
    return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function coldStart() {
  const commands = [
    ['node -e 0 (baseline)', ['-e', '0']],
    ['--help', ['--', bin, '--help']],
    ['--version', ['--', bin, '--version']],
    ['list', ['--', bin, 'list']],
    ['catalog check', ['--', bin, 'catalog', 'check']],
  ];
  // Interleaved rounds, so a busy moment on the machine hits every command alike.
  const samples = commands.map(() => []);
  for (let round = 0; round < RUNS; round++) commands.forEach(([, args], i) => samples[i].push(timeOnce(args)));
  const medians = samples.map(median);
  const baseline = medians[0];
  const rows = commands.map(([label, args], i) => {
    const loaded = i === 0 ? [] : packagesLoaded(args.slice(2));
    const sdks = loaded.filter((name) => SDKS.includes(name) || name.startsWith('@aws-sdk/'));
    return [label, ms(medians[i]), ratio(medians[i] / baseline), i === 0 ? '' : packageList(loaded) || '(none)', i === 0 ? '' : sdks.length ? `**${sdks.join(', ')}**` : 'none'];
  });
  const help = medians[1] / baseline;
  return {
    title: `Cold start (median of ${RUNS} interleaved runs)`,
    body: `${table(['command', 'median', '× bare node', 'packages loaded', 'SDKs loaded'], rows)}\n\nTarget: \`--help\` within 1.5× of bare node: ${verdict(help <= 1.5)} (${ratio(help)}); no SDK loaded for these commands: ${verdict(rows.every((row) => row[4] === '' || row[4] === 'none'))}.`,
  };
}

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
  const wallRatio = wallMs / slowest.durationMs;
  return {
    title: 'Full run against the stand-in deployment (real PostgreSQL and Redis)',
    body: [
      `${entries} probe entries (${statuses}), timeout 10 s, concurrency 256. Stand-ins: ${notes.length} notes (${notes.map((note) => note.split(':')[0]).join(', ')}).`,
      '',
      table(
        ['measure', 'value'],
        [
          ['wall time of the run', ms(wallMs)],
          [`slowest probe (${slowest.probe})`, ms(slowest.durationMs)],
          ['sum of all probe times', ms(sum)],
          ['wall / slowest probe (target ≤ 1.3)', `${ratio(wallRatio)} ${verdict(wallRatio <= 1.3)}`],
          ['sum / wall (concurrency gain)', ratio(sum / wallMs)],
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
      const run = spawnSync(process.execPath, ['--', bin, ...args, '--checklist', 'c.md', '--catalog', 'c.yaml'], { cwd: dir, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${label} exited ${run.status}: ${run.stderr}`);
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

async function latencySection() {
  const { fromProbe, fromWrk } = await compareLatency(root);
  const diff = (a, b) => Math.abs(a - b) / b;
  const ok = diff(fromProbe.p50, fromWrk.p50) <= 0.1 && diff(fromProbe.p95, fromWrk.p95) <= 0.1;
  return {
    title: '`http.latency` against wrk',
    body: [
      'A local HTTP server delays each answer by 20–120 ms, uniformly spread (p50 ≈ 70 ms, p95 ≈ 115 ms); `http.latency` (400 requests, concurrency 5) and `wrk -t1 -c5 -d8s` measure the same endpoint.',
      '',
      table(
        ['tool', 'requests', 'p50', 'p95'],
        [
          ['http.latency', String(fromProbe.requests), `${fromProbe.p50.toFixed(1)} ms`, `${fromProbe.p95.toFixed(1)} ms`],
          [`wrk ${spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split(' ')[1] ?? ''}`.trim(), String(fromWrk.requests), `${fromWrk.p50.toFixed(1)} ms`, `${fromWrk.p95.toFixed(1)} ms`],
          ['difference', '', `${(diff(fromProbe.p50, fromWrk.p50) * 100).toFixed(1)}%`, `${(diff(fromProbe.p95, fromWrk.p95) * 100).toFixed(1)}%`],
        ],
      ),
      '',
      `Target: p50 and p95 within 10% of wrk's: ${verdict(ok)}.`,
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

/**
 * Five full runs back to back against one unchanged demo deployment: the spread of http.latency's
 * p95 (the entry "Response times < 2 seconds (p95)", and its per-endpoint p95 of the API's
 * /api/products), wrk against that endpoint on the same deployment right after, and whether every
 * entry's status was the same in all five runs.
 */
function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: median(sorted), max: sorted.at(-1) };
}

async function stability() {
  const RUNS_5 = 5;
  const measure = (url) => wrk(url, { connections: 5, seconds: 2, headers: { 'accept-encoding': 'gzip, br', accept: 'text/html,application/json;q=0.9,*/*;q=0.8' } });
  const { outcomes, endpoint, measured: wrks } = await repeatedRuns(root, { runs: RUNS_5, measure });
  const w = { ...spread(wrks.map((m) => m.p95)), requests: wrks.reduce((sum, m) => sum + m.requests, 0) };
  const entryId = 'success-criteria.response-times-2-seconds';
  const overall = [];
  const perEndpoint = [];
  for (const outcome of outcomes) {
    const result = outcome.results.find((r) => r.id === entryId);
    const match = /p95 (\d+) ms/.exec(result?.observed ?? '');
    overall.push(match ? Number(match[1]) : Number.NaN);
    const detail = result?.details?.find((d) => d.subject === endpoint);
    const own = /p95 (\d+) ms/.exec(detail?.observed ?? '');
    perEndpoint.push(own ? Number(own[1]) : Number.NaN);
  }
  const o = spread(overall);
  const e = spread(perEndpoint);
  const statuses = outcomes.map((outcome) => new Map(outcome.results.map((r) => [r.id, r.status])));
  const changed = [...statuses[0].keys()].filter((id) => statuses.some((run) => run.get(id) !== statuses[0].get(id)));
  const why = changed.map((id) => {
    const seen = outcomes.map((outcome) => outcome.results.find((r) => r.id === id));
    return `- \`${id}\`: ${seen.map((r) => `${r.status} (${r.observed.slice(0, 120)})`).join(' / ')}`;
  });
  const within = Math.abs(e.median - w.median) / w.median;
  const wrkVersion = spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '';
  return {
    title: `\`http.latency\` in ${RUNS_5} full runs against one demo deployment`,
    body: [
      `${RUNS_5} full catalog runs (every probe entry, timeout 10 s, concurrency 64) back to back against one unchanged demo deployment; the load measurements run in their own phase after the other probes. After each run, \`wrk -t1 -c5 -d2s\` (${wrkVersion}) with the probe's Accept/Accept-Encoding against ${endpoint.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:…')}, one of the routes http.latency samples: 5 keep-alive connections, the probe's concurrency (its 5 requests in flight spread over the 5 endpoints, which all live in the benchmark's one process, so the stand-ins carry the same load), and right after each run, so both tools see the machine alike.`,
      '',
      table(
        ['measure', 'min', 'median', 'max'],
        [
          [`p95 of \`${entryId}\` (all endpoints, 50 requests)`, ms(o.min), ms(o.median), ms(o.max)],
          ['p95 of /api/products in the same entry (10 requests)', ms(e.min), ms(e.median), ms(e.max)],
          [`wrk p95 of /api/products (${w.requests} requests in ${RUNS_5} measurements)`, `${w.min.toFixed(1)} ms`, `${w.median.toFixed(1)} ms`, `${w.max.toFixed(1)} ms`],
        ],
      ),
      '',
      `Spread of the entry's p95 over ${RUNS_5} runs: ${ms(o.max - o.min)} (${o.median ? ((100 * (o.max - o.min)) / o.median).toFixed(0) : '?'}% of the median).`,
      `Target: the /api/products p95 median within 10% of wrk's median: ${verdict(within <= 0.1)} (${(within * 100).toFixed(1)}%; at these sizes the p95 of 10 samples is their maximum, and the probe reports whole milliseconds: 1 ms is ${(100 / w.median).toFixed(0)}% of wrk's median).`,
      `Target: every entry's status identical in all ${RUNS_5} runs: ${verdict(changed.length === 0)}${changed.length ? ` (changed: ${changed.map((id) => `\`${id}\` ${statuses.map((run) => run.get(id)).join('/')}`).join(', ')})` : ` (${statuses[0].size} entries)`}.`,
      ...(why.length ? ['', 'What the changing entries observed, run by run:', '', ...why] : []),
    ].join('\n'),
  };
}

// Bench prerequisites (not the test suite's): wrk for the latency comparisons.
if (sections.some((name) => name === 'latency' || name === 'stability') && spawnSync('wrk', ['-v']).error) {
  console.error('bench: the latency and stability sections need wrk (Debian: apt-get install -y wrk)');
  process.exit(2);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}`;
console.log(`bazaarhub-check benchmark on ${machine}\n`);
const output = [];
const run = { cold: coldStart, run: fullRunSection, hang: hangSection, scale: scaleSection, latency: latencySection, stability, package: packageSection };
for (const name of sections) {
  const started = performance.now();
  let section;
  try {
    section = await run[name]();
  } catch (error) {
    section = { title: name, body: `**failed:** ${error instanceof Error ? error.message : String(error)}` };
  }
  console.log(`## ${section.title} (${Math.round((performance.now() - started) / 1000)} s)\n\n${section.body}\n`);
  output.push(`## ${section.title}\n\n${section.body}\n`);
}
if (!only.length) {
  writeFileSync(
    join(root, 'bench/RESULTS.md'),
    `# Benchmark results\n\nGenerated by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.\nMachine: ${machine}.\n\n${output.join('\n')}`,
  );
  console.log('Written to bench/RESULTS.md');
}
process.exit(0);
