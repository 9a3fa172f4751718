import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { resolverFor, txtRecords, type RecordAnswer } from '../../src/facts/dns-records.js';
import { dmarcTags } from './dmarc.js';
import { NO_DOMAIN, sendingDomain } from './domain.js';

/** Pure judgement of the TXT answer at <selector>._domainkey.<domain>. */
export function judgeDkim(selector: string, answer: RecordAnswer<string>, minBits: number): FindingDetail {
  const subject = `${selector}._domainkey`;
  if (answer.error) return { subject, status: 'error', observed: `DNS error: ${answer.error}` };
  const records = answer.records.filter((text) => /(^|;)\s*p=/i.test(text) || /^v=DKIM1/i.test(text.trim()));
  if (records.length === 0) return { subject, status: 'fail', observed: `no DKIM key at ${answer.name}` };
  const tags = dmarcTags(records[0] as string);
  const key = (tags.get('p') ?? '').replace(/\s+/g, '');
  if (!key) return { subject, status: 'fail', observed: 'the key is revoked (empty p=)' };
  const type = (tags.get('k') ?? 'rsa').toLowerCase();
  if (type === 'ed25519') return { subject, status: 'pass', observed: 'Ed25519 key published' };
  if (type !== 'rsa') return { subject, status: 'fail', observed: `unknown key type k=${type}` };
  let bits: number | undefined;
  try {
    bits = createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength;
  } catch {
    return { subject, status: 'fail', observed: 'p= is not a valid base64 RSA public key' };
  }
  if (!bits || bits < minBits) return { subject, status: 'fail', observed: `RSA ${bits ?? '?'}-bit key (at least ${minBits})` };
  if (bits < 2048) return { subject, status: 'warn', observed: `RSA ${bits}-bit key (2048 recommended)` };
  return { subject, status: 'pass', observed: `RSA ${bits}-bit key published${tags.has('t') && /y/.test(tags.get('t') ?? '') ? ' (t=y: testing mode)' : ''}` };
}

export default defineProbe({
  id: 'mail.dkim',
  title: 'The sending domain publishes a DKIM key at the selector',
  description:
    'For the domain of SMTP_FROM_EMAIL (or the domain param) and each selector (the selectors param, else DKIM_SELECTOR, comma- or space-separated): a TXT record at <selector>._domainkey.<domain> with a non-empty p= key: RSA of at least minBits (under 2048 warns) or Ed25519. Skipped without a selector. DNS from the resolver param, else DNS_RESOLVER, else the system resolver.',
  params: z.object({ domain: z.string().default(''), resolver: z.string().default(''), selectors: z.array(z.string()).default([]), minBits: z.number().int().positive().default(1024) }),
  remediation: "Publish the provider's DKIM record (SES: the three CNAMEs of Easy DKIM; SendGrid: s1/s2._domainkey) and set the selector in the catalog param selectors or DKIM_SELECTOR.",
  suggests: [{ match: /\bDKIM\b/i, severity: 'high' }],
  async run(ctx, params): Promise<Finding> {
    const expected = 'a DKIM public key at every selector';
    const domain = sendingDomain(ctx, params.domain);
    if (!domain) return { status: 'skipped', observed: NO_DOMAIN, expected };
    const selectors = params.selectors.length > 0 ? params.selectors : (ctx.target.get('DKIM_SELECTOR') ?? '').split(/[\s,]+/).map((value) => value.trim()).filter(Boolean);
    if (selectors.length === 0) return { status: 'skipped', observed: 'no DKIM selector: set the selectors param or DKIM_SELECTOR (the provider names it, e.g. s1, google, resend)', expected };
    const resolver = resolverFor(ctx, params.resolver);
    const details = await Promise.all(selectors.map(async (selector) => judgeDkim(selector, await txtRecords(ctx, resolver, `${selector}._domainkey.${domain}`), params.minBits)));
    return combine(details, `${expected} of ${domain} (resolver: ${resolver})`);
  },
});
