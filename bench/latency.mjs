// http.latency against a local server with a known delay distribution, and wrk against the same
// endpoint: both should report the same p50/p95 (within 10%).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Delays drawn uniformly from 20–120 ms: p50 ≈ 70 ms, p95 ≈ 115 ms, plus the local round trip. */
export const DELAY = { minMs: 20, maxMs: 120 };

function delayServer() {
  // A fixed sequence (not Math.random) so both tools see the same distribution.
  let i = 0;
  const server = createServer((req, res) => {
    const fraction = ((i++ * 0.6180339887) % 1 + 1) % 1;
    setTimeout(() => res.end('ok'), DELAY.minMs + fraction * (DELAY.maxMs - DELAY.minMs));
  });
  server.keepAliveTimeout = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export function wrk(url, { connections, seconds, headers = {} }) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]), '-s', join(import.meta.dirname, 'wrk-percentiles.lua'), url]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`wrk exited ${code}: ${out.slice(0, 300)}`));
      const parsed = JSON.parse(line);
      resolve({ p50: parsed.p50us / 1000, p95: parsed.p95us / 1000, requests: parsed.requests, errors: parsed.errors });
    });
  });
}

async function probe(root, url, { requests, concurrency }) {
  const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { loadRegistry } = await load('src/engine/registry.js');
  const { runEntries } = await load('src/engine/runner.js');
  const { buildTarget } = await load('src/target/target.js');
  const registry = await loadRegistry();
  const entry = { id: 'bench.latency', title: 'latency', kind: 'task', phase: 'bench', section: '', cadence: 'per-release', severity: 'high', probe: 'http.latency', params: { endpoints: [url], requests, concurrency, p95Ms: 60_000 } };
  const outcome = await runEntries({ entries: [entry], registry, target: buildTarget({ fileValues: new Map() }), options: { timeoutMs: 120_000, insecure: false, ca: [] }, concurrency: 1, signal: new AbortController().signal });
  const observed = outcome.results[0].observed;
  const match = /(\d+) requests: p50 (\d+) ms, p95 (\d+) ms/.exec(observed);
  if (!match) throw new Error(`unexpected http.latency result: ${observed}`);
  return { requests: Number(match[1]), p50: Number(match[2]), p95: Number(match[3]) };
}

export async function compareLatency(root, { requests = 400, concurrency = 5 } = {}) {
  const server = await delayServer();
  const url = `http://127.0.0.1:${server.address().port}/`;
  try {
    const fromProbe = await probe(root, url, { requests, concurrency });
    const fromWrk = await wrk(url, { connections: concurrency, seconds: 8 });
    return { url, fromProbe, fromWrk };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
