import http from 'node:http';
import https from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { startRedis, type RedisServer } from '../../src/standins/redis-server.js';
import { defaultNodes, startElasticsearch, type RunningElasticsearch } from '../../src/standins/elasticsearch.js';
import { startPostgres } from '../../src/standins/postgres-server.js';
import { dkimPublicKey, startDnsServer } from '../../src/standins/dns.js';
import { startSmtpStandIn } from '../../src/standins/smtp.js';
import { ensurePostgresUser } from '../helpers/pg-server.js';
import { runCli } from '../helpers/cli.js';

/** What a server saw, counted on the server side: accepted TCP connections, TLS handshakes begun, HTTP requests. */
interface Seen {
  connections: number;
  handshakes: number;
  requests: number;
  /** Requests by method and path, for the --max-requests test. */
  log: string[];
}

function counting(server: http.Server | https.Server, tlsServer: boolean): Seen {
  const seen: Seen = { connections: 0, handshakes: 0, requests: 0, log: [] };
  server.on('connection', () => seen.connections++);
  if (tlsServer) {
    // A handshake the client began ends either way: established, or refused (a pinned old protocol, SSLv3).
    server.on('secureConnection', () => seen.handshakes++);
    server.on('tlsClientError', () => seen.handshakes++);
  }
  server.on('request', (req: http.IncomingMessage) => {
    seen.requests++;
    seen.log.push(`${req.method} ${req.url}`);
  });
  return seen;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A healthy API: JSON on every route, HSTS and the usual headers; 429 after 5 logins (a rate limiter). */
function api(): http.RequestListener {
  let logins = 0;
  return (req, res) => {
    const headers = { 'content-type': 'application/json', 'strict-transport-security': 'max-age=63072000; includeSubDomains', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' };
    if (req.method === 'POST' && req.url === '/api/auth/login') {
      logins++;
      res.writeHead(logins > 5 ? 429 : 401, headers).end('{"error":"invalid credentials"}');
      return;
    }
    res.writeHead(200, headers).end(JSON.stringify({ products: [{ id: 1, name: 'Tea' }], status: 'ok' }));
  };
}

/**
 * A wire-level counter in front of 127.0.0.1:`port`: accepts the client's connections, forwards the
 * bytes both ways, and counts the requests `reader` finds in what the client sent. A reader (one per
 * connection) takes the bytes not yet consumed and says how many it used (0: incomplete) and whether
 * they were a request.
 */
type MessageReader = (pending: Buffer) => { used: number; request: boolean };

async function countingProxy(host: string, port: number, newReader: () => MessageReader): Promise<{ port: number; seen: Seen; close(): void }> {
  const seen: Seen = { connections: 0, handshakes: 0, requests: 0, log: [] };
  const proxy = createServer((client) => {
    seen.connections++;
    const upstream = connect({ host, port });
    const read = newReader();
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let message = read(pending); message.used > 0; message = read(pending)) {
        if (message.request) seen.requests++;
        pending = pending.subarray(message.used);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  const listening = await new Promise<number>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as AddressInfo).port)));
  return { port: listening, seen, close: () => proxy.close() };
}

/**
 * In front of Redis: every RESP command (a top-level array of bulk strings) the client sent counts,
 * whether or not Redis accepts it (CLIENT SETINFO on Redis 7.0, a command before AUTH).
 */
function redisCounter(server: RedisServer) {
  return countingProxy(server.host, server.port, () => (pending) => {
    const used = respCommand(pending);
    return { used, request: used > 0 };
  });
}

/** The length of the first complete RESP command (`*N` then N bulk strings) in `bytes`, 0 when incomplete. */
function respCommand(bytes: Buffer): number {
  const line = (at: number) => {
    const end = bytes.indexOf('\r\n', at);
    return end < 0 ? undefined : { text: bytes.subarray(at, end).toString(), next: end + 2 };
  };
  const head = line(0);
  if (!head) return 0;
  if (!head.text.startsWith('*')) throw new Error(`not a RESP command: ${head.text}`);
  let at = head.next;
  for (let i = 0; i < Number(head.text.slice(1)); i++) {
    const size = line(at);
    if (!size) return 0;
    at = size.next + Number(size.text.slice(1)) + 2;
    if (at > bytes.length) return 0;
  }
  return at;
}

/**
 * In front of PostgreSQL (no SSL): the queries the client sent count: simple Query ('Q') messages
 * plus Execute ('E') messages of the extended protocol.
 */
