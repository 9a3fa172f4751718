import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { send } from '../../src/facts/http.js';
import { perTarget, urlsParam, webTargets } from '../http/services.js';

/** Classic attack shapes, harmless against a correct application, that any WAF rule set blocks. */
export const ATTACKS = [
  { name: 'script tag', param: 'q', value: '<script>alert(1)</script>' },
  { name: 'SQL tautology', param: 'id', value: "1' OR '1'='1" },
  { name: 'path traversal', param: 'file', value: '../../../../etc/passwd' },
] as const;

/** Pure judgement of the statuses each attack got (0 = no answer). */
export function judgeWaf(results: ReadonlyArray<{ name: string; status: number }>, passStatus: 'fail' | 'warn'): Omit<FindingDetail, 'subject'> {
  const through = results.filter((result) => result.status !== 403 && result.status !== 406);
  if (through.length === 0) return { status: 'pass', observed: `blocked ${results.map((r) => `${r.name} (${r.status})`).join(', ')}` };
  return { status: passStatus, observed: `not blocked: ${through.map((r) => `${r.name} (${r.status === 0 ? 'no answer' : r.status})`).join(', ')}` };
}

export default defineProbe({
  id: 'waf.blocks-attacks',
  sends: { to: 'each service URL', what: 'three GETs per service with an attack shape in the query string (a script tag, an SQL tautology, a path traversal); no body', effect: 'none if the WAF blocks them; the attack shapes reach the application only where no WAF stands in front, as read-only GETs' },
  title: 'WAF blocks classic attack shapes',
  description:
    'Sends a script tag, an SQL tautology and a path traversal in the query string of each service URL; each must be answered 403 or 406 by the WAF. With `optional: true` a missing WAF is a warning.',
  params: z.object({
    urls: urlsParam,
    optional: z.boolean().default(false),
  }),
  deliberate: {
    requests: ATTACKS.length,
    per: 'service URL',
    plan: (params, ctx) => webTargets(ctx, params.urls).map((target) => ({ key: `waf ${target.url.href}`, requests: ATTACKS.length })),
  },
  remediation: 'Enable a WAF in front of nginx (AWS WAF managed rules, Cloudflare, or ModSecurity with the OWASP Core Rule Set) in blocking mode, answering 403.',
  suggests: [{ match: /Web Application Firewall|\bWAF\b/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = 'every attack shape answered 403 or 406';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, async (target) => {
      const results: Array<{ name: string; status: number }> = [];
      for (const attack of ATTACKS) {
        const url = new URL(target.url.href);
        url.searchParams.set(attack.param, attack.value);
        try {
          results.push({ name: attack.name, status: (await send(ctx, url, { maxBodyBytes: 8 * 1024 })).status });
        } catch {
          // A connection reset is how some WAFs block; still not the documented 403/406.
          results.push({ name: attack.name, status: 0 });
        }
      }
      return judgeWaf(results, params.optional ? 'warn' : 'fail');
    });
  },
});
