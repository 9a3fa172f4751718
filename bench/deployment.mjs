// Full run of every catalog probe against the local stand-in deployment, in-process, so the
// runner's own numbers (per-probe durations, contacts per target) are available to the benchmark.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Starts the demo deployment and the catalog's probe entries, hands `use` a `run()` that runs them all
 * once against it, and stops the deployment afterwards.
 */
async function withDemoRuns(root, { timeoutMs, concurrency }, use) {
  const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { startDemoDeployment } = await load('src/demo/deployment.js');
  const { loadCatalog } = await load('src/catalog/load.js');
  const { loadRegistry } = await load('src/engine/registry.js');
  const { runEntries } = await load('src/engine/runner.js');
  const { buildTarget } = await load('src/target/target.js');
  const registry = await loadRegistry();
  const { catalog } = await loadCatalog(join(root, 'bazaarhub-checks.yaml'), registry);
  const entries = catalog.entries.filter((entry) => entry.probe);
  const deployment = await startDemoDeployment();
  try {
    const target = buildTarget({ envFile: '.env.production', fileValues: new Map(Object.entries(deployment.env)) });
    const run = () => runEntries({ entries, registry, target, options: { timeoutMs, insecure: false, ca: [deployment.caPem] }, concurrency, signal: new AbortController().signal });
    return await use({ run, entries, deployment });
  } finally {
    await deployment.close();
  }
}

export function fullRun(root, { timeoutMs = 10_000, concurrency = 256 } = {}) {
  return withDemoRuns(root, { timeoutMs, concurrency }, async ({ run, entries, deployment }) => {
    const started = performance.now();
    const outcome = await run();
    const wallMs = performance.now() - started;
    return { outcome, wallMs, entries: entries.length, notes: deployment.notes, env: deployment.env };
  });
}

/** Groups `kind key` contact counts by kind: { tls: { '127.0.0.1:443': 1 }, ... }. */
export function contactsByKind(contacts) {
  const kinds = new Map();
  for (const [name, count] of contacts) {
    const space = name.indexOf(' ');
    const kind = name.slice(0, space);
    const key = name.slice(space + 1);
    if (!kinds.has(kind)) kinds.set(kind, new Map());
    kinds.get(kind).set(key, count);
  }
  return kinds;
}

/**
 * `runs` full runs back to back against one demo deployment (nothing changes between them), each
 * followed by a measurement of one http.latency endpoint by `measure(url)` (wrk) against the same
 * deployment, so both tools see the machine in the same state.
 */
export function repeatedRuns(root, { runs = 5, timeoutMs = 10_000, concurrency = 64, measure } = {}) {
  return withDemoRuns(root, { timeoutMs, concurrency }, async ({ run, deployment }) => {
    const outcomes = [];
    const measured = [];
    const endpoint = new URL('/api/products', deployment.env.APP_URL).href;
    for (let i = 0; i < runs; i++) {
      outcomes.push(await run());
      if (measure) measured.push(await measure(endpoint));
    }
    return { outcomes, endpoint, measured, env: deployment.env };
  });
}
