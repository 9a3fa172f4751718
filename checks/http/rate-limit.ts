import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { send } from '../../src/facts/http.js';
import { errorMessage } from '../../src/util/errors.js';
import { apiUrl, header } from './services.js';

/** Pure judgement of a burst: the statuses seen in order (0 for a request that got no answer). */
export function judgeRateLimit(statuses: readonly number[], sent: number, rateHeaders?: string): Pick<Finding, 'status' | 'observed'> {
  const limited = statuses.indexOf(429);
  const seen = [...new Set(statuses)].map((s) => (s === 0 ? 'no answer' : String(s))).join(', ');
  if (limited >= 0) return { status: 'pass', observed: `429 after ${limited + 1} of at most ${sent} requests${rateHeaders ? ` (${rateHeaders})` : ''}` };
  if (statuses.length > 0 && statuses.every((status) => status === 0)) return { status: 'error', observed: `no answer to any of ${statuses.length} requests` };
  return { status: 'fail', observed: `no 429 in a burst of ${statuses.length} requests (statuses: ${seen})` };
}

const ROUTE = /^([A-Z]+)\s+(\/\S*)$/;

export default defineProbe({
  id: 'http.rate-limit',
  sends: { to: 'the API\'s own origin (route param, default POST /api/auth/login)', what: 'up to `count` requests (default 30, at most 500) with a bogus credential for a reserved .invalid address, stopping at the first 429; run alone, after the measurements', effect: 'the deployment\'s rate limiter counts the attempts against the tool\'s address (that is what is tested); a login route that logs failed attempts logs these' },
  title: 'Rate limiting answers 429 under a burst',
  description:
    'Sends a bounded burst (count, default 30) to a rate-limited route on the configured API (default `POST /api/auth/login` with a harmless bogus credential) and expects a 429 before the burst ends.',
  params: z.object({
    /** `METHOD /path` on the API; an absolute URL is refused so the burst only ever hits the configured target. */
    route: z.string().regex(ROUTE, 'expected "METHOD /path"').default('POST /api/auth/login'),
    /** Base URL; default the API's (APP_URL or API_BASE_URL). */
    url: z.string().url().optional(),
    count: z.number().int().min(1).max(500).default(30),
    body: z.string().default(JSON.stringify({ email: 'rate-limit-probe@bazaarhub-check.invalid', password: 'not-a-real-password' })),
    contentType: z.string().default('application/json'),
  }),
  // A burst: alone, after the measurements, so neither distorts the other or the concurrent probes.
  phase: 'burst',
  deliberate: {
    requests: 30,
    per: 'run (the count param; the burst stops at the first 429)',
    plan: (params, ctx) => (apiUrl(ctx, params.url) ? [{ key: `rate-limit ${params.route} ${apiUrl(ctx, params.url)?.href}`, requests: params.count }] : []),
  },
  remediation:
    'Put express-rate-limit (or nginx limit_req) in front of auth routes with API_RATE_LIMIT_WINDOW_MS/API_RATE_LIMIT_MAX_REQUESTS, and make sure the proxy passes the client address (app.set("trust proxy", 1)) so the limit is per client.',
  suggests: [{ match: /rate limiting is working|test rate limit/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = `a 429 within ${params.count} requests to ${params.route}`;
    const base = apiUrl(ctx, params.url);
    if (!base) return { status: 'skipped', observed: 'no API URL: set APP_URL or API_BASE_URL, or the url param', expected };
    const [, method = 'POST', path = '/'] = ROUTE.exec(params.route) ?? [];
    const url = new URL(path, base);
    const statuses: number[] = [];
    let rateHeaders: string | undefined;
    // Sequential and bounded by `count`; stops at the first 429.
    for (let index = 0; index < params.count && !ctx.signal.aborted; index++) {
      try {
        const response = await send(ctx, url, { method, headers: { 'content-type': params.contentType }, body: method === 'GET' || method === 'HEAD' ? undefined : params.body, maxBodyBytes: 8 * 1024 });
        statuses.push(response.status);
        const limit = header(response, 'ratelimit-limit') ?? header(response, 'x-ratelimit-limit');
        if (limit) rateHeaders = `limit ${limit}, remaining ${header(response, 'ratelimit-remaining') ?? header(response, 'x-ratelimit-remaining') ?? '?'}`;
        if (response.status === 429) break;
      } catch (error) {
        statuses.push(0);
        if (statuses.length >= 3 && statuses.every((status) => status === 0)) {
          return { status: 'error', observed: `${url.href} did not answer: ${errorMessage(error)}`, expected };
        }
      }
    }
    return { ...judgeRateLimit(statuses, params.count, rateHeaders), expected };
  },
});
