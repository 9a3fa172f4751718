import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail, type ProbeContext } from '../../src/engine/types.js';
import { send } from '../../src/facts/http.js';
import { secureContextFor } from '../../src/facts/tls.js';
import { mapConcurrent } from '../../src/util/pool.js';
import { NO_SERVICES, webTargets } from './services.js';

export interface Sample {
  endpoint: string;
  /** Milliseconds to the full response; undefined for a request that errored. */
  ms?: number;
  /** A network error or a 5xx. */
  error: boolean;
}

export interface LatencyPolicy {
  p95Ms: number;
  maxErrorRate: number;
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

function stats(samples: readonly Sample[]) {
  const times = samples.flatMap((sample) => (sample.ms === undefined || sample.error ? [] : [sample.ms])).sort((a, b) => a - b);
  const errors = samples.filter((sample) => sample.error).length;
  return { count: samples.length, errors, errorRate: samples.length ? errors / samples.length : 0, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : `${Math.round(value)} ms`);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Pure judgement of latency samples: overall thresholds, and one detail per endpoint to spot slow ones. */
export function judgeLatency(samples: readonly Sample[], policy: LatencyPolicy, note = ''): Omit<Finding, 'expected'> {
  const overall = stats(samples);
  const judge = (s: ReturnType<typeof stats>) => (s.errorRate > policy.maxErrorRate || !(s.p95 <= policy.p95Ms) ? 'fail' : 'pass');
  const endpoints = [...new Set(samples.map((sample) => sample.endpoint))];
  const details: FindingDetail[] = endpoints.map((endpoint) => {
    const s = stats(samples.filter((sample) => sample.endpoint === endpoint));
    return { subject: endpoint, status: judge(s), observed: `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, errors ${s.errors}/${s.count}` };
  });
  const observed = `${overall.count} requests: p50 ${ms(overall.p50)}, p95 ${ms(overall.p95)}, p99 ${ms(overall.p99)}, error rate ${pct(overall.errorRate)}${note}`;
  const slow = details.filter((detail) => detail.status === 'fail').map((detail) => detail.subject);
  return { status: judge(overall), observed: slow.length > 0 ? `${observed}; slow or failing: ${slow.join(', ')}` : observed, details };
}

export default defineProbe({
  id: 'http.latency',
  sends: { to: 'the endpoints param, default every service URL', what: '`requests` GETs (default 50) at `concurrency` (default 5) over keep-alive connections; no body', effect: 'load only: a bounded burst of reads' },
  title: 'Response times and error rate within the success criteria',
  description:
    'Sends `requests` GETs (default 50) at `concurrency` against the listed endpoints (default: every service URL), and reports p50/p95/p99 and the error rate (network errors and 5xx); fails when p95 exceeds p95Ms (2 s) or the error rate exceeds maxErrorRate (0.5%).',
  params: z.object({
    /** URLs, or paths resolved against every service URL. */
    endpoints: z.array(z.string()).default([]),
    requests: z.number().int().min(1).max(2000).default(50),
    concurrency: z.number().int().min(1).max(50).default(5),
    p95Ms: z.number().positive().default(2000),
    maxErrorRate: z.number().min(0).max(1).default(0.005),
  }),
  remediation: 'Find the slow endpoints in the details, then profile them (slow queries, missing indices, N+1 calls, cold caches) and scale the service if it is saturated.',
  suggests: [
    { match: /Response times? < ?(\d+(?:\.\d+)?) ?seconds?.*p95/i, params: (m) => ({ p95Ms: Number(m[1]) * 1000 }), severity: 'high' },
    { match: /Error rate < ?(\d+(?:\.\d+)?)%/i, params: (m) => ({ maxErrorRate: Number(m[1]) / 100 }), severity: 'high' },
    { match: /Identify (and optimi[sz]e )?slow endpoints/i, severity: 'medium' },
  ],
  async run(ctx, params) {
    const expected = `p95 <= ${params.p95Ms} ms and error rate <= ${pct(params.maxErrorRate)}`;
    const services = webTargets(ctx, []);
    const endpoints =
      params.endpoints.length === 0
        ? services.map((service) => service.url)
        : params.endpoints.flatMap((endpoint) => (/^https?:\/\//.test(endpoint) ? [new URL(endpoint)] : services.map((service) => new URL(endpoint, service.url))));
    if (endpoints.length === 0) return { status: 'skipped', observed: NO_SERVICES.replace('the `urls` param', 'the `endpoints` param'), expected };

    // Several catalog entries judge the same load (p95, error rate, slow endpoints) with different
    // thresholds: measure once per run and endpoint set, judge per entry.
    const key = `latency ${params.requests}x${params.concurrency} ${endpoints.map((url) => url.href).join(' ')}`;
    const { samples, note } = await ctx.facts.once(key, () => measure(ctx, endpoints, params));
    // Not one answer (every request refused or timed out): there is no latency to judge.
    if (samples.length > 0 && samples.every((sample) => sample.ms === undefined)) {
      return { status: 'error', observed: `none of ${samples.length} requests got an answer${note}`, expected };
    }
    return { ...judgeLatency(samples, params, note), expected };
  },
});

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
    const plan = Array.from({ length: params.requests }, (_, index) => endpoints[index % endpoints.length] as URL);
    const samples = await mapConcurrent(plan, params.concurrency, async (url): Promise<Sample | undefined> => {
      if (ctx.signal.aborted || Date.now() - started > budget) {
        stopped += 1;
        return undefined;
      }
      const t0 = performance.now();
      try {
        const response = await send(ctx, url, { agent: agents[url.protocol as 'http:' | 'https:'], maxBodyBytes: 256 * 1024 });
        return { endpoint: url.href, ms: performance.now() - t0, error: response.status >= 500 };
      } catch {
        return { endpoint: url.href, error: true };
      }
    });
    const taken = samples.filter((sample): sample is Sample => sample !== undefined);
    return { samples: taken, note: stopped > 0 ? ` (stopped ${stopped} requests early: probe time budget)` : '' };
  } finally {
    agents['http:'].destroy();
    agents['https:'].destroy();
  }
}
