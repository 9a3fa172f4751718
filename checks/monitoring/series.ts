import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { instantQuery, type QueryFact } from '../../src/facts/prometheus.js';

/**
 * The metrics behind the checklist's monitoring items, by the names the standard exporters use
 * (node_exporter, postgres_exporter, redis_exporter, elasticsearch_exporter) and BazaarHub's own
 * reference alerting rules (src/standins/prometheus.ts BAZAARHUB_RULES).
 */
export const DEFAULT_METRICS = ['up', 'node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_filesystem_avail_bytes', 'http_request_duration_seconds_bucket', 'http_requests_total'];

/** A PromQL instant-vector selector: `name`, `name{label="v",...}` or `{__name__="name",...}`; nothing that computes. */
const SELECTOR = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{[^{}]*\})?$/;

function scope(labels: Record<string, string>): string {
  return labels.job ? `${labels.job}${labels.instance ? ` ${labels.instance}` : ''}` : labels.instance ?? '';
}

/** Pure: a metric is monitored when Prometheus holds at least one current series of it; `up` also says which targets are down. */
export function judgeSeries(metric: string, fact: QueryFact): Omit<FindingDetail, 'subject'> {
  if (fact.error !== undefined) return { status: 'error', observed: `the query failed: ${fact.error}` };
  if (fact.samples.length === 0) return { status: 'fail', observed: 'no current series (nothing scrapes it, or its target stopped reporting more than 5 minutes ago)' };
  const where = [...new Set(fact.samples.map((sample) => scope(sample.labels)).filter(Boolean))];
  const named = where.length > 5 ? `${where.slice(0, 5).join(', ')} and ${where.length - 5} more` : where.join(', ');
  const seen = `${fact.samples.length} current series${named ? ` (${named})` : ''}`;
  if (/^up(\{|$)/.test(metric)) {
    const down = fact.samples.filter((sample) => sample.value === 0).map((sample) => scope(sample.labels) || 'a target');
    if (down.length > 0) return { status: 'warn', observed: `${seen}; ${down.length} target(s) down: ${down.slice(0, 5).join(', ')}` };
  }
  return { status: 'pass', observed: seen };
}

const REMEDIATION =
  'Scrape the missing metric: run its exporter (node_exporter for CPU/memory/disk, postgres_exporter, redis_exporter, elasticsearch_exporter, the API\'s /metrics) and add it to scrape_configs; fix targets that are down.';

export default defineProbe({
  id: 'monitoring.series',
  sends: { to: 'Prometheus (PROMETHEUS_URL or url)', what: 'one GET /api/v1/query?query=<selector> per listed metric (an instant read of current samples)', effect: 'none' },
  title: 'Prometheus is collecting the metrics the item monitors',
  description:
    'Asks Prometheus (instant query of each metric selector, GET /api/v1/query) whether it holds a current series of every listed metric: CPU, memory and disk (node_exporter), request latency and errors, database, Redis and Elasticsearch exporters. A metric with no sample in the last 5 minutes is not being monitored; for `up`, targets that are down are named.',
  params: z.object({
    /** Prometheus base URL; default PROMETHEUS_URL. Userinfo in the URL is sent as Basic auth. */
    url: z.string().default(''),
    /** Metric selectors (`name` or `name{label="value"}`), each of which must have a current series. */
    metrics: z.array(z.string().regex(SELECTOR, 'expected a metric selector such as node_cpu_seconds_total or up{job="bazaarhub-api"}')).min(1).default(DEFAULT_METRICS),
  }),
  remediation: REMEDIATION,
  suggests: [{ match: /^Set up monitoring\b/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = `a current series of ${params.metrics.join(', ')} in Prometheus`;
    const url = params.url || ctx.target.get('PROMETHEUS_URL');
    if (!url) return { status: 'skipped', observed: 'no Prometheus URL: set PROMETHEUS_URL or the catalog param url', expected };
    const details = await Promise.all(params.metrics.map(async (metric): Promise<FindingDetail> => ({ subject: metric, ...judgeSeries(metric, await instantQuery(ctx, url, metric)) })));
    return combine(details, expected, REMEDIATION);
  },
});
