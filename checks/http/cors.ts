import { z } from 'zod';
import { defineProbe, type FindingDetail, type ProbeStatus } from '../../src/engine/types.js';
import { send } from '../../src/facts/http.js';
import { fromProblems, header, perTarget, urlsParam, webTargets, type Problem } from './services.js';

/** One CORS exchange: the Origin we sent, whether it is whitelisted, and the answer's headers. */
export interface CorsObservation {
  origin: string;
  trusted: boolean;
  kind: 'request' | 'preflight';
  headers: Record<string, string>;
}

export function normalizeOrigin(origin: string): string {
  if (origin === 'null') return origin;
  try {
    return new URL(origin).origin;
  } catch {
    return origin.trim().replace(/\/+$/, '');
  }
}

/**
 * Untrusted origins worth trying against a whitelist entry: a foreign site, `null` (sandboxed
 * iframes, file://), the allowed host as a prefix (`https://shop.example.com.evil.example`) and as
 * a suffix (`https://evilshop.example.com`), and the allowed host over plain http.
 */
export function untrustedOrigins(base: URL): string[] {
  const host = base.hostname;
  const port = base.port ? `:${base.port}` : '';
  return ['https://evil.example', 'null', `https://${host}.evil.example`, `https://evil${host}${port}`, `http://${host}${port}`];
}

/** Pure judgement of what the service answered to each Origin. */
export function judgeCors(observations: readonly CorsObservation[]): Omit<FindingDetail, 'subject'> {
  const problems: Problem[] = [];
  const add = (status: ProbeStatus, text: string) => {
    if (!problems.some((problem) => problem.text === text)) problems.push({ status, text });
  };
  let allowedTrusted = 0;
  for (const observation of observations) {
    const allowOrigin = header(observation, 'access-control-allow-origin');
    const credentials = header(observation, 'access-control-allow-credentials')?.toLowerCase() === 'true';
    if (!allowOrigin) continue;
    const withCredentials = credentials ? ' with credentials' : '';
    if (allowOrigin === '*') {
      if (credentials) add('fail', `"*" with Access-Control-Allow-Credentials: true`);
      else add('warn', `"*": any site can read uncredentialed responses`);
    } else if (allowOrigin === 'null') add('fail', `allows the "null" origin${withCredentials}`);
    else if (normalizeOrigin(allowOrigin) === normalizeOrigin(observation.origin)) {
      if (observation.trusted) allowedTrusted += 1;
      else add('fail', `reflects untrusted origin ${observation.origin}${withCredentials} (${observation.kind})`);
    }
  }
  const sent = observations.filter((o) => !o.trusted).length;
  const trusted = allowedTrusted > 0 ? `; whitelisted origin allowed` : '';
  return fromProblems(problems, `${sent} untrusted origin requests/preflights, none allowed${trusted}`, undefined, '; ');
}

export default defineProbe({
  id: 'http.cors',
  sends: { to: 'each service URL', what: 'GETs and OPTIONS preflights carrying an Origin header (a foreign origin, "null", look-alikes of the allowed host, plain http, one whitelisted origin); no body, no credentials', effect: 'none' },
  title: 'CORS allows only the whitelisted origins',
  description:
    'Sends real requests and preflights with a foreign origin, "null", look-alike origins (the allowed host as prefix and suffix, plain http) and a whitelisted one; fails when an untrusted origin is reflected, "null" is allowed, or "*" comes with credentials.',
  params: z.object({
    urls: urlsParam,
    /** Whitelisted origins; default CORS_ORIGIN (comma-separated). */
    allowedOrigins: z.array(z.string()).default([]),
    variable: z.string().default('CORS_ORIGIN'),
  }),
  remediation:
    'Configure the backend\'s cors() with an explicit array of the production https origins (CORS_ORIGIN), never `origin: true` or a reflecting callback; do not allow "null"; never combine "*" with credentials.',
  suggests: [{ match: /\bCORS\b.*(test|verify|reflect)|(test|verify).*\bCORS\b/i, severity: 'high' }],
  async run(ctx, params) {
    const configured = params.allowedOrigins.length > 0 ? params.allowedOrigins : (ctx.target.get(params.variable) ?? '').split(/[,\s]+/).filter(Boolean);
    const trusted = new Set(configured.map(normalizeOrigin).filter((origin) => origin !== '*' && origin !== 'null'));
    const expected = trusted.size > 0 ? `only ${[...trusted].join(', ')} allowed` : 'no foreign origin allowed';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, async (target) => {
      const first = [...trusted][0];
      const base = first ? new URL(first) : target.url;
      const origins = [...new Set(untrustedOrigins(base))].filter((origin) => !trusted.has(origin)).map((origin) => ({ origin, trusted: false }));
      if (first) origins.push({ origin: first, trusted: true });
      const observations: CorsObservation[] = [];
      // Sequential and bounded: 2 requests per origin, at most 12 per service.
      for (const { origin, trusted: isTrusted } of origins) {
        const request = await send(ctx, target.url, { headers: { origin }, maxBodyBytes: 16 * 1024 });
        observations.push({ origin, trusted: isTrusted, kind: 'request', headers: request.headers });
        const preflight = await send(ctx, target.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
          maxBodyBytes: 16 * 1024,
        });
        observations.push({ origin, trusted: isTrusted, kind: 'preflight', headers: preflight.headers });
      }
      return judgeCors(observations);
    });
  },
});
