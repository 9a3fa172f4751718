import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { RECORD_TYPES, resolveRecord } from '../../src/facts/dns.js';
import { expand, regexString } from './expect.js';

export default defineProbe({
  id: 'dns.record',
  sends: { to: 'the system resolver or the resolver param', what: 'one DNS query for the name and record type', effect: 'none' },
  title: 'A DNS record has the expected values',
  description: 'Looks up one A, AAAA, CNAME, TXT, MX or CAA record set through the system resolver (or the given one) and checks that it exists, includes values, or has a value matching a pattern (SPF: TXT ~ ^v=spf1, DMARC: TXT of _dmarc.<domain> ~ ^v=DMARC1).',
  params: z.object({
    /** The name to look up; may use `${VAR.host}` / `${VAR.domain}`. */
    name: z.string().min(1),
    type: z.enum(RECORD_TYPES),
    /** `system`, or `ip` / `ip:port` of a resolver to ask instead. */
    resolver: z.string().default('system'),
    expect: z
      .object({
        exists: z.boolean().default(true),
        includes: z.array(z.string()).default([]),
        /** At least one value matches. */
        matches: regexString.optional(),
        /** No value matches (e.g. no second SPF record, no wildcard CAA). */
        notMatches: regexString.optional(),
      })
      .default({}),
  }),
  remediation: 'Add or fix the record at your DNS provider (mind the TTL before re-checking).',
  suggests: [
    // The mail domain is the domain of the address BazaarHub sends from.
    { match: /\bSPF\b/i, params: { name: '${SMTP_FROM_EMAIL.domain}', type: 'TXT', expect: { matches: '^v=spf1 ' } } },
    { match: /\bDMARC\b/i, params: { name: '_dmarc.${SMTP_FROM_EMAIL.domain}', type: 'TXT', expect: { matches: '^v=DMARC1;' } } },
    { match: /\bCAA\b/, params: { name: '${APP_URL.host}', type: 'CAA' } },
    { match: /\bMX records?\b/i, params: { name: '${APP_URL.host}', type: 'MX' } },
  ],
  async run(ctx, p): Promise<Finding> {
    const expanded = expand(p.name, ctx.target);
    if ('missing' in expanded) return { status: 'skipped', observed: `${expanded.missing} is not set`, expected: `${p.type} ${p.name}` };
    const name = expanded.value;
    const wanted = [p.expect.exists ? 'exists' : 'does not exist', ...p.expect.includes.map((value) => `includes "${value}"`), ...(p.expect.matches ? [`a value matches /${p.expect.matches}/`] : []), ...(p.expect.notMatches ? [`no value matches /${p.expect.notMatches}/`] : [])];
    const expected = `${p.type} ${name} ${wanted.join(', ')}`;
    const answer = await resolveRecord(ctx, p.resolver, name, p.type);
    const via = p.resolver === 'system' ? '' : ` (via ${p.resolver})`;
    if (answer.error && answer.error !== 'ENOTFOUND') return { status: 'error', observed: `${p.type} ${name}${via}: ${answer.error}`, expected };
    const values = answer.values;
    const shown = values.length ? values.map((value) => `"${value}"`).join(', ') : answer.error === 'ENOTFOUND' ? 'no such name (NXDOMAIN)' : 'no records';
    const problems: string[] = [];
    if (p.expect.exists !== values.length > 0) problems.push(p.expect.exists ? 'no records' : 'records exist');
    for (const value of p.expect.includes) if (!values.includes(value)) problems.push(`"${value}" missing`);
    if (p.expect.matches && !values.some((value) => new RegExp(p.expect.matches as string).test(value))) problems.push(`no value matches /${p.expect.matches}/`);
    if (p.expect.notMatches && values.some((value) => new RegExp(p.expect.notMatches as string).test(value))) problems.push(`a value matches /${p.expect.notMatches}/`);
    const observed = `${p.type} ${name}${via}: ${shown}`;
    return problems.length ? { status: 'fail', observed: `${observed} (${problems.join('; ')})`, expected } : { status: 'pass', observed, expected };
  },
});
