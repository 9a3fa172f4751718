import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { fromProblems, header, isHtml, perRoute, routeBudget, routeParams, routesOf, ROUTES_HINT, webTargets, type Problem } from './services.js';

const REFERRER_VALUES = ['no-referrer', 'no-referrer-when-downgrade', 'origin', 'origin-when-cross-origin', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin', 'unsafe-url'];
const REFERRER_UNSAFE = new Set(['unsafe-url', 'no-referrer-when-downgrade']);

/** The effective Referrer-Policy: the last value the browser recognises (RFC fallback list). */
export function effectiveReferrerPolicy(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => REFERRER_VALUES.includes(token))
    .at(-1);
}

/** Pure judgement of Referrer-Policy, Permissions-Policy, Cross-Origin-Opener-Policy (documents) and Cross-Origin-Resource-Policy. */
export function judgePolicyHeaders(response: { headers: Record<string, string> }): Omit<FindingDetail, 'subject'> {
  const problems: Problem[] = [];
  const seen: string[] = [];
  const referrerRaw = header(response, 'referrer-policy');
  const referrer = effectiveReferrerPolicy(referrerRaw);
  if (!referrerRaw) problems.push({ status: 'warn', text: 'no Referrer-Policy' });
  else if (!referrer) problems.push({ status: 'fail', text: `Referrer-Policy "${referrerRaw}" is not a valid policy` });
  else if (REFERRER_UNSAFE.has(referrer)) problems.push({ status: 'fail', text: `Referrer-Policy ${referrer} leaks full URLs to other sites` });
  else seen.push(`Referrer-Policy ${referrer}`);

  const permissions = header(response, 'permissions-policy');
  if (!permissions) problems.push({ status: 'warn', text: header(response, 'feature-policy') ? 'only the obsolete Feature-Policy, no Permissions-Policy' : 'no Permissions-Policy' });
  else if (!/^\s*[a-z0-9-]+=(\*|\(|"|self|none|[a-z])/i.test(permissions)) problems.push({ status: 'fail', text: `Permissions-Policy "${permissions.slice(0, 60)}" is not in the structured-header syntax (feature=(...))` });
  else seen.push('Permissions-Policy');

  if (isHtml(response)) {
    const coop = header(response, 'cross-origin-opener-policy')?.toLowerCase().split(';')[0]?.trim();
    if (!coop) problems.push({ status: 'warn', text: 'no Cross-Origin-Opener-Policy' });
    else if (coop === 'unsafe-none') problems.push({ status: 'warn', text: 'Cross-Origin-Opener-Policy unsafe-none' });
    else if (!['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups'].includes(coop)) problems.push({ status: 'fail', text: `Cross-Origin-Opener-Policy "${coop}" is not valid` });
    else seen.push(`COOP ${coop}`);
  }

  const corp = header(response, 'cross-origin-resource-policy')?.toLowerCase();
  if (!corp) problems.push({ status: 'warn', text: 'no Cross-Origin-Resource-Policy' });
  else if (!['same-origin', 'same-site', 'cross-origin'].includes(corp)) problems.push({ status: 'fail', text: `Cross-Origin-Resource-Policy "${corp}" is not valid` });
  else seen.push(`CORP ${corp}`);

  return fromProblems(problems, seen.join(', '), seen.length > 0 ? `set: ${seen.join(', ')}` : undefined);
}

export default defineProbe({
  id: 'http.policy-headers',
  title: 'Referrer-Policy, Permissions-Policy, COOP and CORP are set',
  description:
    'Each service sends a Referrer-Policy that does not leak full URLs (unsafe-url, no-referrer-when-downgrade fail), a Permissions-Policy, a Cross-Origin-Resource-Policy, and on HTML documents a Cross-Origin-Opener-Policy (same-origin or same-origin-allow-popups). Missing headers warn; invalid or leaking values fail.',
  params: z.object(routeParams),
  budgetMs: routeBudget,
  remediation:
    'helmet() sets Referrer-Policy no-referrer, COOP same-origin and CORP same-origin; add `Permissions-Policy: camera=(), microphone=(), geolocation=()` (nginx: `add_header ... always;`, Next.js: headers() in next.config.js).',
  suggests: [{ match: /referrer.policy|permissions.policy|cross-origin-(opener|resource)/i, severity: 'medium' }],
  async run(ctx, params) {
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), 'a safe Referrer-Policy, a Permissions-Policy, CORP, and COOP on documents', undefined, (response) => judgePolicyHeaders(response), { hint: ROUTES_HINT });
  },
});
