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
  /** Current series for /api/v1/query (labels include __name__), as the TSDB's head would hold them. */
  series?: SeriesSample[];
  /** Alertmanager URLs for /api/v1/alertmanagers (default: none, as Prometheus without an `alerting:` block). */
  alertmanagers?: { active: string[]; dropped?: string[] };
}

export interface SeriesSample {
  labels: Record<string, string>;
  value: number;
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

interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/**
 * Parses an instant-vector selector (`name`, `name{a="x",b=~"y.*"}`, `{__name__="name"}`), the only
 * PromQL the stand-in evaluates; anything else is a parse error, as Prometheus would say for a typo.
 */
export function parseSelector(query: string): Matcher[] | string {
  const match = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(query);
  if (!match || (!match[1] && match[2] === undefined)) return `1:1: parse error: unexpected character in "${query}" (the stand-in evaluates selectors only)`;
  const matchers: Matcher[] = match[1] ? [{ label: '__name__', op: '=', value: match[1] }] : [];
  const body = match[2]?.trim() ?? '';
  if (body) {
    for (const part of body.split(',').map((text) => text.trim()).filter(Boolean)) {
      const pair = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"$/.exec(part);
      if (!pair) return `1:1: parse error: unexpected label matcher "${part}"`;
      matchers.push({ label: pair[1] as string, op: pair[2] as Matcher['op'], value: (pair[3] as string).replace(/\\(.)/g, '$1') });
    }
  }
  if (!matchers.some((matcher) => (matcher.op === '=' && matcher.value !== '') || (matcher.op === '=~' && !new RegExp(`^(?:${matcher.value})$`).test('')))) {
    return 'vector selector must contain at least one non-empty matcher';
  }
  return matchers;
}

function matches(labels: Record<string, string>, matchers: Matcher[]): boolean {
  return matchers.every((matcher) => {
    const value = labels[matcher.label] ?? '';
    switch (matcher.op) {
      case '=':
        return value === matcher.value;
      case '!=':
        return value !== matcher.value;
      case '=~':
        return new RegExp(`^(?:${matcher.value})$`).test(value);
      case '!~':
        return !new RegExp(`^(?:${matcher.value})$`).test(value);
    }
  });
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
    if (url.pathname === '/api/v1/query') {
      const query = url.searchParams.get('query');
      if (!query) return sendJson(res, 400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": unknown position: parse error: no expression found in input' });
      const matchers = parseSelector(query);
      if (typeof matchers === 'string') return sendJson(res, 400, { status: 'error', errorType: 'bad_data', error: `invalid parameter "query": ${matchers}` });
      const now = Date.now() / 1000;
      const result = (options.series ?? []).filter((series) => matches(series.labels, matchers)).map((series) => ({ metric: series.labels, value: [now, String(series.value)] }));
      return sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result } });
    }
    if (url.pathname === '/api/v1/alertmanagers') {
      const list = (urls: string[] | undefined) => (urls ?? []).map((target) => ({ url: target }));
      return sendJson(res, 200, { status: 'success', data: { activeAlertmanagers: list(options.alertmanagers?.active), droppedAlertmanagers: list(options.alertmanagers?.dropped) } });
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

/**
 * The demo's scraped series: node_exporter, the API's own metrics and the exporters for
 * PostgreSQL, Redis and Elasticsearch, one realistic gap (no Elasticsearch search-time metrics
 * beyond cluster health) and one target down (the storefront's /metrics).
 */
export function demoSeries(): SeriesSample[] {
  const job = (name: string, instance: string) => ({ job: name, instance });
  const node = job('node', 'app-1:9100');
  const api = job('bazaarhub-api', 'api-1:3000');
  return [
    { labels: { __name__: 'up', ...node }, value: 1 },
    { labels: { __name__: 'up', ...api }, value: 1 },
    { labels: { __name__: 'up', ...job('postgres', 'db-1:9187') }, value: 1 },
    { labels: { __name__: 'up', ...job('redis', 'cache-1:9121') }, value: 1 },
    { labels: { __name__: 'up', ...job('elasticsearch', 'es-1:9114') }, value: 1 },
    { labels: { __name__: 'up', ...job('storefront', 'web-1:3001') }, value: 0 },
    { labels: { __name__: 'node_cpu_seconds_total', ...node, cpu: '0', mode: 'idle' }, value: 812_345.2 },
    { labels: { __name__: 'node_cpu_seconds_total', ...node, cpu: '0', mode: 'user' }, value: 91_234.7 },
    { labels: { __name__: 'node_memory_MemAvailable_bytes', ...node }, value: 3_221_225_472 },
    { labels: { __name__: 'node_memory_MemTotal_bytes', ...node }, value: 8_589_934_592 },
    { labels: { __name__: 'node_filesystem_avail_bytes', ...node, mountpoint: '/', fstype: 'ext4' }, value: 42_949_672_960 },
    { labels: { __name__: 'node_filesystem_size_bytes', ...node, mountpoint: '/', fstype: 'ext4' }, value: 107_374_182_400 },
    { labels: { __name__: 'http_request_duration_seconds_bucket', ...api, le: '0.5' }, value: 18_230 },
    { labels: { __name__: 'http_request_duration_seconds_bucket', ...api, le: '+Inf' }, value: 18_400 },
    { labels: { __name__: 'http_requests_total', ...api, status: '200' }, value: 18_310 },
    { labels: { __name__: 'http_requests_total', ...api, status: '500' }, value: 90 },
    { labels: { __name__: 'pg_up', ...job('postgres', 'db-1:9187') }, value: 1 },
    { labels: { __name__: 'pg_stat_database_xact_commit', ...job('postgres', 'db-1:9187'), datname: 'bazaarhub' }, value: 2_345_678 },
    { labels: { __name__: 'redis_up', ...job('redis', 'cache-1:9121') }, value: 1 },
    { labels: { __name__: 'elasticsearch_cluster_health_status', ...job('elasticsearch', 'es-1:9114'), color: 'green' }, value: 1 },
  ];
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
    const prometheus = await startPrometheusStandIn({ rules, series: demoSeries(), alertmanagers: { active: ['http://alertmanager:9093/api/v2/alerts'] } });
    return { name: 'prometheus', env: { PROMETHEUS_URL: prometheus.url }, note: `Prometheus rules API at ${prometheus.url}`, activity: () => ({ writes: [...prometheus.writes] }), close: prometheus.close };
  },
};
