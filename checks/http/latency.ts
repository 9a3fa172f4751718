import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { worst } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail, type ProbeContext, type ProbeStatus } from '../../src/engine/types.js';
import { send } from '../../src/facts/http.js';
import { secureContextFor } from '../../src/facts/tls.js';
import { mapConcurrent } from '../../src/util/pool.js';
import { NO_SERVICES, routeParams, routesOf, webTargets } from './services.js';

export interface Sample {
  endpoint: string;
  /** Milliseconds to the response's last byte (performance.now(), sub-millisecond); undefined for a request that errored. */
  ms?: number;
  /** A network error or a 5xx. */
  error: boolean;
  /** The HTTP status (0 when there was no answer). */
  status?: number;
}

/** The thresholds one catalog entry names; an unnamed threshold is reported, never judged. */
export interface LatencyPolicy {
  p95Ms?: number;
  maxErrorRate?: number;
}

/**
 * Untimed warm-up GETs per endpoint: at least 3, and enough that the requests in flight on one
 * endpoint (`concurrency` shared by the endpoints) find open keep-alive sockets, as wrk's
 * connections are open before it times anything. Never more than `concurrency`.
 */
export function warmupsPerEndpoint(concurrency: number, endpoints: number): number {
  return Math.min(concurrency, Math.max(3, Math.ceil(concurrency / Math.max(1, endpoints))));
}

/** The thresholds applied when an entry names none: the checklist's success criteria. */
export const DEFAULT_POLICY = { p95Ms: 2000, maxErrorRate: 0.005 } as const;

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** A 404 (or 410) is no latency of a route that matters: those answers are counted apart, never timed. */
const notServed = (sample: Sample) => sample.status === 404 || sample.status === 410;

