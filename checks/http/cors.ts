import { z } from 'zod';
import { defineProbe, type FindingDetail, type ProbeStatus } from '../../src/engine/types.js';
import type { ProbeContext } from '../../src/engine/types.js';
import { sendOnce } from '../../src/facts/http.js';
import { fromProblems, header, perTarget, routeParams, routesOf, webTargets, type Problem, type WebTarget } from './services.js';

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

/** The foreign origin every CORS judgement asks with first (shared by http.cors and env.cors-origins). */
export const FOREIGN_ORIGIN = 'https://evil.example';

/**
 * One CORS exchange with `origin`: a plain GET and an OPTIONS preflight (read-only: a preflight
 * never runs the handler), each sent once per run and shared by every probe that asks.
 */
export async function observeCors(ctx: ProbeContext, url: URL, origin: string, trusted: boolean): Promise<CorsObservation[]> {
  const [request, preflight] = await Promise.all([
    sendOnce(ctx, url, { headers: { origin }, maxBodyBytes: 16 * 1024 }),
    sendOnce(ctx, url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      maxBodyBytes: 16 * 1024,
    }),
  ]);
  return [
    { origin, trusted, kind: 'request', headers: request.headers },
    { origin, trusted, kind: 'preflight', headers: preflight.headers },
  ];
}

/** Where to ask a service about CORS: the API's first representative route (its `/` may be a 404 page), a front end's URL. */
export function corsUrlOf(target: WebTarget, params: { urls: readonly string[]; apiRoutes: readonly string[]; pages: readonly string[] }): URL {
  return routesOf([target], params)[0]?.routes[0]?.url ?? target.url;
}

/** The whitelisted origins an entry judges against: its allowedOrigins param, else what the env declares. */
function trustedOf(ctx: Pick<ProbeContext, 'target'>, params: { allowedOrigins: readonly string[]; variable: string }): Set<string> {
  const configured = params.allowedOrigins.length > 0 ? params.allowedOrigins : declaredOrigins(ctx, params.variable);
  return new Set(configured.map(normalizeOrigin).filter((origin) => origin !== '*' && origin !== 'null'));
}

/** The origins asked of one service: the untrusted ones, then the first whitelisted one. */
function originsToAsk(trusted: ReadonlySet<string>, target: WebTarget): Array<{ origin: string; trusted: boolean }> {
  const first = [...trusted][0];
  const base = first ? new URL(first) : target.url;
  const origins = [FOREIGN_ORIGIN, ...untrustedOrigins(base)].filter((origin, index, all) => all.indexOf(origin) === index && !trusted.has(origin)).map((origin) => ({ origin, trusted: false }));
  if (first) origins.push({ origin: first, trusted: true });
  return origins;
}

/** The --max-requests unit of one CORS exchange (a GET and a preflight), shared by every probe that sends it. */
export function corsExchangeKey(url: URL, origin: string): string {
  return `cors ${url.href} ${origin}`;
}

/** The origins a deployment declares in its env (CORS_ORIGIN, comma- or space-separated). */
export function declaredOrigins(ctx: Pick<ProbeContext, 'target'>, variable: string): string[] {
  return (ctx.target.get(variable) ?? '').split(/[,\s]+/).filter(Boolean);
}

/**
 * Pure judgement of what the service answered to each Origin. `wildcard`: how serious a plain
 * `Access-Control-Allow-Origin: *` is (a fail on an API: "whitelist" means not every site).
 */
export function judgeCors(observations: readonly CorsObservation[], wildcard: 'fail' | 'warn' = 'fail'): Omit<FindingDetail, 'subject'> {
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
      else add(wildcard, `answers Access-Control-Allow-Origin "*" to ${observation.origin}: any site can read its responses`);
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
  sends: { to: 'the API\'s first route (apiRoutes) and each front end', what: 'GETs and OPTIONS preflights carrying an Origin header (a foreign origin, "null", look-alikes of the allowed host, plain http, one whitelisted origin); no body, no credentials', effect: 'none' },
  title: 'CORS allows only the whitelisted origins',
  description:
    'Sends real GETs and OPTIONS preflights (read-only) with a foreign origin, "null", look-alike origins (the allowed host as prefix and suffix, plain http) and a whitelisted one to the API\'s first route (apiRoutes param) and each front end; fails when an untrusted origin is reflected, "null" is allowed, or the API answers "*" (a front end answering "*" without credentials is a warning). The finding names what CORS_ORIGIN declares beside what the live service does; the live answer decides.',
  params: z.object({
    ...routeParams,
    /** Whitelisted origins; default CORS_ORIGIN (comma-separated). */
    allowedOrigins: z.array(z.string()).default([]),
    variable: z.string().default('CORS_ORIGIN'),
  }),
  remediation:
    'Configure the backend\'s cors() with an explicit array of the production https origins (CORS_ORIGIN), never `origin: true` or a reflecting callback; do not allow "null"; never combine "*" with credentials.',
  suggests: [{ match: /\bCORS\b.*(test|verify|reflect)|(test|verify).*\bCORS\b/i, severity: 'high' }],
  deliberate: {
    requests: 12,
    per: 'service URL, at most (2 per origin asked, up to 6 origins: a GET and an OPTIONS preflight; shared with env.cors-origins)',
    plan: (params, ctx) => webTargets(ctx, params.urls).flatMap((target) => {
      const url = corsUrlOf(target, params);
      return originsToAsk(trustedOf(ctx, params), target).map(({ origin }) => ({ key: corsExchangeKey(url, origin), requests: 2 }));
    }),
  },
  async run(ctx, params) {
    const fromEnv = declaredOrigins(ctx, params.variable);
    const trusted = trustedOf(ctx, params);
    const expected = trusted.size > 0 ? `only ${[...trusted].join(', ')} allowed` : 'no foreign origin allowed';
    const declared = params.allowedOrigins.length > 0 ? `allowedOrigins param ${params.allowedOrigins.join(', ')}` : fromEnv.length > 0 ? `${params.variable} declares ${fromEnv.join(', ')}` : `${params.variable} is not set`;
    const finding = await perTarget(webTargets(ctx, params.urls), expected, undefined, async (target) => {
      const url = corsUrlOf(target, params);
      const origins = originsToAsk(trusted, target);
      // Bounded: 2 requests per origin, at most 12 per service, all read-only, sent side by side.
      const observations = (await Promise.all(origins.map(({ origin, trusted: isTrusted }) => observeCors(ctx, url, origin, isTrusted)))).flat();
      const judged = judgeCors(observations, target.subject === 'api' || params.urls.length > 0 ? 'fail' : 'warn');
      return { ...judged, observed: `${url.pathname}: ${judged.observed}` };
    });
    // Declared and live side by side: the live answer decides the status.
    return finding.status === 'pass' ? finding : { ...finding, observed: `${declared}; live: ${finding.observed}` };
  },
});
