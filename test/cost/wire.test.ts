import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { startWireMeter } from '../../src/facts/wire.js';

// The demo's stand-ins share the process with the probes: only the client side may be counted.
let plain: http.Server;
let secure: https.Server;
let ca: string;
const seen = { connections: 0, requests: 0 };

beforeAll(async () => {
  const authority = await createCertificateAuthority();
  const certificate = await issueCertificate(authority, { hosts: ['127.0.0.1'] });
  ca = authority.cert;
  plain = http.createServer((_req, res) => res.end('ok'));
  secure = https.createServer({ key: certificate.key, cert: certificate.cert }, (_req, res) => res.end('ok'));
  for (const server of [plain, secure]) {
    server.on('connection', () => seen.connections++);
    server.on('request', () => seen.requests++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
});

afterAll(() => {
  for (const server of [plain, secure]) {
    server.closeAllConnections();
    server.close();
  }
});

const get = (url: string, agent: http.Agent) =>
  new Promise<void>((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).get(url, { agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    request.on('error', reject);
  });

describe('the wire meter', () => {
  it('counts the client side only, in the process that also runs the servers: a keep-alive socket is one connection and one handshake', async () => {
    const meter = startWireMeter();
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    try {
      const port = (server: http.Server) => (server.address() as AddressInfo).port;
      for (let i = 0; i < 3; i++) await get(`http://127.0.0.1:${port(plain)}/`, httpAgent);
      for (let i = 0; i < 2; i++) await get(`https://127.0.0.1:${port(secure)}/`, httpsAgent);
      const { targets, totals } = meter.stop();
      expect(targets).toEqual([
        { target: `127.0.0.1:${port(plain)}`, protocols: ['http'], connections: 1, handshakes: 0, requests: 3 },
        { target: `127.0.0.1:${port(secure)}`, protocols: ['https'], connections: 1, handshakes: 1, requests: 2 },
      ].sort((a, b) => a.target.localeCompare(b.target)));
      expect(totals).toEqual({ connections: seen.connections, handshakes: 1, requests: seen.requests });
    } finally {
      httpAgent.destroy();
      httpsAgent.destroy();
    }
  });

  it("counts Node's fetch through undici's own diagnostics channels", async () => {
    const before = { ...seen };
    const meter = startWireMeter();
    const port = (plain.address() as AddressInfo).port;
    for (let i = 0; i < 2; i++) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const { targets } = meter.stop();
    // What the server saw, whether or not fetch kept its connection alive.
    expect(seen.requests - before.requests).toBe(2);
    expect(targets).toEqual([{ target: `127.0.0.1:${port}`, protocols: ['http'], connections: seen.connections - before.connections, handshakes: 0, requests: 2 }]);
  });

  it('stops counting when stopped', async () => {
    const meter = startWireMeter();
    meter.stop();
    const agent = new http.Agent();
    await get(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/`, agent);
    expect(meter.summary().totals).toEqual({ connections: 0, handshakes: 0, requests: 0 });
  });
});
