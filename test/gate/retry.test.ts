import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** An HTTP stand-in that drops the first `drop` connections (RST-like close before any answer), then answers 200. */
async function flakyServer(drop: number): Promise<{ url: string; connections: () => number; requests: () => string[]; close: () => Promise<void> }> {
  let connections = 0;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>BazaarHub</title><main>storefront</main>');
  });
  server.on('connection', (socket) => {
    if (connections++ < drop) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, requests: () => requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
const REACHABLE = 'deployment.deployment-steps.verify-all-services-are-running';
const only = (url: string, ...extra: string[]) => ['run', '--set', `APP_URL=${url}`, '--only', REACHABLE, ...extra, '--no-manual', '--format', 'json'];

describe('transient failures are retried within the budget, and say so', () => {
  it('a service that drops the first connection passes, marked flaky in JSON and in the terminal', async () => {
    const server = await flakyServer(1);
    servers.push(server);
    const run = await runCli(only(server.url));
    const result = JSON.parse(run.stdout).results[0];
    expect(result).toMatchObject({ id: REACHABLE, status: 'pass', flaky: true, attempts: 2 });
    expect(JSON.parse(run.stdout).counts.flaky).toBe(1);
    // Each route was asked once: the dropped connection was tried again, nothing else was repeated.
    const requests = server.requests();
    expect(requests.length).toBeGreaterThan(0);
    expect(new Set(requests).size).toBe(requests.length);
    expect(server.connections()).toBe(requests.length + 1);
    const again = await flakyServer(1);
    servers.push(again);
    const terminal = await runCli(['run', '--set', `APP_URL=${again.url}`, '--only', REACHABLE, '--no-manual', '--quiet']);
    expect(terminal.stdout).toContain('(flaky: needed 2 attempts)');
  });

  it('a service that never recovers fails after the attempts, saying how many; --attempts 1 turns retries off', async () => {
    const server = await flakyServer(Number.POSITIVE_INFINITY);
    servers.push(server);
    const run = await runCli(only(server.url));
    const result = JSON.parse(run.stdout).results[0];
    expect(result).toMatchObject({ status: 'fail', attempts: 2 });
    expect(result.flaky).toBeUndefined();
    const twice = server.connections();
    const once = await runCli(only(server.url, '--attempts', '1'));
    expect(JSON.parse(once.stdout).results[0].attempts).toBeUndefined();
    // Every contact was made twice with --attempts 2 (the default) and once with --attempts 1.
    const single = server.connections() - twice;
    expect(single).toBeGreaterThan(0);
    expect(twice).toBe(2 * single);
  });

  it("never repeats a probe's deliberate traffic: a rate-limit burst is sent once even when every connection drops", async () => {
    const server = await flakyServer(Number.POSITIVE_INFINITY);
    servers.push(server);
    const run = await runCli(['run', '--set', `APP_URL=${server.url}`, '--only', 'post-deployment.security-monitoring.check-rate-limiting-is-working', '--no-manual', '--format', 'json']);
    const result = JSON.parse(run.stdout).results[0];
    expect(result.attempts).toBeUndefined();
    // The burst's requests each got one connection (30 by default), and nothing was sent twice.
    expect(server.connections()).toBeLessThanOrEqual(30);
  });
});
