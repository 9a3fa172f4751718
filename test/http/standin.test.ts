import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import type { Finding } from '../../src/engine/types.js';
import type { RunningStandIn } from '../../src/demo/standin.js';
import { createCertificateAuthority, issueCertificate } from '../../src/standins/certs.js';
import webStandIn from '../../src/standins/web.js';
import { makeContext } from '../helpers/context.js';

const [http, tls, waf] = await Promise.all([probesOf('http'), probesOf('tls'), probesOf('waf')]);

let running: RunningStandIn;
let dir: string;
let caPem: string;
const findings: Record<string, Finding> = {};
let contacts: Map<string, number>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bazaarhub-web-'));
  const ca = await createCertificateAuthority('bazaarhub-check Demo CA');
  caPem = ca.cert;
  running = await webStandIn.start({
    dir,
    caPem,
    issueCertificate: (options) => issueCertificate(ca, { notAfterDays: options?.daysValid ?? 200, ...(options?.hosts ? { hosts: options.hosts } : {}) }),
  });
  // One run: every web-edge probe in one context, as the runner does, so facts are shared.
  const ctx = makeContext(running.env, { ca: [caPem] });
  await Promise.all(
    [...tls, ...http, ...waf].map(async (probe) => {
      findings[probe.id] = await probe.run(ctx, probe.params.parse({}) as never);
    }),
  );
  await ctx.close();
  contacts = ctx.facts.contacts;
}, 60_000);

afterAll(async () => {
  await running?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the web stand-in shows a realistic mix', () => {
  it('exports the service URLs, plain-http URLs and the CORS whitelist', () => {
    expect(Object.keys(running.env).sort()).toEqual(
      ['ADMIN_PANEL_HTTP_URL', 'ADMIN_PANEL_URL', 'APP_HTTP_URL', 'APP_URL', 'CORS_ORIGIN', 'STOREFRONT_HTTP_URL', 'STOREFRONT_URL', 'VENDOR_PANEL_HTTP_URL', 'VENDOR_PANEL_URL'].sort(),
    );
    expect(running.env.CORS_ORIGIN?.split(',')).toHaveLength(3);
    for (const value of Object.values(running.env)) expect(value).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
  });

  it.each([
    ['tls.certificate', 'warn', /admin-panel: expires in 19 days/],
    ['tls.protocols', 'fail', /vendor-panel: accepts TLS 1.0/],
    ['http.https-redirect', 'fail', /vendor-panel: .*answered 200 over plain http/],
    ['http.hsts', 'fail', /vendor-panel \/: no Strict-Transport-Security/],
    ['http.cors', 'fail', /^CORS_ORIGIN declares https:\/\/127.*; live: vendor-panel: \/: reflects untrusted origin/],
    ['http.security-headers', 'fail', /vendor-panel \/: .*X-Powered-By: Next.js/],
    ['http.server-banner', 'fail', /api \/api\/products: version disclosed \(server: nginx\/1.24.0\)/],
    ['http.cookies', 'fail', /vendor_session lacks Secure/],
    ['http.compression', 'fail', /vendor-panel \/: .*sent uncompressed/],
    ['http.cache-headers', 'warn', /admin-panel \/: \/ cacheable/],
    ['http.health', 'warn', /elasticsearch "degraded"/],
    ['http.reachable', 'pass', /api \/api\/products: answered 200/],
    ['http.latency', 'pass', /^50 requests/],
    ['http.rate-limit', 'pass', /429 after 11/],
    ['waf.blocks-attacks', 'pass', /blocked script tag \(403\)/],
  ])('%s is %s', (id, status, observed) => {
    expect(findings[id]).toMatchObject({ status });
    expect(findings[id]?.observed).toMatch(observed);
  });

  it('passes the storefront on every per-service probe', () => {
    for (const finding of Object.values(findings)) {
      const storefront = finding.details?.find((detail) => detail.subject === 'storefront' || detail.subject === 'storefront /');
      if (storefront) expect(storefront.status, storefront.observed).toBe('pass');
    }
  });

  it('contacted each host:port with one normal handshake and each URL with one shared GET', () => {
    for (const name of ['APP_URL', 'STOREFRONT_URL', 'VENDOR_PANEL_URL', 'ADMIN_PANEL_URL']) {
      const url = new URL(running.env[name] as string);
      expect(contacts.get(`tls 127.0.0.1:${url.port}`)).toBe(1);
      // The API is judged on its routes (its root says nothing), the front ends on their pages.
      const judged = name === 'APP_URL' ? new URL('/api/products', url).href : url.href;
      expect(contacts.get(`http GET ${judged}`)).toBe(1);
    }
    expect(contacts.has(`http GET ${running.env.APP_URL}`)).toBe(false);
    // Every shared GET (pages, assets, health, plain-http) happened once; deliberate requests are counted apart.
    for (const [key, count] of contacts) if (key.startsWith('http GET')) expect(count, key).toBe(1);
    expect(contacts.get(`http-probe GET ${new URL('/api/products', running.env.APP_URL).href}`)).toBeGreaterThan(10);
  });
});
