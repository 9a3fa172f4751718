import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alertRules, { judgeAlerts } from '../../checks/monitoring/alert-rules.js';
import { CRITICAL_ALERTS, matchingRules } from '../../checks/monitoring/critical-alerts.js';
import { readChecklist } from '../../src/checklist/read.js';
import { parseRules } from '../../src/facts/prometheus.js';
import { BAZAARHUB_RULES, rulesResponse, startPrometheusStandIn, type RunningPrometheus } from '../../src/standins/prometheus.js';
import { runProbe } from '../helpers/servers.js';

const WITHOUT_PAYMENT_AND_EMAIL = BAZAARHUB_RULES.replace(/      - alert: (PaymentGatewayFailures|EmailDeliveryFailing)\n(?: {8}.*\n)+/g, '');

let complete: RunningPrometheus;
let partial: RunningPrometheus;
let guarded: RunningPrometheus;
let broken: RunningPrometheus;

beforeAll(async () => {
  complete = await startPrometheusStandIn({ rules: BAZAARHUB_RULES });
  partial = await startPrometheusStandIn({ rules: WITHOUT_PAYMENT_AND_EMAIL });
  guarded = await startPrometheusStandIn({ rules: BAZAARHUB_RULES, basicAuth: { user: 'grafana', password: 'prom-password-123' } });
  broken = await startPrometheusStandIn({ rules: BAZAARHUB_RULES, errors: { S3ConnectivityLoss: 'vector contains metrics with the same labelset after applying alert labels' } });
});
afterAll(async () => {
  await Promise.all([complete.close(), partial.close(), guarded.close(), broken.close()]);
});

describe('monitoring.alert-rules', () => {
  it('passes when every critical alert has a rule, each matched to the right one', async () => {
    const finding = await runProbe(alertRules, { PROMETHEUS_URL: complete.url });
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/^11 alerting rule\(s\); /);
    expect(Object.fromEntries(finding.details?.map((detail) => [detail.subject, detail.observed]) ?? [])).toEqual({
      'API response time > 5 seconds': 'HighApiLatency (group bazaarhub-critical)',
      'Error rate > 1%': 'HighErrorRate (group bazaarhub-critical)',
      'Database connection pool exhausted': 'DatabaseConnectionPoolExhausted (group bazaarhub-critical)',
      'Redis connection failed': 'RedisDown (group bazaarhub-critical)',
      'Elasticsearch cluster unhealthy': 'ElasticsearchClusterRed (group bazaarhub-critical)',
      'Disk space < 10%': 'DiskSpaceLow (group bazaarhub-critical)',
      'Memory usage > 80%': 'HighMemoryUsage (group bazaarhub-critical)',
      'CPU usage > 80%': 'HighCpuUsage (group bazaarhub-critical)',
      'Payment gateway failure': 'PaymentGatewayFailures (group bazaarhub-critical)',
      'Email delivery failure': 'EmailDeliveryFailing (group bazaarhub-critical)',
      'S3 connectivity loss': 'S3ConnectivityLoss (group bazaarhub-critical)',
    });
  });

  it('fails and lists the critical alerts without a rule', async () => {
    const finding = await runProbe(alertRules, { PROMETHEUS_URL: partial.url });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('9 alerting rule(s); Payment gateway failure: no alerting rule matches; Email delivery failure: no alerting rule matches');
  });

  it('checks one alert when the catalog names it, and honours an explicit mapping', async () => {
    expect((await runProbe(alertRules, { PROMETHEUS_URL: partial.url }, { alerts: ['CPU usage > 80%'] })).status).toBe('pass');
    expect((await runProbe(alertRules, { PROMETHEUS_URL: partial.url }, { alerts: ['Email delivery failure'] })).status).toBe('fail');
    const mapped = await runProbe(alertRules, { PROMETHEUS_URL: partial.url }, { alerts: ['Email delivery failure'], mapping: { 'Email delivery failure': ['HighErrorRate'] } });
    expect(mapped.status).toBe('pass');
    const wrongName = await runProbe(alertRules, { PROMETHEUS_URL: complete.url }, { alerts: ['CPU usage > 80%'], mapping: { 'CPU usage > 80%': ['NodeCpuHot'] } });
    expect(wrongName.observed).toContain('CPU usage > 80%: no alerting rule named NodeCpuHot');
  });

  it('warns when the matching rule fails to evaluate', async () => {
    const finding = await runProbe(alertRules, { PROMETHEUS_URL: broken.url });
    expect(finding.status).toBe('warn');
    expect(finding.observed).toContain('S3 connectivity loss: S3ConnectivityLoss (group bazaarhub-critical) fails to evaluate: vector contains metrics');
  });

  it('sends URL credentials as Basic auth; errors on 401, on no answer; skips without a URL', async () => {
    const withAuth = new URL(guarded.url);
    withAuth.username = 'grafana';
    withAuth.password = 'prom-password-123';
    const finding = await runProbe(alertRules, { PROMETHEUS_URL: withAuth.href });
    expect(finding.status).toBe('pass');
    expect(JSON.stringify({ ...finding, ctx: undefined })).not.toContain('prom-password-123');
    const refused = await runProbe(alertRules, {}, { url: guarded.url });
    expect(refused.status).toBe('error');
    expect(refused.observed).toBe('Prometheus rules API: /api/v1/rules answered 401');
    const gone = await startPrometheusStandIn({ rules: 'groups: []' });
    await gone.close();
    expect((await runProbe(alertRules, { PROMETHEUS_URL: gone.url })).status).toBe('error');
    expect((await runProbe(alertRules, {})).status).toBe('skipped');
  });

  it('knows exactly the checklist\'s Critical Alerts', async () => {
    const checklist = await readChecklist(join(import.meta.dirname, '../../checklists/deployment.md'));
    const block = checklist.items.filter((item) => item.kind === 'requirement' && item.sectionTitle === 'Critical Alerts').map((item) => item.title);
    expect(block).toEqual(CRITICAL_ALERTS.map((alert) => alert.title));
  });

  it('matches rules by expression and annotations, and other titles by their words', () => {
    const { rules } = parseRules(rulesResponse({ rules: `groups:\n  - name: g\n    rules:\n      - alert: A1\n        expr: redis_connected_clients < 1\n      - alert: A2\n        expr: up == 0\n        annotations: { summary: KYC webhook queue stuck }\n` }, 'alert'));
    expect(matchingRules('Redis connection failed', rules).map((rule) => rule.name)).toEqual(['A1']);
    expect(matchingRules('KYC queue stuck', rules).map((rule) => rule.name)).toEqual(['A2']);
    expect(judgeAlerts({ rules: [] }, ['CPU usage > 80%'], {})[0]?.status).toBe('fail');
    expect(parseRules({ status: 'error', error: 'bad' }).error).toContain('bad');
  });
});
