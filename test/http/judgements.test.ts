import { describe, expect, it } from 'vitest';
import { judgeFlag } from '../../checks/env/flags.js';
import { judgeHealth } from '../../checks/http/health.js';
import { expectedOf, judgeLatency } from '../../checks/http/latency.js';
import { routesOf } from '../../checks/http/services.js';
import { bazaarhubHealthBody } from '../../src/standins/web.js';

describe('judgements of issue 11 on recorded answers', () => {
  it("BazaarHub's health body: every dependency not healthy is named, the placeholder included", () => {
    const judged = judgeHealth(200, JSON.stringify(bazaarhubHealthBody('unhealthy')));
    expect(judged.status).toBe('fail');
    expect(judged.observed).toBe('elasticsearch "unhealthy"; database is a placeholder ("checking...") (inside a 200); healthy: redis');
    // With Elasticsearch up, the placeholder alone still fails: it is not a check.
    expect(judgeHealth(200, JSON.stringify(bazaarhubHealthBody('healthy')))).toMatchObject({ status: 'fail', observed: expect.stringMatching(/^database is a placeholder/) });
    // A degraded dependency is named beside a failing one.
    expect(judgeHealth(200, JSON.stringify({ status: 'ok', dependencies: { redis: 'down', elasticsearch: 'degraded' } })).observed).toBe('redis "down"; elasticsearch "degraded" (inside a 200)');
  });

  it('http.latency judges only the thresholds an entry names', () => {
    const slowButClean = Array.from({ length: 20 }, () => ({ endpoint: 'a', ms: 2500, error: false, status: 200 }));
    expect(judgeLatency(slowButClean, { maxErrorRate: 0.005 }).status).toBe('pass');
    expect(judgeLatency(slowButClean, { p95Ms: 2000 }).status).toBe('fail');
    expect(judgeLatency(slowButClean, {}).status).toBe('fail');
    const fastButFailing = Array.from({ length: 20 }, (_, i) => ({ endpoint: 'a', ms: 10, error: i < 2, status: i < 2 ? 502 : 200 }));
    expect(judgeLatency(fastButFailing, { p95Ms: 2000 }).status).toBe('pass');
    expect(judgeLatency(fastButFailing, { maxErrorRate: 0.005 }).status).toBe('fail');
    expect(expectedOf({ maxErrorRate: 0.005 })).toBe('error rate <= 0.5%');
    expect(expectedOf({})).toBe('p95 <= 2000 ms and error rate <= 0.5%');
    // A 404 endpoint is not a fast route: not measured.
    const missing = Array.from({ length: 5 }, () => ({ endpoint: 'b', ms: 1, error: false, status: 404 }));
    expect(judgeLatency([...slowButClean.slice(0, 5).map((s) => ({ ...s, ms: 5 })), ...missing], { p95Ms: 2000 })).toMatchObject({ status: 'error', observed: expect.stringMatching(/not measured \(404\): b$/) });
  });

  it('env.flags: declared and live both said, live decides', () => {
    expect(judgeFlag('HTTPS_ONLY', 'true', 'true', { violations: ['api: http://x answered 200 over plain http without redirecting'], seen: '' })).toMatchObject({
      status: 'fail',
      observed: 'declared true, but live: api: http://x answered 200 over plain http without redirecting',
    });
    expect(judgeFlag('SECURE_COOKIES', 'true', 'false', { violations: [], seen: 'every cookie set (sid) carries Secure' })).toMatchObject({ status: 'pass', observed: expect.stringMatching(/^declared false; live: every cookie set \(sid\) carries Secure \(the deployment behaves/) });
    expect(judgeFlag('SECURE_COOKIES', 'true', 'false', { unobserved: 'no service set a cookie' }).status).toBe('fail');
    expect(judgeFlag('NODE_ENV', 'production', 'production')).toEqual({ subject: 'NODE_ENV', status: 'pass', observed: 'production' });
  });

  it('routes: the API by its representative routes, front ends by their pages, the urls param as given', () => {
    const targets = [
      { subject: 'api', url: new URL('https://api.bazaarhub.in/') },
      { subject: 'storefront', url: new URL('https://www.bazaarhub.in/') },
    ];
    const routes = routesOf(targets, { urls: [], apiRoutes: ['/api/products', '/api/categories'], pages: ['/products'] });
    expect(routes.flatMap((service) => service.routes.map((route) => route.subject))).toEqual(['api /api/products', 'api /api/categories', 'storefront /', 'storefront /products']);
    expect(routesOf([{ subject: 'https://x.test/a', url: new URL('https://x.test/a') }], { urls: ['https://x.test/a'], apiRoutes: ['/api/products'], pages: [] })[0]?.routes).toEqual([{ subject: 'https://x.test/a', url: new URL('https://x.test/a') }]);
  });
});
