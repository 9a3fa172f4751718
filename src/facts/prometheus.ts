import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { apiRequest, joinUrl, jsonOf, splitCredentials } from './api.js';

/** One alerting rule as Prometheus's /api/v1/rules reports it. */
export interface AlertingRule {
  name: string;
  query: string;
  group: string;
  file?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  health?: string;
  lastError?: string;
}

export interface RulesFact {
  rules: AlertingRule[];
  error?: string;
}

function strings(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Reads the alerting rules out of a /api/v1/rules answer (recording rules are ignored). */
export function parseRules(body: unknown): RulesFact {
  const response = body as { status?: unknown; error?: unknown; data?: { groups?: unknown } } | undefined;
  if (response?.status !== 'success') return { rules: [], error: `not a successful rules answer${typeof response?.error === 'string' ? `: ${response.error}` : ''}` };
  const groups = Array.isArray(response.data?.groups) ? (response.data.groups as Array<Record<string, unknown>>) : [];
  const rules: AlertingRule[] = [];
  for (const group of groups) {
    for (const rule of Array.isArray(group.rules) ? (group.rules as Array<Record<string, unknown>>) : []) {
      if (rule.type !== 'alerting' || typeof rule.name !== 'string') continue;
      rules.push({
        name: rule.name,
        query: typeof rule.query === 'string' ? rule.query : '',
        group: typeof group.name === 'string' ? group.name : '',
        ...(typeof group.file === 'string' ? { file: group.file } : {}),
        labels: strings(rule.labels),
        annotations: strings(rule.annotations),
        ...(typeof rule.health === 'string' ? { health: rule.health } : {}),
        ...(typeof rule.lastError === 'string' && rule.lastError ? { lastError: rule.lastError } : {}),
      });
    }
  }
  return { rules };
}

/** `GET <prometheus>/api/v1/rules?type=alert`; userinfo in the URL becomes Basic auth. */
export function alertingRules(ctx: ProbeContext, prometheusUrl: string): Promise<RulesFact> {
  const { url: base, authorization } = splitCredentials(new URL(prometheusUrl));
  const url = joinUrl(base, '/api/v1/rules?type=alert');
  return ctx.facts.once(`prometheus-rules ${url.href}`, async () => {
    ctx.facts.countContact('prometheus', url.origin);
    try {
      const response = await apiRequest(ctx, url, authorization ? { headers: { authorization } } : {});
      if (response.status !== 200) return { rules: [], error: `${url.pathname} answered ${response.status}` };
      return parseRules(jsonOf(response));
    } catch (error) {
      return { rules: [], error: errorMessage(error) };
    }
  });
}
