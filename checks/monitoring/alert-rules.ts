import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { alertingRules, type AlertingRule, type RulesFact } from '../../src/facts/prometheus.js';
import { CRITICAL_ALERTS, matchingRules } from './critical-alerts.js';

const ALL_TITLES = CRITICAL_ALERTS.map((alert) => alert.title);

function named(rule: AlertingRule): string {
  return `${rule.name}${rule.group ? ` (group ${rule.group})` : ''}`;
}

/** One detail per alert: the rules that cover it (by explicit mapping, or heuristically), and whether they evaluate. */
export function judgeAlerts(fact: RulesFact, alerts: string[], mapping: Record<string, string[]>): FindingDetail[] {
  return alerts.map((title) => {
    const mapped = mapping[title];
    const rules = mapped ? fact.rules.filter((rule) => mapped.includes(rule.name)) : matchingRules(title, fact.rules);
    if (rules.length === 0) {
      return { subject: title, status: 'fail', observed: mapped ? `no alerting rule named ${mapped.join(' or ')}` : 'no alerting rule matches' };
    }
    const healthy = rules.filter((rule) => rule.health !== 'err');
    if (healthy.length === 0) {
      return { subject: title, status: 'warn', observed: `${rules.map(named).join(', ')} fails to evaluate: ${rules[0]?.lastError ?? 'health err'}` };
    }
    return { subject: title, status: 'pass', observed: healthy.map(named).join(', ') };
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export default defineProbe({
  id: 'monitoring.alert-rules',
  sends: { to: 'Prometheus (PROMETHEUS_URL or url)', what: 'one GET /api/v1/rules?type=alert', effect: 'none' },
  title: 'Prometheus has an alerting rule for each critical alert',
  description:
    'Reads the alerting rules from the Prometheus rules API (GET /api/v1/rules?type=alert) and finds one for each of the checklist\'s "Critical Alerts" (API response time, error rate, DB pool, Redis, Elasticsearch, disk, memory, CPU, payment gateway, email, S3), by rule name, expression, labels and annotations, or by an explicit mapping; lists the missing ones.',
  params: z.object({
    /** Prometheus base URL; default PROMETHEUS_URL. Userinfo in the URL is sent as Basic auth. */
    url: z.string().default(''),
    /** The alerts to look for; default every line of the checklist's Critical Alerts block. */
    alerts: z.array(z.string()).default(ALL_TITLES),
    /** Alert title → alerting rule names that cover it, overriding the heuristic for that alert. */
    mapping: z.record(z.array(z.string())).default({}),
  }),
  remediation:
    'Add a Prometheus alerting rule (rules file loaded through rule_files) for each missing critical alert, with the checklist\'s threshold in its expression, and reload Prometheus; or map existing rules with the catalog param mapping.',
  suggests: [
    { match: /alerting for critical metrics|monitoring and alerting active/i, severity: 'high' },
    { match: new RegExp(`^(${ALL_TITLES.map(escape).join('|')})$`, 'i'), params: (m) => ({ alerts: [ALL_TITLES.find((title) => title.toLowerCase() === m[0].toLowerCase()) ?? m[0]] }), severity: 'high' },
  ],
  async run(ctx, params): Promise<Finding> {
    const everyAlert = params.alerts.length === ALL_TITLES.length && ALL_TITLES.every((title) => params.alerts.includes(title));
    const expected = everyAlert ? `an alerting rule for each of the checklist's ${ALL_TITLES.length} Critical Alerts` : `an alerting rule for: ${params.alerts.join(', ')}`;
    const url = params.url || ctx.target.get('PROMETHEUS_URL');
    if (!url) return { status: 'skipped', observed: 'no Prometheus URL: set PROMETHEUS_URL or the catalog param url', expected };
    let fact: RulesFact;
    try {
      fact = await alertingRules(ctx, url);
    } catch {
      return { status: 'error', observed: 'the Prometheus URL is not a valid URL', expected };
    }
    if (fact.error !== undefined) return { status: 'error', observed: `Prometheus rules API: ${fact.error}`, expected };
    const finding = combine(judgeAlerts(fact, params.alerts, params.mapping), expected);
    return { ...finding, observed: `${fact.rules.length} alerting rule(s); ${finding.observed}` };
  },
});
