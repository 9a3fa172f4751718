import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { header, perRoute, routeParams, routesOf, ROUTES_HINT, webTargets, routeBudget } from './services.js';

export interface HstsPolicy {
  minMaxAge: number;
  failBelow: number;
}

/** Pure judgement of a Strict-Transport-Security value (undefined when absent). */
export function judgeHsts(value: string | undefined, policy: HstsPolicy): Omit<FindingDetail, 'subject'> {
  if (!value) return { status: 'fail', observed: 'no Strict-Transport-Security header' };
  const directives = value.split(';').map((part) => part.trim().toLowerCase());
  const maxAgeText = directives.find((part) => part.startsWith('max-age'))?.split('=')[1]?.replace(/"/g, '').trim();
  const maxAge = maxAgeText !== undefined && /^\d+$/.test(maxAgeText) ? Number(maxAgeText) : undefined;
  const subdomains = directives.includes('includesubdomains');
  const preload = directives.includes('preload');
  const shown = `"${value}"`;
  if (maxAge === undefined) return { status: 'fail', observed: `${shown} has no valid max-age` };
  if (maxAge < policy.failBelow) return { status: 'fail', observed: `${shown}: max-age ${maxAge} is under ${policy.failBelow}` };
  const notes: string[] = [];
  if (maxAge < policy.minMaxAge) notes.push(`max-age ${maxAge} is under ${policy.minMaxAge}`);
  if (!subdomains) notes.push('no includeSubDomains');
  const tail = preload ? ', preload' : ', not preloaded';
  if (notes.length > 0) return { status: 'warn', observed: `${shown}: ${notes.join(', ')}${tail}` };
  return { status: 'pass', observed: `max-age ${maxAge}, includeSubDomains${tail}` };
}

export default defineProbe({
  id: 'http.hsts',
  title: 'HSTS is sent with a long max-age',
  description:
    'Every service\'s HTTPS response carries Strict-Transport-Security with max-age >= minMaxAge (fail when missing or under failBelow, warn in between) and includeSubDomains (warn if absent); preload is noted.',
  params: z.object({
    ...routeParams,
    minMaxAge: z.number().int().nonnegative().default(31_536_000),
    failBelow: z.number().int().nonnegative().default(15_552_000),
  }),
  budgetMs: routeBudget,
  remediation: 'In nginx: `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;` on every HTTPS server block (or helmet.hsts in Express).',
  suggests: [{ match: /\bHSTS\b/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = `Strict-Transport-Security with max-age >= ${params.minMaxAge} and includeSubDomains`;
    // A service served over plain http cannot use HSTS at all: that is a failure, not a skip.
    return perRoute(ctx, routesOf(webTargets(ctx, params.urls), params), expected, undefined, (response) => judgeHsts(header(response, 'strict-transport-security'), params), { httpsOnly: true, hint: ROUTES_HINT });
  },
});
