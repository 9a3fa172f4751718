import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { trustAnchors } from '../../src/facts/anchors.js';
import type { CertificateDetails } from '../../src/facts/x509.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';
import { judgedCertificates, sentCertificates, withDetail } from './detail.js';

const BROKEN = /sha1|md5|md2/i;

/** Pure judgement: no SHA-1 (or MD5) signature on the leaf or any intermediate. A root's self-signature is never checked by clients. */
export function judgeSignatures(chain: readonly CertificateDetails[]): Omit<FindingDetail, 'subject'> {
  const leaf = chain[0];
  if (!leaf) return { status: 'fail', observed: 'no certificate presented' };
  const problems: Problem[] = [];
  const judged = judgedCertificates(chain);
  for (const { cert, role } of judged) {
    if (BROKEN.test(cert.signatureAlgorithm)) problems.push({ status: 'fail', text: `${role} is signed with ${cert.signatureAlgorithm}` });
    else if (cert.signatureAlgorithm === 'unknown' || /^\d/.test(cert.signatureAlgorithm)) problems.push({ status: 'warn', text: `${role} has an unrecognised signature algorithm ${cert.signatureAlgorithm}` });
  }
  const summary = judged.map(({ cert }) => cert.signatureAlgorithm).join(', ');
  return fromProblems(problems, `signatures ${summary}`, `signatures ${summary}`);
}

export default defineProbe({
  id: 'tls.signature',
  sends: { to: 'each service host', what: 'the shared detail TLS handshake per host (a second only when TLS 1.2 is refused), closed after the handshake; no HTTP request', effect: 'none' },
  title: 'Certificates are not signed with SHA-1',
  description: 'Per service host, from one detail handshake: the leaf and every intermediate the server sends carry a SHA-256+ (or EdDSA) signature; SHA-1, MD5 and MD2 fail.',
  params: z.object({ urls: urlsParam }),
  remediation: 'Reissue the certificate from a CA that signs with SHA-256 or better (every public CA has since 2016) and serve its current intermediate.',
  suggests: [{ match: /signature algorithm|sha-?1/i, severity: 'high' }],
  async run(ctx, params) {
    return perTarget(webTargets(ctx, params.urls), 'SHA-256 or better signatures on the leaf and the intermediates', undefined, (target) => withDetail(ctx, target, (detail) => judgeSignatures(sentCertificates(detail, trustAnchors(ctx.options)))), { httpsOnly: true });
  },
});
