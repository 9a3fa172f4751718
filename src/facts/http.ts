import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import type { ProbeContext } from '../engine/types.js';
import { abortable } from './store.js';
import { secureContextFor } from './tls.js';

/**
 * HTTP response facts. `getFact` is the run's one GET per URL (shared by the header, cookie,
 * compression, cache and reachability probes); `send` is for the probes whose point is to send
 * something else (preflights, bursts, attack shapes, latency samples). Redirects are never
 * followed: the redirect itself is a fact.
 */

export interface HttpResponse {
  url: string;
  method: string;
  status: number;
  /** Lower-cased names; repeated headers joined with ", " (Set-Cookie is in `setCookies`). */
  headers: Record<string, string>;
  setCookies: string[];
  /** Decoded (gunzipped/brotli-decoded) text of at most `maxBodyBytes` of the wire body. */
  body: string;
  /** Bytes read from the wire (possibly compressed), capped at `maxBodyBytes`. */
  wireBytes: number;
  truncated: boolean;
  timeToHeadersMs: number;
  totalMs: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  maxBodyBytes?: number;
  /** A keep-alive agent for repeated requests (latency); a fresh connection per request otherwise. */
  agent?: http.Agent;
}

export interface Transport {
  signal: AbortSignal;
  timeoutMs: number;
  ca?: string[];
  insecure: boolean;
}

export const DEFAULT_HEADERS: Record<string, string> = {
  'user-agent': 'bazaarhub-check (deployment readiness probe)',
  accept: 'text/html,application/json;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, br',
};

const DEFAULT_MAX_BODY = 512 * 1024;

/**
 * Node's HTTP clients and zlib, loaded by the first request rather than at start-up: a run whose
 * probes send nothing over HTTP (`run --only env.` without service URLs) spent 3 ms loading them.
 */
let clients: Promise<{ http: typeof import('node:http'); https: typeof import('node:https'); zlib: typeof import('node:zlib') }> | undefined;
function loadClients() {
  clients ??= Promise.all([import('node:http'), import('node:https'), import('node:zlib')]).then(([http, https, zlib]) => ({ http, https, zlib }));
  return clients;
}

function decode(zlib: typeof import('node:zlib'), buffer: Buffer, encoding: string | undefined): string {
  try {
    // Sync-flush so a body truncated at maxBodyBytes still decodes as far as it goes.
    switch ((encoding ?? '').trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(buffer, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
      case 'deflate':
        return zlib.inflateSync(buffer, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
      case 'br':
        return zlib.brotliDecompressSync(buffer, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }).toString('utf8');
      default:
        return buffer.toString('utf8');
    }
  } catch {
    return '';
  }
}

/** One real HTTP(S) request; rejects on network errors, timeout or abort, resolves for any status. */
export async function request(url: URL, transport: Transport, options: RequestOptions = {}): Promise<HttpResponse> {
  const { http, https, zlib } = await loadClients();
  const method = options.method ?? 'GET';
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const started = performance.now();
  const client = url.protocol === 'https:' ? https : http;
  const secureContext = url.protocol === 'https:' ? secureContextFor({ ca: transport.ca ?? [], insecure: transport.insecure, timeoutMs: transport.timeoutMs }) : undefined;
  // Many requests of one run (facts, latency samples) legitimately wait on the same run signal.
  setMaxListeners(0, transport.signal);
  return new Promise<HttpResponse>((resolve, reject) => {
    // One controller, aborted by an explicit timer or by the run's signal. Not AbortSignal.timeout():
    // inside AbortSignal.any() Node 20 may collect it before it fires (a hung route then waited out the
    // probe's whole budget); and not AbortSignal.any() at all: on a plain-HTTP loopback route it raised a
    // bare client's p50 from 0.38 to 0.65 ms, time http.latency's samples would count as the deployment's.
    const controller = new AbortController();
    const signal = controller.signal;
    const onRunAbort = () => controller.abort(transport.signal.reason);
    const timeout = setTimeout(() => controller.abort(new Error('timeout')), transport.timeoutMs);
    const settle = () => {
      clearTimeout(timeout);
      transport.signal.removeEventListener('abort', onRunAbort);
    };
    if (transport.signal.aborted) onRunAbort();
    else transport.signal.addEventListener('abort', onRunAbort, { once: true });
    const req = client.request(url, {
      method,
      headers: { ...DEFAULT_HEADERS, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
      signal,
      ...(options.agent ? { agent: options.agent } : { agent: false }),
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !transport.insecure, ...(secureContext ? { secureContext } : {}) } : {}),
    });
    const fail = (error: Error) => {
      settle();
      if (signal.aborted && !transport.signal.aborted) reject(new Error(`no response within ${transport.timeoutMs} ms`));
      else reject(error);
    };
    req.once('error', fail);
    req.once('response', (res) => {
      const timeToHeadersMs = performance.now() - started;
      const chunks: Buffer[] = [];
      let wireBytes = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBody - wireBytes;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          wireBytes = maxBody;
          truncated = true;
          res.destroy();
          done();
          return;
        }
        chunks.push(chunk);
        wireBytes += chunk.length;
      });
      res.once('end', () => done());
      res.once('error', (error) => {
        if (!truncated) fail(error);
      });
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        settle();
        // The last byte's time, before decoding: decompression is the client's work, not the deployment's latency.
        const totalMs = performance.now() - started;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (name === 'set-cookie' || value === undefined) continue;
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({
          url: url.href,
          method,
          status: res.statusCode ?? 0,
          headers,
          setCookies: res.headers['set-cookie'] ?? [],
          body: method === 'HEAD' ? '' : decode(zlib, Buffer.concat(chunks), headers['content-encoding']),
          wireBytes,
          truncated,
          timeToHeadersMs,
          totalMs,
        });
      };
    });
    req.end(options.body);
  });
}

