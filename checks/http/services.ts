import { isTimeout } from '../../src/facts/clean-error.js';
import { z } from 'zod';
import { combine, skipped, worst } from '../../src/engine/findings.js';
import type { Finding, FindingDetail, ProbeContext, ProbeStatus, RunOptions } from '../../src/engine/types.js';
import { getFact, type HttpResponse } from '../../src/facts/http.js';
import { errorMessage } from '../../src/util/errors.js';

/**
 * Shared by the web-edge probes (tls, http, waf): which URLs to look at, and the per-service loop
 * that turns one judgement per service into one finding with `combine`.
 */

export interface WebTarget {
  /** Service name (api, storefront, ...) or the URL when it came from the `urls` param. */
  subject: string;
  url: URL;
  httpUrl?: URL;
}

/** `urls` param: overrides the service URLs from the env file. */
export const urlsParam = z.array(z.string().url()).default([]);

export const NO_SERVICES = 'no service URL: set APP_URL (or API_BASE_URL), STOREFRONT_URL, VENDOR_PANEL_URL or ADMIN_PANEL_URL, or the `urls` param';

export function webTargets(ctx: Pick<ProbeContext, 'target'>, urls: readonly string[]): WebTarget[] {
  if (urls.length > 0) return urls.map((url) => ({ subject: url, url: new URL(url) }));
  return ctx.target.services().map((service) => ({ subject: service.name, url: service.url, ...(service.httpUrl ? { httpUrl: service.httpUrl } : {}) }));
}

/** The API's base URL (APP_URL or API_BASE_URL), or the `url` param. */
export function apiUrl(ctx: Pick<ProbeContext, 'target'>, override: string | undefined): URL | undefined {
  if (override) return new URL(override);
  return ctx.target.services().find((service) => service.name === 'api')?.url;
}

export interface PerTargetOptions {
  /** Status of a target that cannot be reached; error by default (the probe could not look, which is not a pass). */
  unreachable?: ProbeStatus;
  /** The check only means something over TLS: a plain-http service URL is a failure of its own. */
  httpsOnly?: boolean;
}

/** Runs `judge` for every target, concurrently, and combines the per-target details. */
export async function perTarget<T extends WebTarget>(
  targets: readonly T[],
  expected: string,
  remediation: string | undefined,
  judge: (target: T) => Promise<Omit<FindingDetail, 'subject'> | FindingDetail[]>,
  options: PerTargetOptions = {},
): Promise<Finding> {
  if (targets.length === 0) return skipped(NO_SERVICES, expected);
  const results = await Promise.all(
    targets.map(async (target): Promise<FindingDetail[]> => {
      if (options.httpsOnly && target.url.protocol !== 'https:') {
        return [{ subject: target.subject, status: 'fail', observed: `${target.url.origin} is served over plain http, not https` }];
      }
      try {
        const detail = await judge(target);
        return Array.isArray(detail) ? detail : [{ subject: target.subject, ...detail }];
      } catch (error) {
        return [{ subject: target.subject, status: isTimeout(error) ? 'error' : options.unreachable ?? 'error', observed: `no answer from ${target.url.origin}: ${errorMessage(error)}` }];
      }
    }),
  );
  return combine(results.flat(), expected, remediation);
}

/** Per-service judgement of the shared GET of each service URL. */
export function perResponse(
  ctx: ProbeContext,
  urls: readonly string[],
  expected: string,
  remediation: string | undefined,
  judge: (response: HttpResponse, target: WebTarget) => Omit<FindingDetail, 'subject'>,
  options: PerTargetOptions = {},
): Promise<Finding> {
  return perTarget(webTargets(ctx, urls), expected, remediation, async (target) => judge(await getFact(ctx, target.url), target), options);
}

