#!/usr/bin/env node
// Where the CPU of one bazaarhub-check process goes: runs `node --cpu-prof -- bin/bazaarhub-check.js
// <args>` and sums the profile's self time by category (module loading, yaml, zod, TLS, HTTP,
// JSON, terminal rendering, redaction, GC, idle, our engine, ...).
//
//   node bench/profile.mjs [--keep DIR] [--top N] -- run --only env. --env x.env
//
// prints the category table, the top packages/modules and the top functions by self time. The
// benchmark's `profile` section calls profileRun() on a full run against its deployment.
import { mkdtempSync, readdirSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bin, root, table, timeProcess } from './lib.mjs';

/** First matching rule wins; `test` sees the frame's url and functionName. */
const CATEGORIES = [
  ['idle', (url, fn) => fn === '(idle)'],
  ['GC', (url, fn) => fn === '(garbage collector)'],
  ['(program): native code outside any JS frame', (url, fn) => fn === '(program)'],
  ['module loading (ESM/CJS loader, compile)', (url, fn) => /^node:internal\/(modules|vm)|^node:vm$/.test(url) || (url === '' && /^(internalModule\w+|ModuleWrap|compileFunction\w*|instantiate|evaluate|link)$/.test(fn))],
  ['file system (node:fs and its natives)', (url, fn) => /^node:(fs|fs\/promises)$|^node:internal\/fs\//.test(url) || (url === '' && /^(open|openFileHandle|read|readFileUtf8|fstat|lstat|stat|close|readdir|realpath|writeString|writeBuffer|access|existsSync)$/.test(fn))],
  ['yaml', (url) => url.includes('/node_modules/yaml/')],
  ['zod', (url) => url.includes('/node_modules/zod/')],
  ['listr2 / terminal rendering', (url) => /\/node_modules\/(listr2|log-update|cli-truncate|wrap-ansi|string-width|strip-ansi|ansi-\w+|slice-ansi|cli-cursor|restore-cursor|eventemitter3|rfdc|colorette|picocolors)\//.test(url) || /\/dist\/src\/(cli\/progress|report\/terminal|util\/colors)\.js$/.test(url) || /^node:(tty|readline)|^node:internal\/(tty|readline)/.test(url)],
  ['redaction (src/util/redact)', (url) => url.includes('/dist/src/util/redact')],
  ['TLS: building secure contexts (node:_tls_common, internal/tls/secure-context: the root store once, then a context per trust store and pin set)', (url) => url === 'node:_tls_common' || url === 'node:internal/tls/secure-context'],
  ['TLS: the rest (node:_tls_wrap, tls, crypto: handshakes, certificates)', (url) => /^node:(_tls_\w+|tls|crypto)$|^node:internal\/(tls|crypto)\//.test(url)],
  ['HTTP (node:_http_*, http, https, http2)', (url) => /^node:(_http_\w+|http|https|http2)$|^node:internal\/(http|http2)\b/.test(url)],
  ['JSON (parse, stringify)', (url, fn) => url === '' && /^(parse|stringify|JSON\.\w+)$/.test(fn)],
  ['network and streams (net, dns, streams, buffers, events, timers)', (url) => /^node:(net|dns|dgram|stream|buffer|events|timers|string_decoder|zlib)$|^node:internal\/(streams|stream_base_commons|net|dns|buffer|timers|event_target|events|webstreams|abort_controller|util|url|errors|process\/task_queues)/.test(url)],
  ['SDK clients (pg, ioredis, elasticsearch, aws-sdk, nodemailer, ...)', (url) => /\/node_modules\/(pg|pg-\w+|pgpass|postgres-\w+|ioredis|@ioredis|redis-\w+|@elastic|@aws-sdk|@smithy|@aws-crypto|nodemailer|razorpay|undici|fast-xml-parser|strnum|tslib|uuid)\//.test(url)],
  ['other npm packages', (url) => url.includes('/node_modules/')],
  ['our engine: probes (dist/checks)', (url) => url.includes('/dist/checks/')],
  ['our engine: facts (dist/src/facts)', (url) => url.includes('/dist/src/facts/')],
  ['our engine: the rest of dist/src', (url) => url.includes('/dist/')],
  ['other Node internals', (url) => url.startsWith('node:')],
  ['other (V8 builtins without a script)', () => true],
];

/** Which package or module a frame belongs to, for the "top modules" table. */
function ownerOf(url) {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/(.+)\.c?js$/.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:internal/$1');
  return url || '(native / builtin)';
}

/** Self time in ms per node id: each sample is charged the time until the next one. */
function selfTimes(profile) {
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const delta = (timeDeltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + delta);
  }
  return self;
}

/** The nearest frame on `id`'s stack that is our code or a package (not Node's own), as its owner. */
function callerOwner(id, parents, byId) {
  for (let current = parents.get(id); current !== undefined; current = parents.get(current)) {
    const { url } = byId.get(current).callFrame;
    if (url.includes('/node_modules/') || url.includes('/dist/')) return ownerOf(url);
  }
  return '(Node itself)';
}

/**
 * The binary runs the bundle dist/cli.cjs (scripts/bundle.mjs): put each of its frames back at the
 * module it came from (through dist/cli.cjs.map), written as the compiled file's URL
 * (`.../dist/src/facts/http.js`, `.../node_modules/zod/...`) so the categories below apply as they
 * do to separate modules.
 */
function unbundle(profile) {
  const bundle = join(root, 'dist/cli.cjs');
  let map;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  } catch {
    return profile;
  }
  const bundleUrl = pathToFileURL(bundle).href;
  const nodes = profile.nodes.map((node) => {
    const frame = node.callFrame;
    if (frame.url !== bundleUrl || frame.lineNumber < 0) return node;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!entry?.originalSource) return node;
    const original = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(join(root, 'dist'), entry.originalSource);
    // TypeScript sources (the compiled modules' own maps, chained by esbuild) stand for their dist/ file.
    const compiled = original.replace(/\.ts$/, '.js').replace(`${root}${sep}src${sep}`, `${root}${sep}dist${sep}src${sep}`).replace(`${root}${sep}checks${sep}`, `${root}${sep}dist${sep}checks${sep}`);
    return { ...node, callFrame: { ...frame, url: pathToFileURL(compiled).href, lineNumber: entry.originalLine, columnNumber: entry.originalColumn } };
  });
  return { ...profile, nodes };
}

export function summarise(bundled, { top = 12 } = {}) {
  const profile = unbundle(bundled);
  const self = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // Time in Node's own categories (TLS, HTTP, module loading, ...) charged to the package or module that asked for it.
  const byCaller = new Map();
  const byCategory = new Map(CATEGORIES.map(([name]) => [name, 0]));
  const byOwner = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const time = self.get(node.id) ?? 0;
    if (!time) continue;
    const { url, functionName, lineNumber } = node.callFrame;
    total += time;
    const [category] = CATEGORIES.find(([, test]) => test(url, functionName));
    byCategory.set(category, byCategory.get(category) + time);
    if (/^(TLS|HTTP|module loading|network|file system|JSON)/.test(category)) {
      const callers = byCaller.get(category) ?? new Map();
      const owner = callerOwner(node.id, parents, byId);
      callers.set(owner, (callers.get(owner) ?? 0) + time);
      byCaller.set(category, callers);
    }
    if (category !== 'idle') {
      byOwner.set(ownerOf(url), (byOwner.get(ownerOf(url)) ?? 0) + time);
      const name = `${functionName || '(anonymous)'} ${url.startsWith('node:') ? url : ownerOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + time);
    }
  }
  const busy = total - byCategory.get('idle');
  const sorted = (map) => [...map].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const callers = new Map([...byCaller].map(([category, map]) => [category, sorted(map).slice(0, 5)]));
  return { totalMs: total, busyMs: busy, categories: sorted(byCategory), owners: sorted(byOwner).slice(0, top), functions: sorted(byFunction).slice(0, top), callers };
}

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;

/** Markdown tables of a summary: categories (self ms, % of the profile, % of busy), top modules, top functions. */
export function renderSummary(summary) {
  const { totalMs, busyMs } = summary;
  const rows = summary.categories.map(([name, time]) => [name, `${time.toFixed(0)} ms`, pct(time, totalMs), name === 'idle' ? '' : pct(time, busyMs)]);
  rows.push(['**total** (busy: all but idle)', `${totalMs.toFixed(0)} ms`, '100%', `${busyMs.toFixed(0)} ms busy`]);
  return [
    table(['category (self time)', 'ms', '% of profile', '% of busy'], rows),
    '',
    `Top modules by self time (busy only): ${summary.owners.map(([owner, time]) => `${owner} ${time.toFixed(0)} ms`).join(', ')}.`,
    '',
    `Top functions by self time: ${summary.functions.map(([name, time]) => `\`${name}\` ${time.toFixed(0)} ms`).join(', ')}.`,
    '',
    'Who asked for the time spent in Node\'s own code (the nearest package or module of ours on the stack):',
    '',
    ...summary.categories
      .filter(([name, time]) => summary.callers.has(name) && time >= 0.02 * busyMs)
      .map(([name, time]) => `- ${name} (${time.toFixed(0)} ms): ${summary.callers.get(name).map(([owner, t]) => `${owner} ${t.toFixed(0)} ms`).join(', ')}`),
  ].join('\n');
}

/**
 * `node --cpu-prof -- bin <args>` (the Node flag before the script; `--` so Node claims none of the
 * tool's flags), returning the process's timing and the profile's summary. `keep`: copy the
 * .cpuprofile there (open it in Chrome DevTools or speedscope).
 */
export function profileRun(args, { env = {}, ok = [0, 1, 3], keep, top } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  try {
    // Once unprofiled first, so the profile shows a run with its code cache, like every run after the first.
    timeProcess(['--', bin, ...args], { env, ok });
    const timed = timeProcess(['--cpu-prof', '--cpu-prof-dir', dir, '--', bin, ...args], { env, ok });
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('node wrote no .cpuprofile');
    if (keep) cpSync(join(dir, file), join(keep, file));
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    return { ...timed, summary: summarise(profile, { top }), file: keep ? join(keep, file) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) {
    console.error('usage: node bench/profile.mjs [--keep DIR] [--top N] -- <bazaarhub-check arguments>');
    process.exit(2);
  }
  const own = argv.slice(0, dash);
  const keep = own.includes('--keep') ? own[own.indexOf('--keep') + 1] : undefined;
  const top = own.includes('--top') ? Number(own[own.indexOf('--top') + 1]) : 12;
  const result = profileRun(argv.slice(dash + 1), { keep, top, env: { ...process.env }, ok: [0, 1, 2, 3] });
  console.log(`bazaarhub-check ${argv.slice(dash + 1).join(' ')} (cwd ${root}): exit ${result.code}, wall ${result.wallMs.toFixed(0)} ms, CPU ${result.cpuMs.toFixed(0)} ms (user ${result.userMs.toFixed(0)} + sys ${result.sysMs.toFixed(0)}; profiling adds some)${result.file ? `, profile ${result.file}` : ''}\n`);
  console.log(renderSummary(result.summary));
}
