import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { ProbeContext } from '../engine/types.js';

/**
 * One HTTP(S) exchange with a third-party API (Razorpay, Shiprocket, Prometheus, a webhook route),
 * for the gatherers in this folder. TLS verification follows the run options (on unless
 * --insecure; --ca certificates trusted beside the system store); redirects are not followed,
 * so a probe sees exactly what the endpoint answered; the body is capped.
 */
export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

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

export function apiRequest(ctx: ProbeContext, url: URL, init: ApiRequest = {}, signal: AbortSignal = gatherSignal(ctx)): Promise<ApiResponse> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported scheme ${url.protocol}`));
  const send = secure ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { 'user-agent': 'bazaarhub-check', accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise<ApiResponse>((resolve, reject) => {
    const req = send(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        signal,
        timeout: ctx.options.timeoutMs,
        agent: false,
        ...(secure
          ? { rejectUnauthorized: !ctx.options.insecure, ...(ctx.options.ca.length > 0 ? { ca: [...rootCertificates, ...ctx.options.ca] } : {}) }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ctx.options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(init.body);
  });
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
