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

/** One series of an instant query's vector result. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface QueryFact {
  samples: Sample[];
  error?: string;
}

/** Reads the samples out of a /api/v1/query answer (a vector; a scalar counts as one unlabelled sample). */
export function parseQuery(body: unknown): QueryFact {
  const response = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | undefined;
  if (response?.status !== 'success') return { samples: [], error: typeof response?.error === 'string' ? response.error : 'not a successful query answer' };
  const result = response.data?.result;
  if (response.data?.resultType === 'scalar' && Array.isArray(result)) return { samples: [{ labels: {}, value: Number(result[1]) }] };
  if (!Array.isArray(result)) return { samples: [], error: `unexpected result type ${String(response.data?.resultType)}` };
  return {
    samples: (result as Array<{ metric?: unknown; value?: unknown }>).map((series) => ({
      labels: strings(series.metric),
      value: Array.isArray(series.value) ? Number(series.value[1]) : Number.NaN,
    })),
  };
}

async function prometheusGet(ctx: ProbeContext, prometheusUrl: string, path: string): Promise<{ body?: unknown; error?: string }> {
  const { url: base, authorization } = splitCredentials(new URL(prometheusUrl));
  const url = joinUrl(base, path);
  ctx.facts.countContact('prometheus', url.origin);
  try {
    const response = await apiRequest(ctx, url, authorization ? { headers: { authorization } } : {});
    const body = jsonOf(response);
    // Prometheus answers a bad query 400 with a JSON error body worth quoting.
    if (response.status !== 200 && !(body && typeof body === 'object' && 'error' in body)) return { error: `${url.pathname} answered ${response.status}` };
    return { body };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

/** `GET <prometheus>/api/v1/query?query=...`: an instant query (Prometheus looks back 5 minutes for each series). */
export function instantQuery(ctx: ProbeContext, prometheusUrl: string, query: string): Promise<QueryFact> {
  return ctx.facts.once(`prometheus-query ${prometheusUrl} ${query}`, async () => {
    const answer = await prometheusGet(ctx, prometheusUrl, `/api/v1/query?query=${encodeURIComponent(query)}`);
    return answer.error !== undefined ? { samples: [], error: answer.error } : parseQuery(answer.body);
  });
}

export interface AlertmanagersFact {
  active: string[];
  dropped: string[];
  error?: string;
}

/** `GET <prometheus>/api/v1/alertmanagers`: the Alertmanagers Prometheus sends its alerts to. */
export function alertmanagers(ctx: ProbeContext, prometheusUrl: string): Promise<AlertmanagersFact> {
  return ctx.facts.once(`prometheus-alertmanagers ${prometheusUrl}`, async () => {
    const answer = await prometheusGet(ctx, prometheusUrl, '/api/v1/alertmanagers');
    if (answer.error !== undefined) return { active: [], dropped: [], error: answer.error };
    const response = answer.body as { status?: unknown; error?: unknown; data?: { activeAlertmanagers?: unknown; droppedAlertmanagers?: unknown } } | undefined;
    if (response?.status !== 'success') return { active: [], dropped: [], error: typeof response?.error === 'string' ? response.error : 'not a successful alertmanagers answer' };
    const urls = (list: unknown) => (Array.isArray(list) ? list.map((entry) => String((entry as { url?: unknown }).url ?? '')).filter(Boolean) : []);
    return { active: urls(response.data?.activeAlertmanagers), dropped: urls(response.data?.droppedAlertmanagers) };
  });
}
