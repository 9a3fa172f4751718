import { isTimeout } from '../../src/facts/clean-error.js';
import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { getFact } from '../../src/facts/http.js';
import { errorMessage } from '../../src/util/errors.js';
import { apiUrl } from './services.js';

/** How much longer than the threshold the probe waits, and the runner's slack beyond that. */
const MARGIN_MS = 500;
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;

type Verdict = 'healthy' | 'degraded' | 'unhealthy' | 'placeholder' | 'unknown';

const HEALTHY = /^(ok|okay|up|healthy|pass|passed|passing|green|connected|ready|available|alive|online|true|success)$/i;
const DEGRADED = /^(degraded|warn|warning|yellow|slow|partial)$/i;
const UNHEALTHY = /^(down|error|errored|fail|failed|failing|red|unhealthy|disconnected|unavailable|unreachable|offline|false|timeout|critical|ko)$/i;
const PLACEHOLDER = /^(|todo|tbd|placeholder|unknown|n\/a|na|none|null|undefined|not[ _-]?implemented|not[ _-]?checked|pending|-|\?|xxx|changeme|lorem.*)$/i;
/** A value that says the check has not happened (BazaarHub's `"database": "checking..."` never changes). */
const IN_PROGRESS = /^(checking|loading|initiali[sz]ing|starting|waiting|connecting)\b|(\.\.\.|\u2026)$/i; // … (an ellipsis)
const CONTAINERS = ['dependencies', 'checks', 'services', 'components', 'details', 'info', 'error', 'deps', 'health'];
const META = /^(timestamp|time|date|uptime|version|environment|env|message|msg|service|name|node|pid|memory|hostname|host|commit|build|release|region|description)$/i;

function classify(value: unknown): Verdict {
  if (value === true) return 'healthy';
  if (value === false) return 'unhealthy';
  if (value === null || value === undefined) return 'placeholder';
  if (typeof value === 'string') {
    const text = value.trim();
    if (HEALTHY.test(text)) return 'healthy';
    if (DEGRADED.test(text)) return 'degraded';
    if (UNHEALTHY.test(text)) return 'unhealthy';
    if (PLACEHOLDER.test(text) || IN_PROGRESS.test(text) || /todo|placeholder|not implemented/i.test(text)) return 'placeholder';
    return 'unknown';
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const status = record.status ?? record.state ?? record.health ?? record.healthy ?? record.ok ?? record.connected;
    return status === undefined ? 'unknown' : classify(status);
  }
  return 'unknown';
}

/** Dependencies a health body reports: under a container key, as `[{name,status}]`, or top-level keys with status words. */
export function dependenciesOf(body: Record<string, unknown>): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  for (const key of Object.keys(body)) {
    if (!CONTAINERS.includes(key.toLowerCase())) continue;
    const container = body[key];
    if (Array.isArray(container)) {
      container.slice(0, 50).forEach((entry, index) => {
        const name = typeof entry === 'object' && entry !== null ? String((entry as Record<string, unknown>).name ?? (entry as Record<string, unknown>).id ?? index) : String(index);
        found.push([name, entry]);
      });
    } else if (container && typeof container === 'object') {
      for (const [name, value] of Object.entries(container as Record<string, unknown>).slice(0, 50)) found.push([name, value]);
    }
  }
  if (found.length > 0) return found;
  for (const [key, value] of Object.entries(body)) {
    if (META.test(key) || /^(status|state|ok|healthy)$/i.test(key)) continue;
    if (typeof value === 'boolean' || (typeof value === 'string' && classify(value) !== 'unknown') || (typeof value === 'object' && value !== null && classify(value) !== 'unknown')) found.push([key, value]);
  }
  return found;
}

