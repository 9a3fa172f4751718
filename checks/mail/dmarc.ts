import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { resolverFor, txtRecords, type RecordAnswer } from '../../src/facts/dns-records.js';
import { NO_DOMAIN, organisationalDomain, sendingDomain } from './domain.js';

export function dmarcTags(record: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const [key = '', ...value] = part.split('=');
    if (key.trim()) tags.set(key.trim().toLowerCase(), value.join('=').trim());
  }
  return tags;
}

/** Pure judgement of the DMARC answers at _dmarc.<domain> and, when there is none, at the organisational domain (whose sp= applies). */
export function judgeDmarc(domain: string, own: RecordAnswer<string>, organisational?: RecordAnswer<string>): { status: 'pass' | 'warn' | 'fail' | 'error'; observed: string } {
  const pick = (answer: RecordAnswer<string>) => answer.records.filter((text) => /^v=DMARC1\s*(;|$)/i.test(text.trim()));
  if (own.error) return { status: 'error', observed: `DNS error for ${own.name} TXT: ${own.error}` };
  let records = pick(own);
  let at = own.name;
  let inherited = false;
  if (records.length === 0 && organisational) {
    if (organisational.error) return { status: 'error', observed: `DNS error for ${organisational.name} TXT: ${organisational.error}` };
    records = pick(organisational);
    at = organisational.name;
    inherited = true;
  }
  if (records.length === 0) return { status: 'fail', observed: `no DMARC record at _dmarc.${domain}${organisational ? ` or ${organisational.name}` : ''}` };
  if (records.length > 1) return { status: 'fail', observed: `${records.length} DMARC records at ${at} (receivers ignore them all)` };
  const tags = dmarcTags(records[0] as string);
  const policy = ((inherited ? tags.get('sp') ?? tags.get('p') : tags.get('p')) ?? '').toLowerCase();
  const shown = `"${records[0]}" at ${at}${inherited ? ' (organisational domain)' : ''}`;
  if (policy !== 'quarantine' && policy !== 'reject') return { status: 'fail', observed: `policy ${policy ? `p=${policy}` : 'missing'} (needs quarantine or reject): ${shown}` };
  const pct = Number(tags.get('pct') ?? '100');
  if (pct < 100) return { status: 'warn', observed: `p=${policy} applies to only pct=${pct}% of failing mail: ${shown}` };
  return { status: 'pass', observed: `p=${policy}: ${shown}` };
}

export default defineProbe({
  id: 'mail.dmarc',
  title: 'The sending domain has a DMARC policy of quarantine or reject',
  description:
    'For the domain of SMTP_FROM_EMAIL (or the domain param): one v=DMARC1 TXT record at _dmarc.<domain> (or at the organisational domain, whose sp= applies) with p=quarantine or p=reject (pct under 100 warns). DNS from the resolver param, else DNS_RESOLVER, else the system resolver.',
  params: z.object({ domain: z.string().default(''), resolver: z.string().default('') }),
  remediation: 'Publish `_dmarc.<domain> TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@<domain>"` once SPF and DKIM pass for the provider, then move to p=reject.',
  suggests: [{ match: /\bDMARC\b/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'a DMARC record with p=quarantine or p=reject';
    const domain = sendingDomain(ctx, params.domain);
    if (!domain) return { status: 'skipped', observed: NO_DOMAIN, expected };
    const resolver = resolverFor(ctx, params.resolver);
    const own = await txtRecords(ctx, resolver, `_dmarc.${domain}`);
    const org = organisationalDomain(domain);
    const organisational = own.records.some((text) => /^v=DMARC1/i.test(text)) || own.error || org === domain ? undefined : await txtRecords(ctx, resolver, `_dmarc.${org}`);
    const verdict = judgeDmarc(domain, own, organisational);
    return { ...verdict, observed: `${domain}: ${verdict.observed}`, expected: `${expected} (resolver: ${resolver})` };
  },
});
