import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cacheHeaders, { judgeAssetCaching, judgeDocumentCaching } from '../../checks/http/cache-headers.js';
import compression, { judgeCompression } from '../../checks/http/compression.js';
import cookies, { judgeCookies } from '../../checks/http/cookies.js';
import hsts, { judgeHsts } from '../../checks/http/hsts.js';
import reachable from '../../checks/http/reachable.js';
import securityHeaders, { judgeSecurityHeaders } from '../../checks/http/security-headers.js';
import serverBanner, { judgeServerBanner } from '../../checks/http/server-banner.js';
import { discoverAssets } from '../../checks/http/assets.js';
import { probesOf } from '../helpers/probes.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { goodProfile, type RunningService } from '../../src/standins/web.js';
import { Servers, runProbe } from '../helpers/servers.js';

const httpProbes = await probesOf('http');

const servers = new Servers();
let ca: KeyPair;
let right: RunningService;
let wrong: RunningService;
let api: RunningService;

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const leaf = await issueCertificate(ca);
  right = await servers.service('storefront', goodProfile('html'), leaf);
  api = await servers.service('api', goodProfile('api'), leaf);
  wrong = await servers.service(
    'vendor-panel',
    {
      ...goodProfile('html'),
      hsts: 'max-age=3600',
      securityHeaders: false,
      poweredBy: 'Express 4.18.2',
      server: 'nginx/1.24.0',
      cookies: ['connect.sid=s%3Aabc; Path=/', 'theme=dark; Path=/; Secure'],
      compress: false,
      documentCache: 'public, max-age=600',
      assetCache: 'max-age=60',
    },
    leaf,
  );
});
afterAll(() => servers.closeAll());

const run = (probe: (typeof httpProbes)[number], service: RunningService, params: Record<string, unknown> = {}) => runProbe(probe, { STOREFRONT_URL: service.url }, params, { ca: [ca.cert] });

