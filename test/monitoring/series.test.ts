import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alertmanagersProbe from '../../checks/monitoring/alertmanagers.js';
import series from '../../checks/monitoring/series.js';
import { BAZAARHUB_RULES, demoSeries, parseSelector, startPrometheusStandIn, type RunningPrometheus } from '../../src/standins/prometheus.js';
import { runCli, withTempDir } from '../helpers/cli.js';
import { runProbe } from '../helpers/servers.js';

let scraped: RunningPrometheus;
let bare: RunningPrometheus;
let guarded: RunningPrometheus;

beforeAll(async () => {
  scraped = await startPrometheusStandIn({ rules: BAZAARHUB_RULES, series: demoSeries(), alertmanagers: { active: ['http://alertmanager:9093/api/v2/alerts'], dropped: ['http://old-alertmanager:9093/api/v2/alerts'] } });
  // Prometheus freshly installed: no scrape target beyond itself, no alerting block.
  bare = await startPrometheusStandIn({ rules: 'groups: []', series: [{ labels: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, value: 1 }] });
  guarded = await startPrometheusStandIn({ rules: 'groups: []', series: demoSeries(), basicAuth: { user: 'ops', password: 'prom-secret-4711' } });
});
afterAll(async () => {
  await Promise.all([scraped.close(), bare.close(), guarded.close()]);
});

describe('the Prometheus stand-in evaluates selectors as Prometheus does', () => {
  it('parses names and label matchers, and refuses anything that computes', () => {
    expect(parseSelector('up{job="api",instance=~"api-.*"}')).toEqual([
      { label: '__name__', op: '=', value: 'up' },
      { label: 'job', op: '=', value: 'api' },
      { label: 'instance', op: '=~', value: 'api-.*' },
    ]);
    expect(parseSelector('rate(http_requests_total[5m])')).toMatch(/parse error/);
    expect(parseSelector('{job=~".*"}')).toMatch(/non-empty matcher/);
  });
});

describe('monitoring.series', () => {
  it('passes when Prometheus holds a current series of each metric, naming the jobs', async () => {
    const finding = await runProbe(series, { PROMETHEUS_URL: scraped.url }, { metrics: ['node_cpu_seconds_total', 'http_requests_total{status="500"}'] });
    expect(finding.status).toBe('pass');
    expect(finding.details).toEqual([
      { subject: 'node_cpu_seconds_total', status: 'pass', observed: '2 current series (node app-1:9100)' },
      { subject: 'http_requests_total{status="500"}', status: 'pass', observed: '1 current series (bazaarhub-api api-1:3000)' },
    ]);
  });

  it('fails for a metric nothing scrapes, and names targets that are down', async () => {
    const missing = await runProbe(series, { PROMETHEUS_URL: scraped.url }, { metrics: ['elasticsearch_indices_search_query_time_seconds'] });
    expect(missing.status).toBe('fail');
    expect(missing.observed).toBe('elasticsearch_indices_search_query_time_seconds: no current series (nothing scrapes it, or its target stopped reporting more than 5 minutes ago)');
    expect(missing.remediation).toMatch(/exporter/);
    const up = await runProbe(series, { PROMETHEUS_URL: scraped.url }, { metrics: ['up'] });
    expect(up.status).toBe('warn');
    expect(up.observed).toMatch(/^up: 6 current series \(.* and 1 more\); 1 target\(s\) down: storefront web-1:3001$/);
    const fresh = await runProbe(series, { PROMETHEUS_URL: bare.url });
    expect(fresh.status).toBe('fail');
    expect(fresh.details?.filter((detail) => detail.status === 'fail').map((detail) => detail.subject)).toEqual(['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_filesystem_avail_bytes', 'http_request_duration_seconds_bucket', 'http_requests_total']);
  });

  it('refuses a param that is not a selector, and errors (never passes) when Prometheus cannot be asked', async () => {
    expect(() => series.params.parse({ metrics: ['rate(x[5m]) > 1'] })).toThrow(/metric selector/);
    const refused = await runProbe(series, { PROMETHEUS_URL: guarded.url }, { metrics: ['up'] });
    expect(refused.status).toBe('error');
    expect(refused.observed).toBe('up: the query failed: /api/v1/query answered 401');
    const withAuth = new URL(guarded.url);
    withAuth.username = 'ops';
    withAuth.password = 'prom-secret-4711';
    expect((await runProbe(series, { PROMETHEUS_URL: withAuth.href }, { metrics: ['up'] })).status).toBe('warn');
    const gone = await startPrometheusStandIn({ rules: 'groups: []' });
    await gone.close();
    expect((await runProbe(series, { PROMETHEUS_URL: gone.url }, { metrics: ['up'] })).status).toBe('error');
    expect((await runProbe(series, {})).status).toBe('skipped');
  });
});

