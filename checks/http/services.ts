import { z } from 'zod';
import { combine, skipped, worst } from '../../src/engine/findings.js';
import type { Finding, FindingDetail, ProbeContext, ProbeStatus } from '../../src/engine/types.js';
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

export function webTargets(ctx: ProbeContext, urls: readonly string[]): WebTarget[] {
  if (urls.length > 0) return urls.map((url) => ({ subject: url, url: new URL(url) }));
  return ctx.target.services().map((service) => ({ subject: service.name, url: service.url, ...(service.httpUrl ? { httpUrl: service.httpUrl } : {}) }));
}

/** The API's base URL (APP_URL or API_BASE_URL), or the `url` param. */
export function apiUrl(ctx: ProbeContext, override: string | undefined): URL | undefined {
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
        return [{ subject: target.subject, status: options.unreachable ?? 'error', observed: `no answer from ${target.url.origin}: ${errorMessage(error)}` }];
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