function pgCounter(port: number) {
  return countingProxy('127.0.0.1', port, () => {
    let started = false;
    return (pending) => {
      if (!started) {
        // The startup message (or an SSLRequest, 80877103) has no type byte.
        if (pending.length < 8) return { used: 0, request: false };
        const length = pending.readInt32BE(0);
        if (pending.length < length) return { used: 0, request: false };
        if (pending.readInt32BE(4) !== 80877103) started = true;
        return { used: length, request: false };
      }
      if (pending.length < 5) return { used: 0, request: false };
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return { used: 0, request: false };
      const type = String.fromCharCode(pending[0] as number);
      return { used: 1 + length, request: type === 'Q' || type === 'E' };
    };
  });
}

const REDIS_PASSWORD = 'Cost-Count-Redis-Passw0rd-7';
const dir = mkdtempSync(join(tmpdir(), 'bazaarhub-cost-'));
const servers: http.Server[] = [];
let redis: RedisServer;
let es: RunningElasticsearch;
let redisWire: Awaited<ReturnType<typeof redisCounter>>;
let caFile: string;
let apiPort: number;
let frontPort: number;
let apiSeen: Seen;
let frontSeen: Seen;

beforeAll(async () => {
  const ca = await createCertificateAuthority();
  const certificate = await issueCertificate(ca, { hosts: ['127.0.0.1'] });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  const apiServer = https.createServer({ key: certificate.key, cert: certificate.cert }, api());
  apiSeen = counting(apiServer, true);
  // The front end drops its first plain GET of / after reading it (a transient reset): the shared
  // GET is tried again, and both attempts are traffic the deployment saw.
  let dropped = false;
  const front = http.createServer((req, res) => {
    if (!dropped && req.url === '/' && !req.headers.origin) {
      dropped = true;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Shop</title><h1>Shop</h1>');
  });
  frontSeen = counting(front, false);
  servers.push(apiServer, front);
  [apiPort, frontPort] = await Promise.all([listen(apiServer), listen(front)]);
  redis = await startRedis(['--requirepass', REDIS_PASSWORD, '--appendonly', 'yes']);
  redisWire = await redisCounter(redis);
  es = await startElasticsearch({ nodes: defaultNodes(3), indices: [{ name: 'products', primaries: 2, replicas: 1, docs: 120 }] });
}, 60_000);

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  redisWire?.close();
  await es?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const reset = () => {
  for (const seen of [apiSeen, frontSeen, redisWire.seen]) Object.assign(seen, { connections: 0, handshakes: 0, requests: 0, log: [] });
};

const vars = () => ['--set', `APP_URL=https://127.0.0.1:${apiPort}`, '--set', `STOREFRONT_URL=http://127.0.0.1:${frontPort}`, '--set', 'VENDOR_PANEL_URL=', '--set', 'ADMIN_PANEL_URL=', '--set', `REDIS_URL=redis://:${REDIS_PASSWORD}@127.0.0.1:${redisWire.port}`, '--set', `ELASTICSEARCH_NODE=${es.url}`, '--set', `ELASTICSEARCH_USERNAME=${es.username}`, '--set', `ELASTICSEARCH_PASSWORD=${es.password}`, '--set', 'CORS_ORIGIN=https://shop.example.in', '--ca', caFile];

interface CostRow {
  target: string;
  connections: number;
  handshakes: number;
  requests: number;
  protocols: string[];
}

describe('the cost to the deployment, per target', () => {
  it('equals what the servers saw: connections, handshakes and requests per target, retries and every probe included', async () => {
    reset();
    es.requests.length = 0;
    const run = await runCli(['run', '--quiet', '--no-manual', '--format', 'json', ...vars(), '--only', 'http.', '--only', 'tls.', '--only', 'waf.', '--only', 'redis.', '--only', 'es.', '--only', 'env.cors-origins'], { timeoutMs: 120_000 });
    const report = JSON.parse(run.stdout) as { cost: { targets: CostRow[]; totals: Record<string, number> }; results: Array<{ probe: string; status: string; flaky?: boolean }> };
    const row = (port: number) => report.cost.targets.find((candidate) => candidate.target === `127.0.0.1:${port}`);

    // The run really sent each kind of traffic: a retry, TLS enumeration, latency samples, a burst, attack shapes.
    expect(report.results.some((r) => r.flaky)).toBe(true);
    expect(report.results.find((r) => r.probe === 'http.rate-limit')?.status).toBe('pass');
    expect(apiSeen.log.filter((line) => line === 'POST /api/auth/login')).toHaveLength(6);
    expect(apiSeen.requests).toBeGreaterThan(60);
    expect(apiSeen.handshakes).toBeGreaterThan(10);

    expect(row(apiPort)).toMatchObject({ connections: apiSeen.connections, handshakes: apiSeen.handshakes, requests: apiSeen.requests });
    expect(row(frontPort)).toMatchObject({ connections: frontSeen.connections, handshakes: 0, requests: frontSeen.requests });
    // ioredis: connections through net.connect (a channel), commands counted by the facts layer; both as sent.
    expect(redisWire.seen.requests).toBeGreaterThan(5);
    expect(row(redisWire.port)).toMatchObject({ connections: redisWire.seen.connections, requests: redisWire.seen.requests, handshakes: 0 });
    expect(row(redisWire.port)?.protocols).toContain('redis');
    // Elasticsearch's REST requests (node:https through one keep-alive agent): fewer connections than requests allowed.
    const esPort = Number(new URL(es.url).port);
    expect(es.requests.length).toBeGreaterThan(3);
    expect(row(esPort)?.requests).toBe(es.requests.length);
    expect(row(esPort)?.connections).toBeGreaterThan(0);
    expect(row(esPort)?.connections).toBeLessThanOrEqual(es.requests.length);
    // Nothing else was contacted but the API host's port 80 (http.https-redirect asks it; nothing listens
    // there, and the refused attempt is a connection all the same), and the totals are the sum of the rows.
    expect(report.cost.targets.map((t) => t.target).sort()).toEqual([`127.0.0.1:${apiPort}`, `127.0.0.1:${frontPort}`, `127.0.0.1:${redisWire.port}`, `127.0.0.1:${esPort}`, '127.0.0.1:80'].sort());
    expect(row(80)?.connections).toBeGreaterThan(0);
    for (const kind of ['connections', 'handshakes', 'requests'] as const) expect(report.cost.totals[kind]).toBe(report.cost.targets.reduce((sum, t) => sum + t[kind], 0));
  }, 120_000);
});

interface BudgetReport {
  verdict: string;
  cost: { budget: { maxRequests: number; granted: number; skipped: string[] }; totals: Record<string, number> };
  results: Array<{ id: string; probe: string; status: string; observed: string; blocking: boolean }>;
}

describe('the cost to PostgreSQL', () => {
  it('counts the connections and queries pg sent (facts-layer counting: pg is on no diagnostics channel)', async () => {
    ensurePostgresUser();
    const password = 'Cost-Count-Pg-Passw0rd-3';
    const server = await startPostgres({ superPassword: password, hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
    const wire = await pgCounter(server.port);
    try {
      const run = await runCli(['run', '--quiet', '--no-manual', '--format', 'json', '--set', `DATABASE_URL=postgres://postgres:${password}@127.0.0.1:${wire.port}/postgres?sslmode=disable`, '--only', 'postgres.'], { timeoutMs: 120_000 });
      const report = JSON.parse(run.stdout) as { cost: { targets: CostRow[] } };
      expect(wire.seen.requests).toBeGreaterThan(5);
      expect(report.cost.targets).toEqual([expect.objectContaining({ target: `127.0.0.1:${wire.port}`, connections: wire.seen.connections, requests: wire.seen.requests, handshakes: 0, names: ['DATABASE_URL'] })]);
    } finally {
      wire.close();
      await server.stop();
    }
  }, 120_000);
});

describe('the cost to mail and DNS', () => {
  it('counts each DNS query the resolver received and the SMTP session with its STARTTLS handshake', async () => {
    const dns = await startDnsServer({
      'bazaarhub.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
      'bh1._domainkey.bazaarhub.example': { TXT: [`v=DKIM1; k=rsa; p=${dkimPublicKey()}`] },
      '_dmarc.bazaarhub.example': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@bazaarhub.example'] },
    });
    const certificate = await issueCertificate(await createCertificateAuthority(), { hosts: ['127.0.0.1'] });
    const smtp = await startSmtpStandIn({ certificate });
    try {
      const mail = ['--set', `DNS_RESOLVER=${dns.server}`, '--set', 'DKIM_SELECTOR=bh1', '--set', 'SMTP_FROM_EMAIL=noreply@bazaarhub.example', '--set', `SMTP_HOST=${smtp.host}`, '--set', `SMTP_PORT=${smtp.port}`, '--set', `SMTP_USER=${smtp.user}`, '--set', `SMTP_PASSWORD=${smtp.password}`, '--insecure'];
      const run = await runCli(['run', '--quiet', '--no-manual', '--format', 'json', ...mail, '--only', 'mail.', '--only', 'smtp.'], { timeoutMs: 120_000 });
      const report = JSON.parse(run.stdout) as { cost: { targets: CostRow[] } };
      const row = (target: string) => report.cost.targets.find((candidate) => candidate.target === target);
      expect(dns.questions.length).toBeGreaterThan(2);
      // A UDP socket is a connection: the distinct source ports the server saw.
      expect(row(dns.server)).toMatchObject({ requests: dns.questions.length, connections: new Set(dns.senders).size, handshakes: 0, names: ['DNS_RESOLVER'] });
      // One session (nodemailer's socket is on net.client.socket), upgraded with STARTTLS (counted by the facts layer).
      expect(row(`${smtp.host}:${smtp.port}`)).toMatchObject({ requests: 1, connections: 1, handshakes: 1, protocols: ['smtp', 'tcp'] });
    } finally {
      await smtp.close();
      await dns.close();
    }
  }, 120_000);
});

describe('--max-requests', () => {
  const deliberate = ['--only', 'http.cors', '--only', 'env.cors-origins', '--only', 'waf.', '--only', 'http.latency', '--only', 'http.rate-limit'];
  const budgeted = async (max: number): Promise<BudgetReport> => {
    const run = await runCli(['run', '--quiet', '--no-manual', '--format', 'json', ...vars(), ...deliberate, '--max-requests', String(max)], { timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as BudgetReport;
  };

  it('skips, in catalog order, the entries whose deliberate requests do not fit; the servers receive at most N', async () => {
    reset();
    const report = await budgeted(35);
    const received = apiSeen.requests + frontSeen.requests;
    // Every request these probes send is deliberate: what the servers got is what the budget granted.
    expect(received).toBeLessThanOrEqual(35);
    expect(received).toBe(report.cost.budget.granted);
    expect(report.cost.totals.requests).toBe(received);
    const skipped = report.results.filter((r) => r.status === 'skipped');
    expect(skipped.map((r) => r.id)).toEqual(report.cost.budget.skipped);
    expect(new Set(skipped.map((r) => r.probe))).toEqual(new Set(['http.latency', 'http.rate-limit']));
    for (const r of skipped) expect(r.observed).toMatch(/^--max-requests 35: http\.(latency|rate-limit) needs \d+ requests, \d+ left$/);
    // What fitted ran and sent what it declared: the CORS exchanges and the attack shapes.
    expect(report.results.filter((r) => r.probe === 'http.cors' || r.probe === 'waf.blocks-attacks').every((r) => r.status !== 'skipped')).toBe(true);
    expect(apiSeen.log.some((line) => line.startsWith('OPTIONS '))).toBe(true);
    expect(apiSeen.log.filter((line) => line === 'POST /api/auth/login')).toHaveLength(0);
    // A skipped blocking entry is not looked at: never READY.
    expect(skipped.some((r) => r.blocking)).toBe(true);
    expect(report.verdict).not.toBe('ready');

    // The same N skips the same entries.
    reset();
    const again = await budgeted(35);
    expect(again.cost.budget).toEqual(report.cost.budget);
    expect(apiSeen.requests + frontSeen.requests).toBe(received);
  }, 120_000);

  it('charges traffic that entries share once: four latency entries, one measurement', async () => {
    reset();
    const report = await budgeted(1000);
    expect(report.cost.budget.skipped).toEqual([]);
    expect(report.results.filter((r) => r.probe === 'http.latency')).toHaveLength(4);
    // http.cors 12 per service (6 origins, a GET and a preflight each; env.cors-origins shares the API's
    // foreign one) + waf 3 per service + one latency measurement (50 and 3 warm-ups for each of 3 endpoints) + the burst's 30.
    expect(report.cost.budget.granted).toBe(2 * 12 + 2 * 3 + (50 + 3 * 3) + 30);
    expect(apiSeen.requests + frontSeen.requests).toBeLessThanOrEqual(report.cost.budget.granted);
  }, 120_000);

  it('0 sends no deliberate request at all', async () => {
    reset();
    const report = await budgeted(0);
    expect(apiSeen.requests + frontSeen.requests).toBe(0);
    expect(report.results.every((r) => r.status === 'skipped')).toBe(true);
    expect(report.verdict).toBe('incomplete');
  }, 120_000);

  it.each([['-1'], ['abc'], ['2.5']])('--max-requests %s is an input error: one line naming the flag, exit 2', async (value) => {
    for (const command of ['run', 'demo']) {
      const run = await runCli([command, '--max-requests', value]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^bazaarhub-check: .*--max-requests.*whole number/);
    }
  });
});

describe('probes --json', () => {
  it('states the deliberate requests of each probe that sends any, with its default params', async () => {
    const run = await runCli(['probes', '--json']);
    const probes = JSON.parse(run.stdout) as Array<{ id: string; deliberate?: { requests: number; per: string } }>;
    const deliberate = Object.fromEntries(probes.filter((p) => p.deliberate).map((p) => [p.id, p.deliberate?.requests]));
    expect(deliberate).toEqual({ 'env.cors-origins': 2, 'http.cors': 12, 'http.latency': 50, 'http.rate-limit': 30, 'razorpay.webhook-signature': 5, 'waf.blocks-attacks': 3 });
    expect(probes.find((p) => p.id === 'http.hsts')?.deliberate).toBeUndefined();
  });
});
