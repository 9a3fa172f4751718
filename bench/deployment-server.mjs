#!/usr/bin/env node
// The benchmark deployment in a process of its own, so the benchmark measures the tool and not the
// stand-ins: `node bench/deployment-server.mjs <root>` starts the demo deployment (web, PostgreSQL,
// Redis, Elasticsearch, S3, ... stand-ins on 127.0.0.1) and, beside it, a plain HTTP route with a
// known delay distribution; writes the deployment's .env.production and CA to its scratch
// directory; prints one JSON line ({ dir, envFile, caFile, env, delayUrl, notes }) on stdout; and
// stops everything when stdin closes (the benchmark exits) or on SIGTERM.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.argv[2] ?? process.cwd();
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { startDemoDeployment } = await load('src/demo/deployment.js');
const { toEnvFile } = await load('src/demo/env.js');

/** Delays drawn from 20–120 ms along a fixed sequence (not Math.random), so every tool sees the same spread. */
export const DELAY = { minMs: 20, maxMs: 120 };
function delayServer() {
  let i = 0;
  const server = createServer((req, res) => {
    const fraction = (((i++ * 0.6180339887) % 1) + 1) % 1;
    setTimeout(() => res.end('ok'), DELAY.minMs + fraction * (DELAY.maxMs - DELAY.minMs));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const deployment = await startDemoDeployment();
const delay = await delayServer();
const envFile = join(deployment.dir, '.env.production');
const caFile = join(deployment.dir, 'demo-ca.pem');
writeFileSync(envFile, toEnvFile(deployment.env));
writeFileSync(caFile, deployment.caPem);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  delay.closeAllConnections();
  delay.close();
  await deployment.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ dir: deployment.dir, envFile, caFile, env: deployment.env, delayUrl: `http://127.0.0.1:${delay.address().port}/`, notes: deployment.notes })}\n`);
