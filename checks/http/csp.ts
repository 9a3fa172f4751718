import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { fromProblems, header, isHtml, perRoute, routeBudget, routeParams, routesOf, ROUTES_HINT, webTargets, type Problem } from './services.js';
import { attributes } from './sri.js';

/**
 * A Content-Security-Policy evaluator in the spirit of Google's CSP Evaluator and the HTTP
 * Observatory: each problem carries a status for the finding and a score deduction for
 * http.observatory (the Observatory keeps only the worst CSP deduction; so does `cspScore`).
 */
export type Policy = Map<string, string[]>;

export function parseCsp(value: string): Policy[] {
  return value
    .split(',')
    .map((policy) => {
      const directives: Policy = new Map();
      for (const part of policy.split(';')) {
        const [name, ...sources] = part.trim().split(/\s+/).filter(Boolean);
        // The first occurrence of a directive wins; later duplicates are ignored by browsers.
        if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources.map((source) => (/^'(nonce|sha\d+)-/i.test(source) ? source : source.toLowerCase())));
      }
      return directives;
    })
    .filter((policy) => policy.size > 0);
}

export interface CspProblem extends Problem {
  /** Points taken off the Observatory-style score (negative), see README "Header score". */
  deduction: number;
}

const NONCE_OR_HASH = /^'(nonce-[^']+|sha(256|384|512)-[^']+)'$/i;
const BROAD_SCRIPT = new Set(['*', 'https:', 'http:', 'data:', 'blob:', 'filesystem:', 'https://*', 'http://*']);

/** Problems of one enforced policy. */
export function evaluatePolicy(policy: Policy): CspProblem[] {
  const problems: CspProblem[] = [];
  const script = policy.get('script-src') ?? policy.get('default-src');
  const scriptName = policy.has('script-src') ? 'script-src' : 'default-src';
  if (!script) problems.push({ status: 'fail', deduction: -20, text: "no script-src or default-src: scripts load from anywhere" });
  else {
    const keyed = script.some((source) => NONCE_OR_HASH.test(source));
    if (script.includes("'unsafe-inline'") && !keyed) problems.push({ status: 'fail', deduction: -20, text: `'unsafe-inline' in ${scriptName} without a nonce or hash` });
    if (script.includes("'unsafe-eval'")) problems.push({ status: 'warn', deduction: -10, text: `'unsafe-eval' in ${scriptName}` });
    const broad = script.filter((source) => BROAD_SCRIPT.has(source));
    if (broad.length > 0 && !script.includes("'strict-dynamic'")) problems.push({ status: 'fail', deduction: -20, text: `${scriptName} allows ${broad.join(' ')} (any script host)` });
  }
  const insecure = [...policy.entries()].flatMap(([name, sources]) => sources.filter((source) => source === 'http:' || source.startsWith('http://')).map((source) => `${name} ${source}`));
  if (insecure.length > 0) problems.push({ status: 'fail', deduction: -20, text: `insecure http: sources (${insecure.join(', ')})` });
  const wildcards = [...policy.entries()].filter(([name]) => name !== 'script-src' && !(name === 'default-src' && scriptName === 'default-src')).flatMap(([name, sources]) => (sources.includes('*') ? [name] : []));
  if (wildcards.length > 0) problems.push({ status: 'warn', deduction: -5, text: `wildcard * in ${wildcards.join(', ')}` });
  const object = policy.get('object-src') ?? policy.get('default-src');
  if (!(object && object.length === 1 && object[0] === "'none'")) problems.push({ status: 'warn', deduction: -5, text: "object-src is not 'none' (plugins can load)" });
  // Without any script source an injected <base> has nothing to redirect.
  const noScripts = script !== undefined && script.length === 1 && script[0] === "'none'";
  if (!policy.has('base-uri') && !noScripts) problems.push({ status: 'warn', deduction: -5, text: 'no base-uri (an injected <base> can redirect relative scripts)' });
  if (!policy.has('frame-ancestors')) problems.push({ status: 'warn', deduction: -5, text: 'no frame-ancestors (framing not restricted by CSP)' });
  return problems;
}

/** A policy from `<meta http-equiv="Content-Security-Policy">`, which browsers enforce too (without frame-ancestors, report-uri and sandbox). */
export function metaCsp(body: string): string | undefined {
  for (const match of body.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<meta\b([^>]*)>/gi)) {
    const attrs = attributes(match[1] ?? '');
    if (attrs.get('http-equiv')?.toLowerCase() === 'content-security-policy' && attrs.get('content')) return attrs.get('content');
  }
  return undefined;
}

export interface CspEvaluation {
  /** enforced: Content-Security-Policy (header or meta); report-only: only Content-Security-Policy-Report-Only; none. */
  mode: 'enforced' | 'report-only' | 'none';
  /** Where the enforced policy came from. */
  source?: 'header' | 'meta';
  problems: CspProblem[];
  /** The Observatory-style CSP contribution: the worst deduction, or a bonus for a clean policy. */
  score: number;
  defaultSrcNone: boolean;
}

export function evaluateCsp(headers: Record<string, string>, body?: string): CspEvaluation {
  const fromHeader = header({ headers }, 'content-security-policy');
  const fromMeta = fromHeader || body === undefined ? undefined : metaCsp(body);
  const enforced = fromHeader ?? fromMeta;
  const reportOnly = header({ headers }, 'content-security-policy-report-only');
  const value = enforced ?? reportOnly;
  if (!value) return { mode: 'none', problems: [], score: -25, defaultSrcNone: false };
  const policies = parseCsp(value);
  // A <meta> policy cannot restrict framing: browsers ignore frame-ancestors there.
  if (fromMeta) for (const policy of policies) policy.delete('frame-ancestors');
  // Browsers enforce every policy sent; the strictest one governs, so judge the one with the fewest problems.
  const evaluated = policies.map((policy) => ({ policy, problems: evaluatePolicy(policy) })).sort((a, b) => worstDeduction(b.problems) - worstDeduction(a.problems) || a.problems.length - b.problems.length);
  const best = evaluated[0] ?? { policy: new Map<string, string[]>(), problems: evaluatePolicy(new Map()) };
  const defaultSrcNone = (best.policy.get('default-src') ?? []).join(' ') === "'none'";
  if (!enforced) return { mode: 'report-only', problems: best.problems, score: -25, defaultSrcNone };
  const worst = worstDeduction(best.problems);
  const score = worst < 0 ? worst : defaultSrcNone ? 10 : 5;
  return { mode: 'enforced', source: fromMeta ? 'meta' : 'header', problems: best.problems, score, defaultSrcNone };
}

function worstDeduction(problems: readonly CspProblem[]): number {
  return Math.min(0, ...problems.map((problem) => problem.deduction));
}

/** Pure judgement of one response's CSP. JSON APIs need no CSP; when one is sent it is judged all the same. */
export function judgeCsp(response: { headers: Record<string, string>; body?: string }): Omit<FindingDetail, 'subject'> {
  const evaluation = evaluateCsp(response.headers, isHtml(response) ? response.body : undefined);
  const html = isHtml(response);
  if (evaluation.mode === 'none') return html ? { status: 'fail', observed: 'no Content-Security-Policy' } : { status: 'pass', observed: 'not an HTML document; no CSP sent (none needed)' };
  if (evaluation.mode === 'report-only') {
    const issues = evaluation.problems.map((problem) => problem.text).join(', ');
    return { status: html ? 'fail' : 'warn', observed: `only Content-Security-Policy-Report-Only: nothing is enforced${issues ? ` (the report-only policy also has: ${issues})` : ''}` };
  }
  const reportOnly = `${evaluation.source === 'meta' ? '; from a <meta> tag (frame-ancestors is ignored there)' : ''}${header(response, 'content-security-policy-report-only') ? '; a report-only policy is sent too' : ''}`;
  return fromProblems(evaluation.problems, `CSP enforced: nonce/hash or host-restricted scripts, object-src 'none', base-uri, frame-ancestors${reportOnly}`, `CSP score ${evaluation.score}${reportOnly}`);
}

export default defineProbe({
  id: 'http.csp',
  title: 'Content-Security-Policy is strict',
  description:
    "Evaluates each service's Content-Security-Policy: 'unsafe-inline' in script-src (or default-src) without a nonce or hash fails, as do wildcard/scheme-only script sources (*, https:, data:) and any http: source; 'unsafe-eval', object-src other than 'none', a missing base-uri or frame-ancestors, and * in other directives warn. A policy sent only as Content-Security-Policy-Report-Only is reported as such (nothing enforced: fail on HTML); a <meta http-equiv> policy counts as enforced (without frame-ancestors, which browsers ignore there). JSON responses without a CSP pass.",
  params: z.object(routeParams),
  budgetMs: routeBudget,
  remediation:
    "Send an enforced policy such as `default-src 'self'; script-src 'self' 'nonce-<random per response>'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` (Next.js: middleware that sets a nonce), and drop 'unsafe-inline'/'unsafe-eval' and http: sources.",
  suggests: [{ match: /content.security.policy|\bCSP\b/i, severity: 'high' }],
  async run(ctx, params) {
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), "an enforced CSP without unsafe-inline/unsafe-eval, wildcards or http: sources, with object-src 'none', base-uri and frame-ancestors", undefined, (response) => judgeCsp(response), { hint: ROUTES_HINT });
  },
});
