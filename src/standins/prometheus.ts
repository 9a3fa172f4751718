import { parse } from 'yaml';
import type { StandIn } from '../demo/standin.js';
import { basicCredentials, listenHttp, sameSecret, sendJson } from './http.js';

/**
 * A Prometheus stand-in on 127.0.0.1 serving `/api/v1/rules` (with `type=alert|record`) the way
 * Prometheus does for a loaded rules file: the same rules-file YAML in (groups of `alert:` and
 * `record:` rules), the same JSON out (state, name, query, duration, labels, annotations, alerts,
 * health, evaluation times, type). Optional Basic auth as configured by Prometheus's web config.
 */
export interface PrometheusStandInOptions {
  /** A Prometheus rules file (YAML text). */
  rules: string;
  /** Rule name → lastError, to show a rule that fails to evaluate (health "err"). */
  errors?: Record<string, string>;
  basicAuth?: { user: string; password: string };
}

export interface RunningPrometheus {
  url: string;
  /** Requests other than GET/HEAD (admin APIs, remote write): none of the probes' business. */
  writes: string[];
  close(): Promise<void>;
}

interface RuleFileRule {
  alert?: string;
  record?: string;
  expr?: string | number;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Prometheus durations (`1h30m`, `5m`, `30s`) in seconds. */
export function durationSeconds(text: string | undefined): number {
  if (!text) return 0;
  let total = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(match[1]) * (UNIT_SECONDS[match[2] as string] ?? 0);
  return total;
}

export function rulesResponse(options: PrometheusStandInOptions, type: string | null): unknown {
  const file = parse(options.rules) as { groups?: Array<{ name: string; interval?: string; rules?: RuleFileRule[] }> } | null;
  const lastEvaluation = new Date().toISOString();
  const groups = (file?.groups ?? []).map((group) => ({
    name: group.name,
    file: '/etc/prometheus/rules/bazaarhub.rules.yml',
    rules: (group.rules ?? [])
      .filter((rule) => (type === 'alert' ? rule.alert : type === 'record' ? rule.record : true))
      .map((rule) => {
        const name = rule.alert ?? rule.record ?? '';
        const lastError = options.errors?.[name];
        const health = lastError ? { health: 'err', lastError } : { health: 'ok' };
        const common = { name, query: String(rule.expr ?? ''), ...health, evaluationTime: 0.000_412, lastEvaluation };
        if (!rule.alert) return { ...common, ...(rule.labels ? { labels: rule.labels } : {}), type: 'recording' };
        return {
          state: 'inactive',
          ...common,
          duration: durationSeconds(rule.for),
          keepFiringFor: durationSeconds(rule.keep_firing_for),
          labels: rule.labels ?? {},
          annotations: rule.annotations ?? {},
          alerts: [],
          type: 'alerting',
        };
      }),
    interval: durationSeconds(group.interval) || 15,
    limit: 0,
    evaluationTime: 0.001_3,
    lastEvaluation,
  }));
  return { status: 'success', data: { groups } };
}

export async function startPrometheusStandIn(options: PrometheusStandInOptions): Promise<RunningPrometheus> {
  const writes: string[] = [];
  const http = await listenHttp((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') writes.push(`${req.method} ${req.url}`);
    if (options.basicAuth) {
      const given = basicCredentials(req);
      if (!given || !sameSecret(given.user, options.basicAuth.user) || !sameSecret(given.password, options.basicAuth.password)) {
        res.writeHead(401, { 'www-authenticate': 'Basic', 'content-type': 'text/plain; charset=utf-8' });
        res.end('Unauthorized\n');
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://standin');
    if (url.pathname === '/api/v1/rules') {
      const type = url.searchParams.get('type');
      if (type !== null && type !== 'alert' && type !== 'record') return sendJson(res, 400, { status: 'error', errorType: 'bad_data', error: `invalid rule type "${type}"` });
      return sendJson(res, 200, rulesResponse(options, type));
    }
    if (url.pathname === '/-/ready' || url.pathname === '/-/healthy') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Prometheus Server is Ready.\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  });
  return { url: http.url, writes, close: http.close };
}

/** BazaarHub's reference alerting rules, one per Critical Alert of the checklist. */
export const BAZAARHUB_RULES = `groups:
  - name: bazaarhub-critical
    rules:
      - alert: HighApiLatency
        expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="bazaarhub-api"}[5m]))) > 5
        for: 5m
        labels: { severity: critical }
        annotations: { summary: API response time above 5 seconds }
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{job="bazaarhub-api",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="bazaarhub-api"}[5m])) > 0.01
        for: 5m
        labels: { severity: critical }
        annotations: { summary: Error rate above 1% }
      - alert: DatabaseConnectionPoolExhausted
        expr: pg_pool_waiting_clients{job="bazaarhub-api"} > 0 and pg_pool_idle_clients == 0
        for: 2m
        labels: { severity: critical }
      - alert: RedisDown
        expr: redis_up == 0
        for: 1m
        labels: { severity: critical }
        annotations: { summary: Redis connection failed }
      - alert: ElasticsearchClusterRed
        expr: elasticsearch_cluster_health_status{color="red"} == 1
        for: 5m
        labels: { severity: critical }
      - alert: DiskSpaceLow
        expr: node_filesystem_avail_bytes{fstype!="tmpfs"} / node_filesystem_size_bytes < 0.10
        for: 10m
        labels: { severity: critical }
      - alert: HighMemoryUsage
        expr: (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > 0.80
        for: 10m
        labels: { severity: critical }
      - alert: HighCpuUsage
        expr: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > 0.80
        for: 10m
        labels: { severity: critical }
      - alert: PaymentGatewayFailures
        expr: sum(rate(razorpay_requests_total{outcome="error"}[5m])) > 0
        for: 5m
        labels: { severity: critical }
      - alert: EmailDeliveryFailing
        expr: sum(rate(email_send_failures_total[15m])) > 0
        for: 15m
        labels: { severity: critical }
      - alert: S3ConnectivityLoss
        expr: sum(rate(s3_request_errors_total[5m])) > 0
        for: 5m
        labels: { severity: critical }
  - name: bazaarhub-recording
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
`;

/** The demo's Prometheus, with the reference rules minus the email alert, so the demo shows one gap. */
export const prometheusStandIn: StandIn = {
  name: 'prometheus',
  async start() {
    const rules = BAZAARHUB_RULES.replace(/      - alert: EmailDeliveryFailing\n(?: {8}.*\n)+/, '');
    const prometheus = await startPrometheusStandIn({ rules });
    return { name: 'prometheus', env: { PROMETHEUS_URL: prometheus.url }, note: `Prometheus rules API at ${prometheus.url}`, activity: () => ({ writes: [...prometheus.writes] }), close: prometheus.close };
  },
};