describe('monitoring.alertmanagers', () => {
  it('passes with an active Alertmanager and mentions dropped ones; fails when alerts go nowhere', async () => {
    const active = await runProbe(alertmanagersProbe, { PROMETHEUS_URL: scraped.url });
    expect(active.status).toBe('pass');
    expect(active.observed).toBe('active: http://alertmanager:9093/api/v2/alerts; dropped: http://old-alertmanager:9093/api/v2/alerts');
    const none = await runProbe(alertmanagersProbe, { PROMETHEUS_URL: bare.url });
    expect(none.status).toBe('fail');
    expect(none.observed).toBe('no active Alertmanager: alerting rules fire into nothing');
    expect((await runProbe(alertmanagersProbe, { PROMETHEUS_URL: guarded.url })).status).toBe('error');
  });
});

describe('the catalog monitoring items through the binary', () => {
  const statuses = async (prometheusUrl: string) =>
    withTempDir(async (dir) => {
      const envFile = join(dir, '.env.production');
      await writeFile(envFile, `NODE_ENV=production\nPROMETHEUS_URL=${prometheusUrl}\n`);
      const result = await runCli(['run', '--env-file', envFile, '--only', 'monitoring.series', '--only', 'monitoring.alertmanagers', '--no-manual', '--fail-on', 'low', '--format', 'json']);
      const report = JSON.parse(result.stdout) as { results: Array<{ id: string; status: string }> };
      return { code: result.code, status: Object.fromEntries(report.results.map((entry) => [entry.id, entry.status])) };
    });

  it('a scraped deployment passes the items it monitors and fails the one it does not', async () => {
    const { code, status } = await statuses(scraped.url);
    expect(code).toBe(1);
    expect(status).toMatchObject({
      'post-deployment.performance-monitoring.monitor-cpu-usage': 'pass',
      'post-deployment.performance-monitoring.monitor-memory-usage': 'pass',
      'post-deployment.performance-monitoring.monitor-disk-space': 'pass',
      'post-deployment.performance-monitoring.monitor-api-response-times': 'pass',
      'post-deployment.performance-monitoring.monitor-error-rates': 'pass',
      'post-deployment.performance-monitoring.monitor-database-performance': 'pass',
      'post-deployment.performance-monitoring.monitor-elasticsearch-query-times': 'fail',
      'post-deployment.operational-monitoring.monitor-service-availability': 'warn',
      'post-deployment.operational-monitoring.monitor-alert-system': 'pass',
      'ongoing-maintenance.daily-tasks.monitor-disk-space': 'pass',
      'pre-deployment.infrastructure.set-up-monitoring': 'warn',
    });
  });

  it('a Prometheus that scrapes nothing fails them all', async () => {
    const { code, status } = await statuses(bare.url);
    expect(code).toBe(1);
    expect(status['post-deployment.performance-monitoring.monitor-cpu-usage']).toBe('fail');
    expect(status['post-deployment.operational-monitoring.monitor-alert-system']).toBe('fail');
    expect(status['pre-deployment.infrastructure.set-up-monitoring']).toBe('fail');
    expect(status['post-deployment.operational-monitoring.monitor-service-availability']).toBe('pass');
  });
});
