import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { tlsFacts, type TlsHandshake } from '../../src/facts/tls.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';

export interface CertificatePolicy {
  /** Fail when fewer days are left (or expired). */
  failDays: number;
  /** Warn when fewer days are left. */
  warnDays: number;
  /** Issuer organisations of 90-day certificates, which get their own thresholds. */
  shortLivedIssuers: string[];
  /** Thresholds for the short-lived issuers (certbot renews at 30 days left, so 30 days left means renewal is failing). */
  shortLivedFailDays: number;
  shortLivedWarnDays: number;
  /** --insecure: an untrusted chain is reported as warn, since the run chose not to verify. */
  insecure: boolean;
}

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const DAY = 86_400_000;

function dateOnly(iso: string): string {
  return iso.slice(0, 10);
}

/** Pure judgement of one handshake's certificate at time `now`. */
export function judgeCertificate(handshake: TlsHandshake, now: Date, policy: CertificatePolicy): Omit<FindingDetail, 'subject'> {
  const leaf = handshake.chain[0];
  if (!leaf) return { status: 'fail', observed: 'no certificate presented' };
  const problems: Problem[] = [];
  const daysLeft = Math.floor((Date.parse(leaf.validTo) - now.getTime()) / DAY);
  const issuer = leaf.issuerOrganization ?? leaf.issuer;
  const shortLived = policy.shortLivedIssuers.some((name) => issuer.toLowerCase().includes(name.toLowerCase()));
  const failDays = shortLived ? policy.shortLivedFailDays : policy.failDays;
  const warnDays = shortLived ? policy.shortLivedWarnDays : policy.warnDays;
  const selfSigned = (handshake.chain.length === 1 && leaf.selfIssued) || SELF_SIGNED.has(handshake.authorizationError ?? '');
  const untrusted = policy.insecure ? 'warn' : 'fail';

  if (Date.parse(leaf.validTo) <= now.getTime()) problems.push({ status: 'fail', text: `expired on ${dateOnly(leaf.validTo)}` });
  else if (Date.parse(leaf.validFrom) > now.getTime()) problems.push({ status: 'fail', text: `not valid before ${dateOnly(leaf.validFrom)}` });
  if (selfSigned) problems.push({ status: untrusted, text: 'self-signed' });
  else if (!handshake.authorized && handshake.authorizationError && !/EXPIRED|NOT_YET_VALID/.test(handshake.authorizationError)) {
    problems.push({ status: untrusted, text: `chain does not verify (${handshake.authorizationError})` });
  }
  if (handshake.hostnameError) problems.push({ status: untrusted, text: `hostname mismatch: ${handshake.hostnameError}` });
  if (daysLeft >= 0 && daysLeft < failDays) problems.push({ status: 'fail', text: `expires in ${daysLeft} days` });
  else if (daysLeft >= 0 && daysLeft < warnDays) problems.push({ status: 'warn', text: `expires in ${daysLeft} days` });

  const summary = `issuer ${issuer}, expires ${dateOnly(leaf.validTo)}${daysLeft >= 0 ? ` (${daysLeft} days)` : ''}${shortLived ? `, 90-day issuer: thresholds ${failDays}/${warnDays} days` : ''}`;
  return { ...fromProblems(problems, `valid; ${summary}`, summary), expires: new Date(Date.parse(leaf.validTo)).toISOString() };
}

export default defineProbe({
  id: 'tls.certificate',
  title: 'TLS certificates are trusted, match the host and are not about to expire',
  description:
    'One TLS handshake per service host: the chain verifies against the system trust store (plus NODE_EXTRA_CA_CERTS and --ca), the hostname matches, the leaf is not self-signed, and enough days are left (fail under failDays, warn under warnDays; for Let\'s Encrypt\'s 90-day certificates shortLivedFailDays/shortLivedWarnDays, by default the same 7/30: certbot renews at 30 days left).',
  params: z.object({
    urls: urlsParam,
    failDays: z.number().nonnegative().default(7),
    warnDays: z.number().nonnegative().default(30),
    shortLivedIssuers: z.array(z.string()).default(["Let's Encrypt"]),
    shortLivedFailDays: z.number().nonnegative().default(7),
    shortLivedWarnDays: z.number().nonnegative().default(30),
  }),
  remediation:
    'Install a certificate from a public CA (e.g. certbot for Let\'s Encrypt) covering every service hostname, serve the full chain (fullchain.pem), and enable automatic renewal (certbot renew timer) well before expiry.',
  suggests: [
    { match: /SSL\/TLS certificates? (from|validity)|^SSL certificates$|Configure SSL certificates/i, severity: 'critical' },
    { match: /SSL certificate auto-renewal/i, params: { warnDays: 30, failDays: 14 }, severity: 'high' },
  ],
  async run(ctx, params) {
    const expected = `a trusted, unexpired certificate matching each host with at least ${params.warnDays} days left (${params.shortLivedWarnDays} for 90-day issuers)`;
    const policy: CertificatePolicy = { ...params, insecure: ctx.options.insecure };
    return perTarget(webTargets(ctx, params.urls), expected, undefined, async (target) => {
      const result = await tlsFacts(ctx, target.url);
      if (!result.ok) return { status: result.refused ? 'fail' : 'error', observed: `no TLS handshake with ${result.host}:${result.port}: ${result.error}` };
      const judged = judgeCertificate(result, new Date(), policy);
      return { ...judged, observed: `${judged.observed} (1 handshake)` };
    }, { httpsOnly: true });
  },
});
