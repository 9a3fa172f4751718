// wrk against one URL, with its p50/p95 (bench/wrk-percentiles.lua prints them as one JSON line).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
