/**
 * `--ca FILE` and NODE_EXTRA_CA_CERTS are trusted by the tool's TLS clients, through the real
 * binary: Redis over TLS (rediss://) and an HTTPS service, each with a certificate from a CA this
 * test generates. Without either, the same runs must not pass (the certificate is untrusted).
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import { startRedis, type RedisServer } from '../../src/standins/redis-server.js';
import { runCli } from '../helpers/cli.js';

const REDIS_PASSWORD = 'Trust-Test-Redis-Passw0rd';
let dir: string;
let caFile: string;
let otherCaFile: string;
let redis: RedisServer;
let web: https.Server;
let webPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bazaarhub-trust-'));
  const authority = await createCertificateAuthority('Private Trust Test CA');
  const certificate = await issueCertificate(authority, { hosts: ['127.0.0.1', 'localhost'] });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, authority.cert);
  otherCaFile = join(dir, 'other-ca.pem');
  writeFileSync(otherCaFile, (await createCertificateAuthority('Unrelated Test CA')).cert);
  redis = await startRedis(['--requirepass', REDIS_PASSWORD], { tls: certificate });
  web = https.createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    const body = JSON.stringify({ status: 'ok', services: { database: 'healthy' }, padding: 'x'.repeat(2048) });
    res.writeHead(200, { 'content-type': 'application/json', 'strict-transport-security': 'max-age=63072000; includeSubDomains; preload' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webPort = (web.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await redis?.stop();
  await new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function statusOf(probe: string, env: Record<string, string>, options: { args?: string[]; processEnv?: Record<string, string> } = {}): Promise<{ status: string; observed: string }> {
  const { stdout, stderr } = await runCli(['run', ...Object.entries(env).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--only', probe, '--format', 'json', '--quiet', ...(options.args ?? [])], {
    env: { ...options.processEnv },
  });
  let results: Array<{ probe: string; status: string; observed: string }>;
  try {
    results = JSON.parse(stdout).results;
  } catch {
    throw new Error(`no JSON report: ${stderr}`);
  }
  expect(stdout).not.toContain(REDIS_PASSWORD);
  const result = results.find((r) => r.probe === probe);
  if (!result) throw new Error(`${probe} did not run`);
  return result;
}

describe('rediss:// trusts --ca and NODE_EXTRA_CA_CERTS', () => {
  const env = () => ({ REDIS_URL: `rediss://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}` });

  it('does not pass with a private CA it was not given', async () => {
    const result = await statusOf('redis.connectivity', env());
    expect(result.status).not.toBe('pass');
    expect(result.observed).toMatch(/certificate/i);
  });

  it('passes with --ca', async () => {
    const result = await statusOf('redis.connectivity', env(), { args: ['--ca', caFile] });
    expect(result.status, result.observed).toBe('pass');
  });

  it('passes with NODE_EXTRA_CA_CERTS', async () => {
    const result = await statusOf('redis.connectivity', env(), { processEnv: { NODE_EXTRA_CA_CERTS: caFile } });
    expect(result.status, result.observed).toBe('pass');
  });
});

describe('HTTPS probes trust --ca and NODE_EXTRA_CA_CERTS', () => {
  const env = () => ({ APP_URL: `https://127.0.0.1:${webPort}` });

  it('does not pass with a private CA it was not given', async () => {
    const result = await statusOf('http.hsts', env());
    expect(result.status).not.toBe('pass');
    expect(result.observed).toMatch(/certificate/i);
  });

  it('passes with --ca', async () => {
    const result = await statusOf('http.hsts', env(), { args: ['--ca', caFile] });
    expect(result.status, result.observed).toBe('pass');
  });

  it('passes with NODE_EXTRA_CA_CERTS', async () => {
    const result = await statusOf('http.hsts', env(), { processEnv: { NODE_EXTRA_CA_CERTS: caFile } });
    expect(result.status, result.observed).toBe('pass');
  });

  it('trusts NODE_EXTRA_CA_CERTS and --ca together, whichever of them issued the certificate', async () => {
    // An added --ca gives the secure context its own copy of the default store: NODE_EXTRA_CA_CERTS must stay in it.
    const extraIssued = await statusOf('http.hsts', env(), { args: ['--ca', otherCaFile], processEnv: { NODE_EXTRA_CA_CERTS: caFile } });
    expect(extraIssued.status, extraIssued.observed).toBe('pass');
    const caIssued = await statusOf('http.hsts', env(), { args: ['--ca', caFile], processEnv: { NODE_EXTRA_CA_CERTS: otherCaFile } });
    expect(caIssued.status, caIssued.observed).toBe('pass');
    const neither = await statusOf('http.hsts', env(), { args: ['--ca', otherCaFile] });
    expect(neither.status).not.toBe('pass');
    expect(neither.observed).toMatch(/certificate/i);
  });
});