function stats(samples: readonly Sample[]) {
  const times = samples.flatMap((sample) => (sample.ms === undefined || sample.error || notServed(sample) ? [] : [sample.ms])).sort((a, b) => a - b);
  const errors = samples.filter((sample) => sample.error).length;
  return { count: samples.length, errors, errorRate: samples.length ? errors / samples.length : 0, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}

/** 0.1 ms resolution: on a fast route whole milliseconds are most of the measurement. */
const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(1)} ms`);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Pure judgement of latency samples: overall thresholds, and one detail per endpoint to spot slow ones. */
export function judgeLatency(samples: readonly Sample[], named: LatencyPolicy, note = ''): Omit<Finding, 'expected'> {
  const policy = policyOf(named);
  const overall = stats(samples);
  const judge = (s: ReturnType<typeof stats>): ProbeStatus => {
    if (policy.maxErrorRate !== undefined && s.errorRate > policy.maxErrorRate) return 'fail';
    if (policy.p95Ms !== undefined && !(s.p95 <= policy.p95Ms)) return 'fail';
    return 'pass';
  };
  const endpoints = [...new Set(samples.map((sample) => sample.endpoint))];
  const details: FindingDetail[] = endpoints.map((endpoint) => {
    const own = samples.filter((sample) => sample.endpoint === endpoint);
    const s = stats(own);
    const missing = own.filter(notServed).length;
    // An endpoint that is not served measures nothing: that is not a pass (the probe could not look).
    if (missing === own.length) return { subject: endpoint, status: 'error', observed: `answered ${own[0]?.status} to all ${own.length} requests: not a route to measure (set the endpoints param)` };
    return { subject: endpoint, status: judge(s), observed: `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, errors ${s.errors}/${s.count}${missing ? `, ${missing} answered 404` : ''}` };
  });
  const observed = `${overall.count} requests: p50 ${ms(overall.p50)}, p95 ${ms(overall.p95)}, p99 ${ms(overall.p99)}, error rate ${pct(overall.errorRate)}${note}`;
  const slow = details.filter((detail) => detail.status === 'fail').map((detail) => detail.subject);
  const unmeasured = details.filter((detail) => detail.status === 'error').map((detail) => detail.subject);
  const tail = [slow.length > 0 ? `slow or failing: ${slow.join(', ')}` : '', unmeasured.length > 0 ? `not measured (404): ${unmeasured.join(', ')}` : ''].filter(Boolean).join('; ');
  const status = worst([judge(overall), ...details.map((detail) => detail.status)]);
  return { status, observed: tail ? `${observed}; ${tail}` : observed, details };
}

/** The thresholds an entry named, or the defaults when it named none. */
export function policyOf(named: LatencyPolicy): LatencyPolicy {
  return named.p95Ms === undefined && named.maxErrorRate === undefined ? { ...DEFAULT_POLICY } : named;
}

export function expectedOf(named: LatencyPolicy): string {
  const policy = policyOf(named);
  return [policy.p95Ms !== undefined ? `p95 <= ${policy.p95Ms} ms` : '', policy.maxErrorRate !== undefined ? `error rate <= ${pct(policy.maxErrorRate)}` : ''].filter(Boolean).join(' and ');
}

export default defineProbe({
  id: 'http.latency',
  sends: { to: 'the endpoints param, default the API routes and each front end\'s pages', what: 'untimed warm-up GETs, then `requests` GETs (default 50) at `concurrency` (default 5) over keep-alive connections, in the measurement phase after every other probe; no body', effect: 'load only: a bounded burst of reads' },
  title: 'Response times and error rate within the success criteria',
  description:
    'Sends `requests` GETs (default 50) at `concurrency` against the listed endpoints (default: the API routes, apiRoutes param, and each front end\'s pages), alone after every other probe (its own phase), and reports p50/p95/p99 and the error rate (network errors and 5xx). Each entry judges only the thresholds it names (p95Ms, maxErrorRate); an entry naming none judges both defaults (2 s, 0.5%). An endpoint answering 404 is not measured (error).',
  params: z.object({
    /** URLs, or paths resolved against every service URL. */
    endpoints: z.array(z.string()).default([]),
    apiRoutes: routeParams.apiRoutes,
    pages: routeParams.pages,
    requests: z.number().int().min(1).max(2000).default(50),
    concurrency: z.number().int().min(1).max(50).default(5),
    p95Ms: z.number().positive().optional(),
    maxErrorRate: z.number().min(0).max(1).optional(),
  }),
  phase: 'measurement',
  deliberate: {
    requests: 50,
    per: 'run (the requests param, plus untimed warm-up GETs per endpoint: 3, or up to `concurrency` when fewer endpoints share the requests in flight; entries with the same endpoints, requests and concurrency share one measurement)',
    plan: (params, ctx) => {
      const endpoints = endpointsOf(ctx, params);
      if (endpoints.length === 0) return [];
      const distinct = new Set(endpoints.map((url) => url.href)).size;
      return [{ key: measurementKey(endpoints, params), requests: params.requests + warmupsPerEndpoint(params.concurrency, distinct) * distinct }];
    },
  },
  remediation: 'Find the slow endpoints in the details, then profile them (slow queries, missing indices, N+1 calls, cold caches) and scale the service if it is saturated.',
  suggests: [
    { match: /Response times? < ?(\d+(?:\.\d+)?) ?seconds?.*p95/i, params: (m) => ({ p95Ms: Number(m[1]) * 1000 }), severity: 'high' },
    { match: /Error rate < ?(\d+(?:\.\d+)?)%/i, params: (m) => ({ maxErrorRate: Number(m[1]) / 100 }), severity: 'high' },
    // Slow is the success criterion's 2 s p95; errors are another entry's threshold.
    { match: /Identify (and optimi[sz]e )?slow endpoints/i, params: { p95Ms: 2000 }, severity: 'medium' },
  ],
  async run(ctx, params) {
    const named = { ...(params.p95Ms !== undefined ? { p95Ms: params.p95Ms } : {}), ...(params.maxErrorRate !== undefined ? { maxErrorRate: params.maxErrorRate } : {}) };
    const expected = expectedOf(named);
    const endpoints = endpointsOf(ctx, params);
    if (endpoints.length === 0) return { status: 'skipped', observed: NO_SERVICES.replace('the `urls` param', 'the `endpoints` param'), expected };

    // Several catalog entries judge the same load (p95, error rate, slow endpoints) with different
    // thresholds: measure once per run and endpoint set, judge per entry.
    const key = measurementKey(endpoints, params);
    const { samples, note } = await ctx.facts.once(key, () => measure(ctx, endpoints, params));
    // Not one answer (every request refused or timed out): there is no latency to judge.
    if (samples.length > 0 && samples.every((sample) => sample.ms === undefined)) {
      return { status: 'error', observed: `none of ${samples.length} requests got an answer${note}`, expected };
    }
    return { ...judgeLatency(samples, named, note), expected };
  },
});

/** The URLs an entry measures: its endpoints param (URLs, or paths on every service), else the API routes and each front end's pages. */
function endpointsOf(ctx: Pick<ProbeContext, 'target'>, params: { endpoints: string[]; apiRoutes: string[]; pages: string[] }): URL[] {
  const services = webTargets(ctx, []);
  return params.endpoints.length === 0
    ? routesOf(services, { urls: [], apiRoutes: params.apiRoutes, pages: params.pages }).flatMap(({ routes }) => routes.map((route) => route.url))
    : params.endpoints.flatMap((endpoint) => (/^https?:\/\//.test(endpoint) ? [new URL(endpoint)] : services.map((service) => new URL(endpoint, service.url))));
}

/** One measurement per endpoint set, request count and concurrency: the fact key, and the --max-requests unit. */
function measurementKey(endpoints: readonly URL[], params: { requests: number; concurrency: number }): string {
  return `latency ${params.requests}x${params.concurrency} ${endpoints.map((url) => url.href).join(' ')}`;
}

async function measure(ctx: ProbeContext, endpoints: URL[], params: { requests: number; concurrency: number }): Promise<{ samples: Sample[]; note: string }> {
  // Keep-alive, like real browsers and load testers: we measure the service, not our handshakes.
  // Twice the concurrency in sockets, so a request never queues behind a slow one on a socket
  // that has not been released yet (in-flight requests are bounded by mapConcurrent anyway).
  const secureContext = secureContextFor(ctx.options);
  const maxSockets = params.concurrency * 2;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, rejectUnauthorized: !ctx.options.insecure, ...(secureContext ? { secureContext } : {}) }),
  };
  const started = Date.now();
  // Stop sending at 80% of the probe budget so the samples we have are still judged.
  const budget = ctx.options.timeoutMs * 0.8;
  let stopped = 0;
  try {
    // Warm-up, untimed: open the keep-alive connections first, as a load tester does (wrk times
    // requests, not connects). Otherwise the TLS handshakes land in the slowest 5% of a small
    // sample and p95 measures our connection setup, not the deployment.
    const distinct = [...new Set(endpoints.map((url) => url.href))];
    const warmups = warmupsPerEndpoint(params.concurrency, distinct.length);
    await Promise.all(
      distinct.flatMap((href) =>
        Array.from({ length: warmups }, () => send(ctx, new URL(href), { agent: agents[new URL(href).protocol as 'http:' | 'https:'], maxBodyBytes: 256 * 1024 }).catch(() => undefined)),
      ),
    );
    const plan = Array.from({ length: params.requests }, (_, index) => endpoints[index % endpoints.length] as URL);
    const samples = await mapConcurrent(plan, params.concurrency, async (url): Promise<Sample | undefined> => {
      if (ctx.signal.aborted || Date.now() - started > budget) {
        stopped += 1;
        return undefined;
      }
      try {
        // send()'s totalMs: request start to the last byte, before the body is decoded (as wrk times it).
        const response = await send(ctx, url, { agent: agents[url.protocol as 'http:' | 'https:'], maxBodyBytes: 256 * 1024 });
        return { endpoint: url.href, ms: response.totalMs, error: response.status >= 500, status: response.status };
      } catch {
        return { endpoint: url.href, error: true, status: 0 };
      }
    });
    const taken = samples.filter((sample): sample is Sample => sample !== undefined);
    return { samples: taken, note: stopped > 0 ? ` (stopped ${stopped} requests early: probe time budget)` : '' };
  } finally {
    agents['http:'].destroy();
    agents['https:'].destroy();
  }
}
