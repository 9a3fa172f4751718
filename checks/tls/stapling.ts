import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { trustAnchors } from '../../src/facts/anchors.js';
import type { DetailHandshake } from '../../src/facts/tls-depth.js';
import { certificateDetails, issuedBy, parseOcspResponse, type CertificateDetails, type OcspDetails } from '../../src/facts/x509.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';
import { withDetail } from './detail.js';

export interface StaplingPolicy {
  /** A certificate with an OCSP URL but no staple: warn (default) or fail. */
  requireStapling: boolean;
  /** A staple whose thisUpdate is older than this many days is stale. */
  maxAgeDays: number;
}

const DAY = 86_400_000;

/** Pure judgement of the stapled response (already parsed, or undefined when none was stapled) against the leaf at `now`. */
export function judgeStapling(leaf: CertificateDetails | undefined, staple: OcspDetails | undefined, now: Date, policy: StaplingPolicy): Omit<FindingDetail, 'subject'> {
  if (!leaf) return { status: 'fail', observed: 'no certificate presented' };
  if (!staple) {
    if (leaf.mustStaple) return { status: 'fail', observed: 'the certificate is must-staple (TLS Feature status_request) but no OCSP response is stapled: browsers that honour it refuse the site' };
    if (leaf.ocspUrls.length === 0) return { status: 'pass', observed: 'the certificate names no OCSP responder (revocation by CRL only); nothing to staple' };
    return { status: policy.requireStapling ? 'fail' : 'warn', observed: `no OCSP response stapled (responder ${leaf.ocspUrls[0]})` };
  }
  const problems: Problem[] = [];
  if (staple.responseStatus !== 'successful') return { status: 'fail', observed: `stapled OCSP response is "${staple.responseStatus}"` };
  if (staple.serialNumber && staple.serialNumber !== leaf.serialNumber) problems.push({ status: 'fail', text: `stapled response is for serial ${staple.serialNumber}, not the certificate's ${leaf.serialNumber}` });
  if (staple.certStatus === 'revoked') problems.push({ status: 'fail', text: 'OCSP says the certificate is REVOKED' });
  else if (staple.certStatus !== 'good') problems.push({ status: 'fail', text: `OCSP status ${staple.certStatus ?? 'missing'}` });
  if (staple.signatureValid === false) problems.push({ status: 'fail', text: "the response's signature does not verify with the issuer's key" });
  const time = now.getTime();
  if (!staple.thisUpdate) problems.push({ status: 'fail', text: 'no thisUpdate' });
  else if (Date.parse(staple.thisUpdate) > time + 5 * 60_000) problems.push({ status: 'fail', text: `thisUpdate ${staple.thisUpdate} is in the future` });
  else if (time - Date.parse(staple.thisUpdate) > policy.maxAgeDays * DAY) problems.push({ status: 'fail', text: `stale: produced ${Math.floor((time - Date.parse(staple.thisUpdate)) / DAY)} days ago` });
  if (staple.nextUpdate && Date.parse(staple.nextUpdate) < time) problems.push({ status: 'fail', text: `expired: nextUpdate ${staple.nextUpdate.slice(0, 16)}` });
  const summary = `stapled OCSP ${staple.certStatus ?? '?'}, thisUpdate ${staple.thisUpdate?.slice(0, 16) ?? '?'}${staple.nextUpdate ? `, nextUpdate ${staple.nextUpdate.slice(0, 16)}` : ''}${leaf.mustStaple ? ', must-staple' : ''}`;
  return fromProblems(problems, summary, summary);
}

/** The leaf and the staple of one detail handshake, the staple's signature checked against the issuer (sent, or found in the trust store). */
export function stapleOf(detail: DetailHandshake, anchors: readonly Buffer[]): { leaf?: CertificateDetails; staple?: OcspDetails; unreadable?: string } {
  const chain = detail.sentChain ?? detail.peerChain;
  const leafDer = chain[0];
  if (!leafDer) return {};
  const leaf = certificateDetails(leafDer);
  if (!detail.ocsp) return { leaf };
  const issuer = [...chain.slice(1), ...anchors].find((candidate) => issuedBy(leafDer, candidate));
  try {
    return { leaf, staple: parseOcspResponse(detail.ocsp, issuer) };
  } catch (error) {
    return { leaf, unreadable: String(error) };
  }
}

export default defineProbe({
  id: 'tls.ocsp-stapling',
  title: 'OCSP stapling: a fresh, good response is stapled (required for must-staple)',
  description:
    "Per service host, the detail handshake asks for OCSP stapling: the stapled response must be successful, for the leaf's serial, signed by the issuer, status good, thisUpdate within maxAgeDays and nextUpdate not passed. A must-staple certificate without a staple fails; a certificate with an OCSP URL but no staple warns (fails with requireStapling); one without an OCSP URL (CRL-only CAs such as Let's Encrypt since 2025) passes.",
  params: z.object({ urls: urlsParam, requireStapling: z.boolean().default(false), maxAgeDays: z.number().positive().default(7) }),
  remediation: 'In nginx: `ssl_stapling on; ssl_stapling_verify on; ssl_trusted_certificate /etc/letsencrypt/live/<domain>/chain.pem; resolver 1.1.1.1;` and reload; a must-staple certificate must never be served without it.',
  suggests: [{ match: /OCSP|stapling/i, severity: 'medium' }],
  async run(ctx, params) {
    const expected = 'a fresh, good OCSP response stapled (mandatory for must-staple certificates)';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, (target) =>
      withDetail(ctx, target, (detail) => {
        const { leaf, staple, unreadable } = stapleOf(detail, trustAnchors(ctx.options));
        if (unreadable) return { status: 'fail', observed: `stapled OCSP response is unreadable: ${unreadable}` };
        return judgeStapling(leaf, staple, new Date(), params);
      }), { httpsOnly: true });
  },
});