/** The probe's own transport: its signal, the run's timeout and trust settings. */
export function transportOf(ctx: ProbeContext): Transport {
  return { signal: ctx.signal, timeoutMs: ctx.options.timeoutMs, ca: ctx.options.ca, insecure: ctx.options.insecure };
}

/**
 * The run's one GET of `url` (default headers, no redirects followed), shared by every probe.
 * `waitMs` lets the probe whose point is a slow route (http.health) wait longer than the run's
 * per-probe timeout for it; every other asker stops waiting at its own deadline.
 */
export function getFact(ctx: ProbeContext, url: URL | string, options: { waitMs?: number } = {}): Promise<HttpResponse> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const waitMs = options.waitMs ?? ctx.facts.timeoutMs;
  const fact = ctx.facts.once(
    `http GET ${target.href}`,
    () =>
      ctx.facts.guard(
        target.host,
        () => {
          ctx.facts.countContact('http', `GET ${target.href}`);
          // The run's signal, not this probe's: the response outlives the probe that asked first.
          return request(target, { signal: ctx.facts.signal, timeoutMs: waitMs, ca: ctx.options.ca, insecure: ctx.options.insecure });
        },
        waitMs,
      ),
    { waitMs, retry: true },
  );
  return abortable(fact, ctx.signal);
}

/**
 * A deliberate request (a CORS exchange with a foreign Origin, say) that several probes judge: sent
 * once per run under `key` and shared, counted as `http-probe`.
 */
export function sendOnce(ctx: ProbeContext, url: URL, options: RequestOptions = {}): Promise<HttpResponse> {
  const key = `http-probe ${options.method ?? 'GET'} ${url.href} ${JSON.stringify(options.headers ?? {})}`;
  const fact = ctx.facts.once(key, () =>
    ctx.facts.guard(url.host, () => {
      ctx.facts.countContact('http-probe', `${options.method ?? 'GET'} ${url.href}`);
      return request(url, { signal: ctx.facts.signal, timeoutMs: ctx.facts.timeoutMs, ca: ctx.options.ca, insecure: ctx.options.insecure }, options);
    }),
  );
  return abortable(fact, ctx.signal);
}

/**
 * A request that is the probe's own point (a preflight, a burst member, an attack shape, a latency
 * sample): not shared, and counted as `http-probe` so `http` contacts stay "one GET per URL".
 */
export function send(ctx: ProbeContext, url: URL, options: RequestOptions = {}): Promise<HttpResponse> {
  return ctx.facts.guard(url.host, () => {
    ctx.facts.countContact('http-probe', `${options.method ?? 'GET'} ${url.href}`);
    return request(url, transportOf(ctx), options);
  });
}
