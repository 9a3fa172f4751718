#!/usr/bin/env node
// A bare Node.js HTTP(S) load client, for comparison with http.latency and wrk: a keep-alive Agent,
// `concurrency` requests in flight, connections opened before timing, each request timed from
// its start to the last byte (the body is not decoded), nothing else in the process.
//   node bench/node-client.mjs <url> <requests> <concurrency> [caFile] [headers-json]
// prints { p50, p95, requests, perSecond } as one JSON line (milliseconds).
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';

const [href, requestsArg, concurrencyArg, caFile, headersJson] = process.argv.slice(2);
const url = new URL(href);
const requests = Number(requestsArg);
const concurrency = Number(concurrencyArg);
const client = url.protocol === 'https:' ? https : http;
const agent = new client.Agent({ keepAlive: true, maxSockets: concurrency, ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}) });
const headers = headersJson ? JSON.parse(headersJson) : {};

function one() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    client
      .get(url, { agent, headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(performance.now() - started));
      })
      .on('error', reject);
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
await Promise.all(Array.from({ length: concurrency }, one));
const times = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next++ < requests) times.push(await one());
  }),
);
const elapsed = performance.now() - started;
times.sort((a, b) => a - b);
agent.destroy();
process.stdout.write(`${JSON.stringify({ p50: percentile(times, 50), p95: percentile(times, 95), requests: times.length, perSecond: (times.length * 1000) / elapsed })}\n`);