/** Pure judgement of a health endpoint's answer. */
export function judgeHealth(status: number, body: string): Pick<Finding, 'status' | 'observed'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const ok = status >= 200 && status < 300;
  if (parsed === undefined || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const text = body.trim().slice(0, 40);
    if (!ok) return { status: 'fail', observed: `answered ${status}` };
    return classify(text) === 'healthy'
      ? { status: 'warn', observed: `answered ${status} "${text}" without reporting any dependency` }
      : { status: 'fail', observed: `answered ${status} with a body that is not a health report ("${text}")` };
  }
  const record = parsed as Record<string, unknown>;
  const problems: string[] = [];
  const warnings: string[] = [];
  const overallKey = ['status', 'state', 'health', 'healthy', 'ok'].find((key) => key in record);
  const overall = overallKey ? classify(record[overallKey]) : undefined;
  if (overall === 'placeholder') problems.push(`overall ${overallKey} is a placeholder (${JSON.stringify(record[overallKey as string])})`);
  else if (overall === 'unhealthy') problems.push(`overall ${overallKey} ${JSON.stringify(record[overallKey as string])}`);
  else if (overall === 'degraded') warnings.push(`overall ${overallKey} ${JSON.stringify(record[overallKey as string])}`);
  const dependencies = dependenciesOf(record);
  const healthy: string[] = [];
  for (const [name, value] of dependencies) {
    const verdict = classify(value);
    const shown = typeof value === 'object' ? JSON.stringify(value).slice(0, 60) : JSON.stringify(value);
    if (verdict === 'healthy') healthy.push(name);
    else if (verdict === 'degraded') warnings.push(`${name} ${shown}`);
    else if (verdict === 'unhealthy') problems.push(`${name} ${shown}`);
    else if (verdict === 'placeholder') problems.push(`${name} is a placeholder (${shown})`);
    else warnings.push(`${name} has an unrecognised status ${shown}`);
  }
  if (!ok) problems.unshift(`answered ${status}`);
  // Every dependency that is not healthy is named, whatever else is wrong.
  const named = [...problems, ...warnings].join('; ');
  const fine = healthy.length > 0 ? `; healthy: ${healthy.join(', ')}` : '';
  if (problems.length > 0) return { status: 'fail', observed: `${named}${ok ? ` (inside a ${status})` : ''}${fine}` };
  if (dependencies.length === 0) return { status: 'warn', observed: `answered ${status} but reports no dependencies (database, redis, search)` };
  if (warnings.length > 0) return { status: 'warn', observed: `${named}${fine}` };
  return { status: 'pass', observed: `answered ${status}; healthy: ${healthy.join(', ')}` };
}

export default defineProbe({
  id: 'http.health',
  sends: { to: 'the API (APP_URL/API_BASE_URL)', what: 'one GET of the health path (default /health), waited for up to maxMs; no body', effect: 'none' },
  title: 'Health endpoint answers and reports healthy dependencies',
  description:
    'GET of the API\'s health endpoint (path param, default /health) answers 2xx within the timeout, and every dependency it reports (database, redis, elasticsearch, ...) is healthy; a placeholder value or a 200 with a failing dependency inside is a fail.',
  params: z.object({
    /** Base URL; default the API's (APP_URL or API_BASE_URL). */
    url: z.string().url().optional(),
    path: z.string().default('/health'),
    /** Slowest acceptable answer; slower is a fail, even when the run's per-probe timeout is shorter (the probe waits long enough to see it). */
    maxMs: z.number().int().positive().default(5000),
  }),
  // A timing judged against a threshold: measured alone, after the concurrent probes, like http.latency.
  phase: 'measurement',
  budgetMs: (params, options) => Math.max(options.timeoutMs, params.maxMs + 2 * MARGIN_MS),
  remediation: 'Make /health check each dependency for real (SELECT 1, PING, cluster health) and return 503 with the failing dependency named when any is down; fix the failing dependency.',
  suggests: [{ match: /health checks? passing|Check service health/i, severity: 'critical' }],
  async run(ctx, params) {
    const expected = `2xx from ${params.path} within ${seconds(params.maxMs)} with every reported dependency healthy`;
    const base = apiUrl(ctx, params.url);
    if (!base) return { status: 'skipped', observed: 'no API URL: set APP_URL or API_BASE_URL, or the url param', expected };
    const url = new URL(params.path, base);
    // Long enough to see an answer slower than the threshold, and to read its body when it comes
    // within the run's timeout; the runner gives this probe that much time (budgetMs).
    const waitMs = Math.max(params.maxMs + MARGIN_MS, ctx.options.timeoutMs - MARGIN_MS);
    try {
      const response = await getFact(ctx, url, { waitMs });
      const judged = judgeHealth(response.status, response.body);
      const slow = response.totalMs > params.maxMs;
      const timing = `in ${seconds(response.totalMs)}${slow ? `, slower than the ${seconds(params.maxMs)} threshold` : ''}`;
      return { status: slow ? 'fail' : judged.status, observed: `${url.href} ${timing}: ${judged.observed}`, expected };
    } catch (error) {
      if (/earlier (request|probe)/.test(errorMessage(error))) return { status: 'fail', observed: `${url.href} did not answer: ${errorMessage(error)}`, expected };
      if (isTimeout(error)) return { status: 'fail', observed: `${url.href}: no answer within ${seconds(waitMs)} (threshold ${seconds(params.maxMs)})`, expected };
      return { status: 'fail', observed: `${url.href} did not answer: ${errorMessage(error)}`, expected };
    }
  },
});
