import type { ChecklistItem } from '../checklist/types.js';
import type { Probe } from '../engine/types.js';
import type { Severity } from './schema.js';

export interface Inferred {
  severity: Severity;
  probe?: string;
  params?: Record<string, unknown>;
}

const CRITICAL = /\b(jwt_secret|encryption_key|secret|default passwords?|row-level|vendor data isolation|ssl|tls|https|hsts|certificates?|kms|encryption|payment processing|razorpay.*(keys?|webhook)|zero critical security)\b/i;
const HIGH = /\b(security|cors|firewall|waf|vulnerab|npm audit|permissions|privileges|backups?|restore|replication|failover|migrations?|health|connectivity|monitoring and alerting|alerting|rate limit|secure_cookies|https_only|ddos|kyc|pii|gdpr|compliance)\b/i;
const LOW = /\b(documentation|documented|diagram|training|costs?|budget|feedback|analy[sz]e|reserved instances|right-size|post-mortem|archive|plan for next|stakeholders|user behavior)\b/i;
const LOW_PHASES = new Set(['documentation-to-maintain', 'team-training', 'budget-cost-management', 'post-launch-review']);

/** Proposes severity and, where a registered probe claims the item, `probe:` and params. */
export function infer(item: ChecklistItem, probes: Iterable<Probe>): Inferred {
  const text = `${item.sectionTitle} ${item.title}`;
  for (const probe of probes) {
    for (const suggestion of probe.suggests ?? []) {
      const match = suggestion.match.exec(item.title);
      if (!match) continue;
      const params = typeof suggestion.params === 'function' ? suggestion.params(match) : suggestion.params;
      return { severity: suggestion.severity ?? severityOf(item, text), probe: probe.id, ...(params ? { params } : {}) };
    }
  }
  return { severity: severityOf(item, text) };
}

function severityOf(item: ChecklistItem, text: string): Severity {
  if (LOW_PHASES.has(item.phase) && !CRITICAL.test(item.title)) return 'low';
  if (CRITICAL.test(item.title)) return 'critical';
  if (item.kind === 'criterion') return 'high';
  if (LOW.test(item.title)) return 'low';
  if (HIGH.test(text)) return 'high';
  return 'medium';
}
