import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { alertmanagers, type AlertmanagersFact } from '../../src/facts/prometheus.js';

/** Pure: alerts reach someone only when Prometheus has at least `min` active Alertmanagers. */
export function judgeAlertmanagers(fact: AlertmanagersFact, min: number): Finding {
  const expected = `Prometheus sends its alerts to at least ${min} active Alertmanager(s)`;
  if (fact.error !== undefined) return { status: 'error', observed: `the alertmanagers API failed: ${fact.error}`, expected };
  const dropped = fact.dropped.length ? `; dropped: ${fact.dropped.join(', ')}` : '';
  if (fact.active.length < min) {
    return { status: 'fail', observed: `${fact.active.length ? `only ${fact.active.join(', ')}` : 'no active Alertmanager'}${dropped}: alerting rules fire into nothing`, expected };
  }
  return { status: 'pass', observed: `active: ${fact.active.join(', ')}${dropped}`, expected };
}

export default defineProbe({
  id: 'monitoring.alertmanagers',
  sends: { to: 'Prometheus (PROMETHEUS_URL or url)', what: 'one GET /api/v1/alertmanagers', effect: 'none' },
  title: 'Alerts are delivered to an Alertmanager',
  description:
    'Reads GET /api/v1/alertmanagers from Prometheus: at least one Alertmanager is active (discovered and not dropped), so the alerting rules reach a notifier; lists dropped ones.',
  params: z.object({
    /** Prometheus base URL; default PROMETHEUS_URL. Userinfo in the URL is sent as Basic auth. */
    url: z.string().default(''),
    min: z.number().int().positive().default(1),
  }),
  remediation: 'Point Prometheus at a running Alertmanager (alerting.alertmanagers in prometheus.yml), check that it is reachable from Prometheus, and reload.',
  suggests: [{ match: /^Monitor alert system$/i, severity: 'high' }],
  async run(ctx, params) {
    const url = params.url || ctx.target.get('PROMETHEUS_URL');
    if (!url) return { status: 'skipped', observed: 'no Prometheus URL: set PROMETHEUS_URL or the catalog param url', expected: `at least ${params.min} active Alertmanager` };
    return judgeAlertmanagers(await alertmanagers(ctx, url), params.min);
  },
});
