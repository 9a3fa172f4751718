import type { AlertingRule } from '../../src/facts/prometheus.js';

/**
 * The checklist's "Critical Alerts" (the fenced block under "Monitoring & Alerting Setup" in
 * checklists/deployment.md, kept in sync by a test), each with the words an alerting rule for it
 * carries in its name, expression, labels or annotations. Every pattern must match.
 */
export const CRITICAL_ALERTS: ReadonlyArray<{ title: string; all: RegExp[] }> = [
  { title: 'API response time > 5 seconds', all: [/\b(latency|response time|duration|slow)\b/, /\b(api|http|requests?)\b/] },
  { title: 'Error rate > 1%', all: [/\berrors? (rate|ratio|percent(age)?)\b|\b5xx\b|\b5\.\./] },
  { title: 'Database connection pool exhausted', all: [/\b(database|db|postgres(ql)?|pg)\b/, /\b(pool|connections?)\b/] },
  { title: 'Redis connection failed', all: [/\bredis\b/, /\b(connect(ion|ed)?|down|up|unreachable|fail(ed|ure)?|unavailable)\b/] },
  { title: 'Elasticsearch cluster unhealthy', all: [/\b(elasticsearch|opensearch|es)\b/, /\b(health|status|red|yellow|unhealthy)\b/] },
  { title: 'Disk space < 10%', all: [/\b(disk|filesystem|fs|volume)\b/, /\b(space|avail(able)?|free|full|usage|size)\b/] },
  { title: 'Memory usage > 80%', all: [/\b(memory|mem|memavailable|oom)\b/] },
  { title: 'CPU usage > 80%', all: [/\bcpu\b/] },
  { title: 'Payment gateway failure', all: [/\b(payments?|razorpay|gateway)\b/, /\b(fail(ed|ures?|s)?|errors?|down|unavailable)\b/] },
  { title: 'Email delivery failure', all: [/\b(e ?mail|mail|smtp)\b/, /\b(fail(ed|ures?|s)?|errors?|bounce[sd]?|undelivered|down)\b/] },
  { title: 'S3 connectivity loss', all: [/\b(s3|bucket|object storage)\b/, /\b(connect(ivity|ion)?|fail(ed|ures?|s)?|errors?|unreachable|down|loss)\b/] },
];

const GENERIC = new Set(['the', 'and', 'for', 'with', 'usage', 'rate', 'time', 'failure', 'failed', 'loss', 'exhausted', 'unhealthy', 'seconds', 'high', 'low', 'than', 'over', 'under']);

/** A rule's searchable text: camelCase and snake_case split into words, lower case, punctuation as spaces. */
export function ruleText(rule: AlertingRule): string {
  const raw = [rule.name, rule.query, ...Object.values(rule.labels), ...Object.values(rule.annotations)].join(' ');
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9.%]+/g, ' ');
}

/** The patterns for an alert: the built-in ones, or for another title every significant word of it. */
export function patternsFor(title: string): RegExp[] {
  const known = CRITICAL_ALERTS.find((alert) => alert.title.toLowerCase() === title.trim().toLowerCase());
  if (known) return known.all;
  const words = title.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length >= 3 && !/^\d+$/.test(word) && !GENERIC.has(word));
  return words.map((word) => new RegExp(`\\b${word}`));
}

export function matchingRules(title: string, rules: AlertingRule[]): AlertingRule[] {
  const patterns = patternsFor(title);
  if (patterns.length === 0) return [];
  return rules.filter((rule) => {
    const text = ruleText(rule);
    return patterns.every((pattern) => pattern.test(text));
  });
}
