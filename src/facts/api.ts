import type { ProbeContext } from '../engine/types.js';
import { request, transportOf, type HttpResponse } from './http.js';

/**
 * Helpers for the gatherers that talk to third-party APIs (Razorpay, Shiprocket, Prometheus, a
 * webhook route). Requests go through the HTTP facts' `request` (the run's TLS trust, timeout and
 * signal; redirects not followed, so a probe sees exactly what the endpoint answered).
 */
export type ApiResponse = HttpResponse;

export interface ApiRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The signal a gatherer runs under: the probe's, bounded by the run's per-probe budget. */
export function gatherSignal(ctx: ProbeContext): AbortSignal {
  return AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.options.timeoutMs)]);
}

export function apiRequest(ctx: ProbeContext, url: URL, init: ApiRequest = {}): Promise<ApiResponse> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported scheme ${url.protocol}`));
  return request(url, transportOf(ctx), { ...init, headers: { accept: 'application/json', ...init.headers }, maxBodyBytes: MAX_BODY_BYTES });
}

/** The JSON body, or undefined when it is not JSON. */
export function jsonOf(response: ApiResponse): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return undefined;
  }
}

/** `https://user:pass@host/x` → the URL without userinfo, and a Basic Authorization header when it had any. */
export function splitCredentials(url: URL): { url: URL; authorization?: string } {
  if (!url.username && !url.password) return { url };
  const bare = new URL(url.href);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  bare.username = '';
  bare.password = '';
  return { url: bare, authorization };
}

/** Joins a base URL (which may carry a path) and a path, keeping the base's path. */
export function joinUrl(base: string | URL, path: string): URL {
  const url = new URL(base);
  const [pathname, search] = path.split('?', 2) as [string, string | undefined];
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${pathname.replace(/^\/+/, '')}`;
  url.search = search ? `?${search}` : '';
  return url;
}