describe('header probes against a header-right and a header-wrong server', () => {
  it('http.hsts', async () => {
    expect((await run(hsts, right)).status).toBe('pass');
    const bad = await run(hsts, wrong);
    expect(bad.status).toBe('fail');
    expect(bad.observed).toMatch(/max-age 3600 is under 15552000/);
    const plain = await runProbe(hsts, { STOREFRONT_URL: right.httpUrl as string });
    expect(plain.status).toBe('fail');
    expect(plain.observed).toMatch(/plain http/);
  });

  it('http.security-headers', async () => {
    expect((await run(securityHeaders, right)).status).toBe('pass');
    const bad = await run(securityHeaders, wrong);
    expect(bad.status).toBe('fail');
    expect(bad.observed).toMatch(/nosniff missing.*no frame protection.*no Content-Security-Policy.*X-Powered-By: Express 4.18.2/);
  });

  it('http.server-banner', async () => {
    const good = await run(serverBanner, right);
    expect(good).toMatchObject({ status: 'pass', observed: 'storefront /: Server: nginx (no version)' });
    const bad = await run(serverBanner, wrong);
    expect(bad.status).toBe('fail');
    expect(bad.observed).toMatch(/server: nginx\/1.24.0; x-powered-by: Express 4.18.2/);
  });

  it('http.cookies, naming cookies but never their values', async () => {
    expect((await run(cookies, right)).status).toBe('pass');
    const bad = await run(cookies, wrong);
    expect(bad.status).toBe('fail');
    expect(bad.observed).toMatch(/connect.sid lacks Secure; session cookie connect.sid lacks HttpOnly/);
    expect(bad.observed).not.toMatch(/abc/);
  });

  it('http.compression over the page and its linked assets', async () => {
    const good = await run(compression, right);
    expect(good.status).toBe('pass');
    expect(good.observed).toMatch(/storefront \/: gzip \(\d+ bytes decoded\); storefront \/_next\/static\/chunks\/main-8b2e4d.js: gzip .*; storefront \/_next\/static\/css\/app-3f9a1c.css: gzip/);
    const bad = await run(compression, wrong);
    expect(bad.status).toBe('fail');
    expect(bad.observed).toMatch(/storefront \/: text\/html, \d+ bytes, sent uncompressed/);
  });

  it('http.cache-headers for documents and discovered assets', async () => {
    const good = await run(cacheHeaders, right);
    expect(good.status).toBe('pass');
    expect(good.observed).toMatch(/max-age 31536000 immutable/);
    const bad = await run(cacheHeaders, wrong);
    expect(bad.status).toBe('fail');
    expect(bad.observed).toMatch(/\/ sets cookies yet is cacheable/);
    expect(bad.observed).toMatch(/max-age 60 is under 2592000/);
    const listed = await run(cacheHeaders, right, { assets: ['/_next/static/css/app-3f9a1c.css', 'https://cdn.elsewhere.example/x.js'] });
    expect(listed.observed).toMatch(/app-3f9a1c.css/);
    expect(listed.ctx.facts.contacts.has('http GET https://cdn.elsewhere.example/x.js')).toBe(false);
  });

  it('http.reachable: pass when answering, fail when down or 5xx', async () => {
    const up = await runProbe(reachable, { APP_URL: api.url, STOREFRONT_URL: right.url }, {}, { ca: [ca.cert] });
    expect(up.status).toBe('pass');
    const port = await servers.closedPort();
    const down = await runProbe(reachable, { APP_URL: api.url, STOREFRONT_URL: `https://127.0.0.1:${port}/` }, {}, { ca: [ca.cert] });
    expect(down.status).toBe('fail');
    expect(down.observed).toMatch(/storefront: no answer .*ECONNREFUSED/);
    const broken = await runProbe(reachable, {}, { urls: [new URL('/error', api.url).href] }, { ca: [ca.cert] });
    expect(broken.status).toBe('fail');
    expect(broken.observed).toMatch(/answered 500/);
  });

  it('fails every HTTPS probe when the certificate is not trusted (verification stays on)', async () => {
    const finding = await runProbe(reachable, { STOREFRONT_URL: right.url });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/certificate/i);
    expect((await runProbe(reachable, { STOREFRONT_URL: right.url }, {}, { insecure: true })).status).toBe('pass');
  });

  it('one GET per URL serves all header probes of a run', async () => {
    const { makeContext } = await import('../helpers/context.js');
    const ctx = makeContext({ STOREFRONT_URL: right.url }, { ca: [ca.cert] });
    for (const probe of [hsts, securityHeaders, serverBanner, cookies, compression, cacheHeaders, reachable]) await probe.run(ctx, probe.params.parse({}) as never);
    await ctx.close();
    expect(ctx.facts.contacts.get(`http GET ${right.url}`)).toBe(1);
  });

  it('skips without any service URL, naming the variables', async () => {
    const finding = await runProbe(hsts, {});
    expect(finding.status).toBe('skipped');
    expect(finding.observed).toMatch(/APP_URL.*STOREFRONT_URL/);
  });
});

