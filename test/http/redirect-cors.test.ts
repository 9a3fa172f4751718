import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cors, { judgeCors, untrustedOrigins } from '../../checks/http/cors.js';
import httpsRedirect, { judgeRedirect, plainUrlOf } from '../../checks/http/https-redirect.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { goodProfile, type RunningService } from '../../src/standins/web.js';
import { Servers, runProbe } from '../helpers/servers.js';

const servers = new Servers();
let ca: KeyPair;
let permanent: RunningService;
let temporary: RunningService;
let plainServing: RunningService;
let whitelisting: RunningService;
let reflecting: RunningService;
let wildcard: RunningService;
let elsewhere: string;
const ALLOWED = 'https://shop.bazaarhub.in';

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const leaf = await issueCertificate(ca);
  permanent = await servers.service('storefront', goodProfile('html'), leaf);
  temporary = await servers.service('admin-panel', { ...goodProfile('html'), plainHttp: 302 }, leaf);
  plainServing = await servers.service('vendor-panel', { ...goodProfile('html'), plainHttp: 'serve' }, leaf);
  whitelisting = await servers.service('api', goodProfile('api', [ALLOWED]), leaf);
  reflecting = await servers.service('api', { ...goodProfile('api'), cors: 'reflect' }, leaf);
  wildcard = await servers.service('api', { ...goodProfile('api'), cors: 'wildcard-credentials' }, leaf);
  elsewhere = await servers.http((_req, res) => {
    res.writeHead(301, { location: 'https://evil.example/' });
    res.end();
  });
});
afterAll(() => servers.closeAll());

const trust = { ca: [] as string[] };

describe('http.https-redirect through real plain-http listeners', () => {
  it('passes a 301 to https on the same host (APP_HTTP_URL override)', async () => {
    trust.ca = [ca.cert];
    const finding = await runProbe(httpsRedirect, { STOREFRONT_URL: permanent.url, STOREFRONT_HTTP_URL: permanent.httpUrl as string }, {}, trust);
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/301 to https:\/\/127.0.0.1/);
  });

  it('warns on a temporary 302, fails when plain http serves the page', async () => {
    expect((await runProbe(httpsRedirect, { ADMIN_PANEL_URL: temporary.url, ADMIN_PANEL_HTTP_URL: temporary.httpUrl as string })).status).toBe('warn');
    const served = await runProbe(httpsRedirect, { VENDOR_PANEL_URL: plainServing.url, VENDOR_PANEL_HTTP_URL: plainServing.httpUrl as string });
    expect(served.status).toBe('fail');
    expect(served.observed).toMatch(/answered 200 over plain http without redirecting/);
  });

  it('fails a redirect to another host, via the httpUrls param', async () => {
    const finding = await runProbe(httpsRedirect, { STOREFRONT_URL: permanent.url }, { httpUrls: { storefront: elsewhere } });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/another host \(evil.example\)/);
  });

  it('warns when nothing listens on plain http', async () => {
    const port = await servers.closedPort();
    const finding = await runProbe(httpsRedirect, { STOREFRONT_URL: permanent.url, STOREFRONT_HTTP_URL: `http://127.0.0.1:${port}/` });
    expect(finding.status).toBe('warn');
    expect(finding.observed).toMatch(/ECONNREFUSED/);
  });

  it('defaults to the https host on port 80', () => {
    expect(plainUrlOf({ subject: 'api', url: new URL('https://api.bazaarhub.in:8443/v1') }, {}).href).toBe('http://api.bazaarhub.in/v1');
  });

  it('judgeRedirect on recorded answers', () => {
    const plain = new URL('http://shop.bazaarhub.in/');
    const https = new URL('https://shop.bazaarhub.in/');
    expect(judgeRedirect({ status: 308, headers: { location: 'https://shop.bazaarhub.in/' } }, plain, https).status).toBe('pass');
    expect(judgeRedirect({ status: 301, headers: { location: '/login' } }, plain, https).observed).toMatch(/not https/);
    expect(judgeRedirect({ status: 301, headers: {} }, plain, https).status).toBe('fail');
  });
});

describe('http.cors with real requests and preflights', () => {
  it('passes a whitelist that allows only CORS_ORIGIN', async () => {
    const finding = await runProbe(cors, { APP_URL: whitelisting.url, CORS_ORIGIN: `${ALLOWED},https://vendor.bazaarhub.in` }, {}, { ca: [ca.cert] });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/none allowed; whitelisted origin allowed/);
  });

  it('fails a server reflecting any origin, with credentials', async () => {
    const finding = await runProbe(cors, { APP_URL: reflecting.url }, { allowedOrigins: [ALLOWED] }, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/reflects untrusted origin https:\/\/evil.example with credentials/);
    expect(finding.observed).toMatch(/allows the "null" origin/);
    expect(finding.observed).toMatch(/https:\/\/shop.bazaarhub.in.evil.example/);
  });

  it('fails "*" with credentials', async () => {
    const finding = await runProbe(cors, { APP_URL: wildcard.url }, {}, { ca: [ca.cert] });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/"\*" with Access-Control-Allow-Credentials/);
  });

  it('builds prefix, suffix and scheme look-alikes of the allowed origin', () => {
    expect(untrustedOrigins(new URL(ALLOWED))).toEqual(['https://evil.example', 'null', 'https://shop.bazaarhub.in.evil.example', 'https://evilshop.bazaarhub.in', 'http://shop.bazaarhub.in']);
  });

  it('judgeCors on recorded headers', () => {
    const seen = (origin: string, trusted: boolean, headers: Record<string, string>) => ({ origin, trusted, kind: 'request' as const, headers });
    expect(judgeCors([seen('https://evil.example', false, {}), seen(ALLOWED, true, { 'access-control-allow-origin': ALLOWED })]).status).toBe('pass');
    expect(judgeCors([seen('https://evil.example', false, { 'access-control-allow-origin': '*' })]).status).toBe('fail');
    expect(judgeCors([seen('https://evil.example', false, { 'access-control-allow-origin': '*' })], 'warn').status).toBe('warn');
    expect(judgeCors([seen('https://evilshop.bazaarhub.in', false, { 'access-control-allow-origin': 'https://evilshop.bazaarhub.in' })]).status).toBe('fail');
  });
});
