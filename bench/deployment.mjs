// The benchmark deployment. `startDeploymentProcess` runs it in a child process of its own (the
// timed sections run the real binary against it, so the stand-ins never share the tool's CPU);
// `fullRun` runs every catalog probe in-process against an in-process deployment, for the contact
// counts the runner keeps (not for timings).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Starts bench/deployment-server.mjs and resolves with what it printed ({ dir, envFile, caFile,
 * env, delayUrl, notes }) plus `stop()`. The child stops when its stdin closes, so it never outlives
 * the benchmark.
 */
export function startDeploymentProcess(root) {
  const child = spawn(process.execPath, [join(root, 'bench/deployment-server.mjs'), root], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the benchmark deployment exited ${code} before it was ready`)));
    lines.once('line', (line) => {
      const info = JSON.parse(line);
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.stdin.end();
        });
      resolve({ ...info, pid: child.pid, stop });
    });
  });
}

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