describe('pure judgements on recorded headers', () => {
  const policy = { minMaxAge: 31_536_000, failBelow: 15_552_000 };
  it('judgeHsts', () => {
    expect(judgeHsts(undefined, policy).status).toBe('fail');
    expect(judgeHsts('max-age=31536000', policy)).toMatchObject({ status: 'warn', observed: expect.stringMatching(/no includeSubDomains/) });
    expect(judgeHsts('max-age=20000000; includeSubDomains', policy).status).toBe('warn');
    expect(judgeHsts('max-age="63072000"; includeSubDomains; preload', policy)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/, preload/) });
    expect(judgeHsts('includeSubDomains', policy).status).toBe('fail');
  });

  it('judgeSecurityHeaders accepts CSP frame-ancestors and only warns for JSON', () => {
    const html = { 'content-type': 'text/html', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'; frame-ancestors 'none'" };
    expect(judgeSecurityHeaders({ headers: html }).status).toBe('pass');
    expect(judgeSecurityHeaders({ headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } }).status).toBe('warn');
  });

  it('judgeServerBanner', () => {
    expect(judgeServerBanner({ headers: { server: 'Apache/2.4.57 (Debian)' } }).status).toBe('fail');
    expect(judgeServerBanner({ headers: { server: 'cloudflare' } }).status).toBe('pass');
    expect(judgeServerBanner({ headers: {} }).observed).toBe('no Server header');
  });

  it('judgeCookies', () => {
    const session = /sess|sid|token/i;
    expect(judgeCookies([], session).status).toBe('pass');
    expect(judgeCookies(['refresh_token=x; Secure; HttpOnly; SameSite=Strict'], session).status).toBe('pass');
    expect(judgeCookies(['prefs=x; Secure'], session)).toMatchObject({ status: 'warn', observed: 'prefs has no SameSite' });
    expect(judgeCookies(['access_token=x; Secure; SameSite=Lax'], session).status).toBe('fail');
  });

  it('judgeCompression ignores binary and small bodies', () => {
    const base = { url: 'https://x.test/a', truncated: false };
    expect(judgeCompression({ ...base, headers: { 'content-type': 'image/png' }, body: 'x'.repeat(5000) }, 1024)).toBeUndefined();
    // A tiny body is no evidence either way: not a pass.
    expect(judgeCompression({ ...base, headers: { 'content-type': 'application/json' }, body: '{}' }, 1024)).toBeUndefined();
    expect(judgeCompression({ ...base, status: 404, headers: { 'content-type': 'text/html' }, body: 'x'.repeat(5000) }, 1024)).toBeUndefined();
    expect(judgeCompression({ ...base, headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: 'x'.repeat(5000) }, 1024)?.status).toBe('pass');
    expect(judgeCompression({ ...base, headers: { 'content-type': 'text/css' }, body: 'x'.repeat(5000) }, 1024)?.status).toBe('fail');
  });

  it('judgeDocumentCaching and judgeAssetCaching', () => {
    const doc = (cc: string | undefined, setCookies: string[] = []) => judgeDocumentCaching({ url: 'https://x.test/', headers: cc ? { 'cache-control': cc } : {}, setCookies });
    expect(doc('private, no-cache').status).toBe('pass');
    expect(doc('no-store, s-maxage=60').status).toBe('fail');
    expect(doc('max-age=60', ['sid=1']).status).toBe('fail');
    expect(doc('public, max-age=60').status).toBe('warn');
    expect(doc(undefined).status).toBe('warn');
    const asset = (cc: string | undefined, status = 200) => judgeAssetCaching({ url: 'https://x.test/a.js', status, headers: cc ? { 'cache-control': cc } : {} }, 2_592_000);
    expect(asset('public, max-age=31536000, immutable').status).toBe('pass');
    expect(asset('max-age=86400').status).toBe('warn');
    expect(asset('no-cache').status).toBe('fail');
    expect(asset(undefined).status).toBe('fail');
    expect(asset('max-age=31536000', 404).status).toBe('warn');
  });

  it('discoverAssets keeps same-origin scripts and stylesheets only', () => {
    const html = `<link rel="stylesheet" href="/a.css"><link rel=icon href="/f.ico"><script src='https://cdn.other.example/x.js'></script><script src="/b.js?v=1&amp;x=2"></script><link href="/c.css" rel="stylesheet">`;
    expect(discoverAssets(html, new URL('https://shop.test/'), 10).map((url) => url.href)).toEqual(['https://shop.test/a.css', 'https://shop.test/b.js?v=1&x=2', 'https://shop.test/c.css']);
    expect(discoverAssets(html, new URL('https://shop.test/'), 1)).toHaveLength(1);
  });
});