/** The value of a header, or undefined (names are lower-case in facts). */
export function header(response: { headers: Record<string, string> }, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function isHtml(response: { headers: Record<string, string> }): boolean {
  return /text\/html|application\/xhtml/i.test(header(response, 'content-type') ?? '');
}

/** Something wrong that a judgement found, with how serious it is. */
export interface Problem {
  status: ProbeStatus;
  text: string;
}

/** One detail from a judgement's problems: `ok` when there are none, else the worst status and every problem, then `summary`. */
export function fromProblems(problems: readonly Problem[], ok: string, summary?: string, separator = ', '): Omit<FindingDetail, 'subject'> {
  if (problems.length === 0) return { status: 'pass', observed: ok };
  const listed = problems.map((problem) => problem.text).join(separator);
  return { status: worst(problems.map((problem) => problem.status)), observed: summary ? `${listed}; ${summary}` : listed };
}

/**
 * The responses that matter, per service: the API's representative read routes (BazaarHub's
 * `GET /` is Express's 404 page, which says nothing about the real API) and each front end's
 * pages. Shared by the header, body and reachability probes so they judge the same routes and
 * each URL is fetched once per run.
 */
export const routeParams = {
  urls: urlsParam,
  /** Paths on the API (APP_URL/API_BASE_URL) whose responses stand for the real API. */
  apiRoutes: z.array(z.string().startsWith('/')).default(['/api/products', '/api/categories']),
  /** Extra paths on every front end beside its URL (e.g. /products). */
  pages: z.array(z.string().startsWith('/')).default([]),
};

export interface Route {
  /** `service path`, e.g. `api /api/products`, or the URL itself when it came from the `urls` param. */
  subject: string;
  url: URL;
}

export interface ServiceRoutes<T extends WebTarget = WebTarget> {
  target: T;
  routes: Route[];
}

export function routesOf<T extends WebTarget>(targets: readonly T[], params: { urls: readonly string[]; apiRoutes: readonly string[]; pages: readonly string[] }): ServiceRoutes<T>[] {
  return targets.map((target) => {
    if (params.urls.length > 0) return { target, routes: [{ subject: target.subject, url: target.url }] };
    const paths = target.subject === 'api' ? params.apiRoutes.map((path) => new URL(path, target.url)) : [target.url, ...params.pages.map((path) => new URL(path, target.url))];
    const seen = new Set<string>();
    const routes = (paths.length > 0 ? paths : [target.url]).filter((url) => !seen.has(url.href) && seen.add(url.href));
    return { target, routes: routes.map((url) => ({ subject: `${target.subject} ${url.pathname}${url.search}`, url })) };
  });
}

/** Why a response is no evidence for a judgement (undefined when it is). A 404 page or an error never is. */
export type EvidenceTest = (response: HttpResponse) => string | undefined;

export const answeredOk: EvidenceTest = (response) => (response.status >= 200 && response.status < 300 ? undefined : `answered ${response.status}`);

export interface PerRouteOptions extends PerTargetOptions {
  evidence?: EvidenceTest;
  /** What a service with no route fit to judge is told to configure. */
  hint?: string;
  /** Status of one route that got no answer while others did (not judged by default; a timeout is always an error). */
  routeUnanswered?: ProbeStatus;
}

/**
 * How long a probe waits for one route: the run's timeout, as the shared GET itself does. The
 * probes that judge routes take `routeBudget` (a little more than the timeout) so a slow route is
 * reported by name instead of the probe timing out as a whole.
 */
export function routeWaitMs(ctx: ProbeContext): number {
  return ctx.options.timeoutMs;
}

/** The budget of a probe that waits up to `routeWaitMs` for its routes: room to report them. */
export const routeBudget = (_params: unknown, options: RunOptions): number => options.timeoutMs + 300;

/** The shared GET of a route, bounded by `routeWaitMs`; a same-origin redirect is followed once (a panel's `/` → `/login`). */
export async function fetchRoute(ctx: ProbeContext, url: URL): Promise<HttpResponse> {
  const waitMs = routeWaitMs(ctx);
  let timer: NodeJS.Timeout | undefined;
  // A backstop just after the shared GET's own timeout, for a fact another probe started with a longer wait.
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${(waitMs / 1000).toFixed(1)} s`)), waitMs + 50);
  });
  try {
    const first = await Promise.race([getFact(ctx, url), bound]);
    const location = first.status >= 300 && first.status < 400 ? header(first, 'location') : undefined;
    if (!location) return first;
    const next = new URL(location, url);
    if (next.origin !== url.origin || next.href === url.href) return first;
    return await Promise.race([getFact(ctx, next), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Judges every route of every service: one detail per route (`service path`). A route whose
 * response is no evidence (a 404, a body too small, no answer) is reported as not judged; a
 * service none of whose routes could be judged is an `error` naming what each route answered,
 * never a pass.
 */
export async function perRoute(
  ctx: ProbeContext,
  services: readonly ServiceRoutes[],
  expected: string,
  remediation: string | undefined,
  judge: (response: HttpResponse, route: Route) => Omit<FindingDetail, 'subject'> | Promise<Omit<FindingDetail, 'subject'>>,
  options: PerRouteOptions = {},
): Promise<Finding> {
  if (services.length === 0) return skipped(NO_SERVICES, expected);
  const evidence = options.evidence ?? answeredOk;
  const results = await Promise.all(
    services.map(async ({ target, routes }): Promise<FindingDetail[]> => {
      if (options.httpsOnly && target.url.protocol !== 'https:') {
        return [{ subject: target.subject, status: 'fail', observed: `${target.url.origin} is served over plain http, not https` }];
      }
      const details = await Promise.all(
        routes.map(async (route): Promise<FindingDetail & { judged: boolean; failure?: unknown }> => {
          try {
            const response = await fetchRoute(ctx, route.url);
            const reason = evidence(response);
            if (reason) return { subject: route.subject, status: 'skipped', observed: `${reason}: not judged`, judged: false };
            return { subject: route.subject, ...(await judge(response, route)), judged: true };
          } catch (error) {
            const status = options.routeUnanswered ? (isTimeout(error) ? 'error' : options.routeUnanswered) : 'skipped';
            return { subject: route.subject, status, observed: `no answer: ${errorMessage(error)}`, judged: false, failure: error };
          }
        }),
      );
      const plain = details.map(({ subject, status, observed }) => ({ subject, status, observed }));
      if (details.some((detail) => detail.judged)) return plain;
      const failures = details.filter((detail) => detail.failure !== undefined);
      if (failures.length === details.length) {
        const error = failures[0]?.failure;
        const status = isTimeout(error) ? 'error' : options.unreachable ?? 'error';
        return [{ subject: target.subject, status, observed: `no answer from ${target.url.origin}: ${errorMessage(error)}` }];
      }
      const seen = details.map((detail) => `${detail.subject.replace(`${target.subject} `, '')} ${detail.observed.replace(/: not judged$/, '')}`).join(', ');
      return [...plain, { subject: target.subject, status: 'error', observed: `no response fit to judge (${seen})${options.hint ? `; ${options.hint}` : ''}` }];
    }),
  );
  return combine(results.flat(), expected, remediation);
}

export const ROUTES_HINT = 'list the routes that answer with the apiRoutes or pages param';
