import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeCookies } from '../../checks/http/cookies.js';
import { evaluateCsp, judgeCsp } from '../../checks/http/csp.js';
import { grade, judgeScore, score, scoreLines } from '../../checks/http/observatory.js';
import { judgePolicyHeaders } from '../../checks/http/policy-headers.js';
import { judgeSri, scriptTags } from '../../checks/http/sri.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/standins/certs.js';
import { runJson } from '../helpers/run-json.js';
import { Servers } from '../helpers/servers.js';

/** The HTTP Observatory-style probes through the binary: a well-configured edge and one broken per service. */
const servers = new Servers();
let ca: KeyPair;
const urls: Record<string, string> = {};

const GOOD_CSP = "default-src 'self'; script-src 'self' 'nonce-r4nd0m'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
const SRI = 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC';

function page(scripts: string): string {
  return `<!doctype html><html><head><title>BazaarHub</title>${scripts}<!-- <script src="https://commented.example/x.js"></script> --></head><body>shop</body></html>`;
}

function handler(headers: Record<string, string>, cookies: string[], body: string, type = 'text/html; charset=utf-8'): http.RequestListener {
  return (_req, res) => {
    res.setHeader('content-type', type);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    res.end(body);
  };
}

const goodHeaders = {
  'content-security-policy': GOOD_CSP,
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

beforeAll(async () => {
  ca = await createCertificateAuthority();
  const leaf = await issueCertificate(ca);
  const goodScripts = `<script src="/_next/static/app.js"></script><script nonce="r4nd0m" src="https://cdn.payments.example/checkout.js" integrity="${SRI}" crossorigin="anonymous"></script>`;
  urls.goodHtml = await servers.https(leaf, {}, handler(goodHeaders, ['__Host-sid=abc; Secure; HttpOnly; Path=/; SameSite=Lax', 'locale=en; Secure; SameSite=Lax'], page(goodScripts)));
  urls.goodApi = await servers.https(leaf, {}, handler({ ...goodHeaders, 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" }, [], '{"ok":true}', 'application/json'));
  urls.storefront = await servers.https(
    leaf,
    {},
    handler(
      { 'content-security-policy': "script-src 'self' 'unsafe-inline' 'unsafe-eval' http://cdn.example.com", 'permissions-policy': 'camera=()', 'cross-origin-resource-policy': 'same-origin' },
      ['session=abc; SameSite=None', '__Host-pref=1; Secure; Path=/app; Domain=bazaarhub.example; SameSite=Lax'],
      page('<script src="https://cdn.example.com/analytics.js"></script>'),
    ),
  );
  urls.vendor = await servers.https(
    leaf,
    {},
    handler({ ...goodHeaders, 'content-security-policy': '', 'content-security-policy-report-only': GOOD_CSP, 'referrer-policy': 'unsafe-url' }, ['__Secure-token=abc; HttpOnly; SameSite=Lax'], page('')),
  );
  urls.admin = await servers.https(leaf, {}, handler({ ...goodHeaders, 'content-security-policy': 'default-src *', 'cross-origin-opener-policy': 'unsafe-none' }, [], page('<script src="http://widgets.example/w.js" integrity="sha256-abc=" crossorigin></script>')));
}, 60_000);
afterAll(() => servers.closeAll());

const HTTP_PROBES = ['http.csp', 'http.observatory', 'http.policy-headers', 'http.sri', 'http.cookies'];
const files = () => ({ 'ca.pem': ca.cert });

describe('HTTP header depth probes through the binary', () => {
  it('a well-configured edge passes CSP, score (grade A+), policy headers, SRI and cookies', async () => {
    const run = await runJson({ APP_URL: urls.goodApi as string, STOREFRONT_URL: urls.goodHtml as string, VENDOR_PANEL_URL: urls.goodHtml as string, ADMIN_PANEL_URL: urls.goodHtml as string }, HTTP_PROBES, ['--ca', '{dir}/ca.pem'], files());
    for (const probe of HTTP_PROBES) expect([probe, run.byProbe(probe).status]).toEqual([probe, 'pass']);
    const scores = run.byProbe('http.observatory').details ?? [];
    expect(scores.find((detail) => detail.subject === 'storefront /')?.observed).toMatch(/^grade A\+ \(12\d\/100\): CSP \+5 \(no unsafe sources\), cookies \+5 .*SRI \+5/);
    expect(scores.find((detail) => detail.subject === 'api /api/products')?.observed).toMatch(/^grade A\+ \(10\d\/100\)/);
    expect(run.byProbe('http.sri').details?.find((detail) => detail.subject === 'storefront /')?.observed).toBe('1 third-party script, all with integrity');
  }, 120_000);

  it('a broken edge fails each probe on the service with the fault', async () => {
    const run = await runJson({ APP_URL: urls.goodApi as string, STOREFRONT_URL: urls.storefront as string, VENDOR_PANEL_URL: urls.vendor as string, ADMIN_PANEL_URL: urls.admin as string }, HTTP_PROBES, ['--ca', '{dir}/ca.pem'], files());
    expect(run.statuses('http.csp')).toEqual({ 'api /api/products': 'pass', 'api /api/categories': 'pass', 'storefront /': 'fail', 'vendor-panel /': 'fail', 'admin-panel /': 'fail' });
    const csp = run.byProbe('http.csp').details ?? [];
    expect(csp.find((detail) => detail.subject === 'storefront /')?.observed).toMatch(/'unsafe-inline' in script-src without a nonce or hash, 'unsafe-eval' in script-src, insecure http: sources \(script-src http:\/\/cdn\.example\.com\), object-src is not 'none'.*no base-uri.*no frame-ancestors/);
    expect(csp.find((detail) => detail.subject === 'vendor-panel /')?.observed).toMatch(/^only Content-Security-Policy-Report-Only: nothing is enforced/);
    expect(csp.find((detail) => detail.subject === 'admin-panel /')?.observed).toMatch(/default-src allows \* \(any script host\)/);
    expect(run.statuses('http.observatory')).toMatchObject({ 'api /api/products': 'pass', 'storefront /': 'fail' });
    expect(run.byProbe('http.observatory').details?.find((detail) => detail.subject === 'storefront /')?.observed).toMatch(/^grade F \(\d+\/100\): CSP -20 .*cookies -40 \(session cookie session without Secure\).*HSTS -20.*SRI -5.*framing -20/);
    expect(run.byProbe('http.observatory').details?.find((detail) => detail.subject === 'vendor-panel /')?.observed).toMatch(/CSP -25 \(report-only: not enforced\)/);
    expect(run.statuses('http.policy-headers')).toEqual({ 'api /api/products': 'pass', 'api /api/categories': 'pass', 'storefront /': 'warn', 'vendor-panel /': 'fail', 'admin-panel /': 'warn' });
    expect(run.byProbe('http.policy-headers').observed).toMatch(/Referrer-Policy unsafe-url leaks full URLs/);
    expect(run.statuses('http.sri')).toEqual({ 'api /api/products': 'pass', 'api /api/categories': 'pass', 'storefront /': 'fail', 'vendor-panel /': 'pass', 'admin-panel /': 'fail' });
    expect(run.byProbe('http.sri').observed).toMatch(/storefront \/: https:\/\/cdn\.example\.com\/analytics\.js has no integrity attribute; admin-panel \/: http:\/\/widgets\.example\/w\.js loads over plain http/);
    expect(run.statuses('http.cookies')).toEqual({ 'api /api/products': 'pass', 'api /api/categories': 'pass', 'storefront /': 'fail', 'vendor-panel /': 'fail', 'admin-panel /': 'pass' });
    const cookies = run.byProbe('http.cookies').details ?? [];
    expect(cookies.find((detail) => detail.subject === 'storefront /')?.observed).toMatch(/session has SameSite=None without Secure.*__Host-pref: the __Host- prefix needs Path=\/.*forbids Domain/);
    expect(cookies.find((detail) => detail.subject === 'vendor-panel /')?.observed).toMatch(/__Secure-token: the __Secure- prefix needs Secure/);
    expect(run.code).not.toBe(0);
  }, 120_000);
});

describe('header judgements', () => {
  it('accepts unsafe-inline beside a nonce or hash (CSP2 browsers ignore it), and strict-dynamic with https:', () => {
    expect(evaluateCsp({ 'content-security-policy': "script-src 'unsafe-inline' 'sha256-abc=' ; object-src 'none'; base-uri 'none'; frame-ancestors 'self'" }).problems).toEqual([]);
    expect(evaluateCsp({ 'content-security-policy': "script-src 'nonce-x' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'" }).problems).toEqual([]);
    expect(evaluateCsp({ 'content-security-policy': "script-src https:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'" }).problems.map((problem) => problem.status)).toEqual(['fail']);
  });

  it('judges the strictest of several policies and reports report-only beside an enforced one', () => {
    const both = evaluateCsp({ 'content-security-policy': `script-src *, ${GOOD_CSP}` });
    expect(both.problems).toEqual([]);
    expect(judgeCsp({ headers: { 'content-type': 'text/html', 'content-security-policy': GOOD_CSP, 'content-security-policy-report-only': "script-src 'none'" } }).observed).toMatch(/a report-only policy is sent too/);
    expect(judgeCsp({ headers: { 'content-type': 'text/html' } }).status).toBe('fail');
    expect(judgeCsp({ headers: { 'content-type': 'application/json' } }).status).toBe('pass');
  });

  it('counts a <meta http-equiv> policy as enforced, without its frame-ancestors', () => {
    const body = `<html><head><meta http-equiv="Content-Security-Policy" content="${GOOD_CSP}"></head></html>`;
    const judged = judgeCsp({ headers: { 'content-type': 'text/html' }, body });
    expect(judged).toMatchObject({ status: 'warn', observed: expect.stringMatching(/^no frame-ancestors .*from a <meta> tag/) });
    expect(judgeCsp({ headers: { 'content-type': 'text/html' }, body: body.replace('http-equiv', 'name') }).status).toBe('fail');
  });

  it('grades like the Observatory: bonuses only at 90 or more, F under 25', () => {
    expect(grade(100)).toBe('A+');
    expect(grade(84)).toBe('B+');
    expect(grade(24)).toBe('F');
    expect(score([{ test: 'CSP', points: -20, why: '' }, { test: 'SRI', points: 5, why: '' }])).toBe(80);
    expect(score([{ test: 'CSP', points: -5, why: '' }, { test: 'SRI', points: 5, why: '' }])).toBe(100);
    const lines = scoreLines('https://shop.example/', { headers: { 'content-type': 'text/html' }, setCookies: [], body: '' }, /sess/);
    expect(judgeScore(lines, { passScore: 70, warnScore: 50 })).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^grade F \(30\/100\)|^grade D \(30\/100\)/) });
  });

  it('reads script tags with any quoting and skips comments', () => {
    expect(scriptTags(`<SCRIPT src=https://a.example/x.js integrity='sha256-AAAA' crossorigin></SCRIPT><!-- <script src="https://b.example/y.js"> --><script>inline()</script>`)).toEqual([{ src: 'https://a.example/x.js', integrity: 'sha256-AAAA', crossorigin: '' }]);
    expect(judgeSri('https://shop.example/', { headers: { 'content-type': 'text/html' }, body: '<script src="https://a.example/x.js" integrity="sha384-AAAA"></script>' }).status).toBe('warn');
    expect(judgeSri('https://shop.example/', { headers: { 'content-type': 'text/html' }, body: '<script src="https://a.example/x.js" integrity="md5-AAAA" crossorigin></script>' }).status).toBe('fail');
  });

  it('warns on a missing COOP only for documents, fails an invalid CORP, takes the last valid Referrer-Policy', () => {
    const api = { 'content-type': 'application/json', 'referrer-policy': 'unsafe-url, no-referrer', 'permissions-policy': 'camera=()', 'cross-origin-resource-policy': 'same-site' };
    expect(judgePolicyHeaders({ headers: api }).status).toBe('pass');
    expect(judgePolicyHeaders({ headers: { ...api, 'cross-origin-resource-policy': 'anyone' } }).status).toBe('fail');
    expect(judgePolicyHeaders({ headers: { ...api, 'content-type': 'text/html' } }).observed).toMatch(/no Cross-Origin-Opener-Policy/);
  });

  it('cookies: __Host- done right passes', () => {
    expect(judgeCookies(['__Host-sid=1; Secure; HttpOnly; Path=/; SameSite=Strict'], /sid/).status).toBe('pass');
    expect(judgeCookies(['__Host-sid=1; Secure; HttpOnly; SameSite=Strict'], /sid/).observed).toMatch(/needs Path=\//);
  });
});
