import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { trustAnchors } from '../../src/facts/anchors.js';
import type { DetailHandshake } from '../../src/facts/tls-depth.js';
import { certificateDetails, issuedBy } from '../../src/facts/x509.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';
import { trustRoots, withDetail } from './detail.js';

function cn(subject: string): string {
  return /CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}

/**
 * Pure judgement of the chain exactly as sent: leaf first, each certificate signed by the next,
 * and the last one signed by a root in the trust store (`anchors`). An intermediate that only the
 * local trust store has still fails: browsers and mail servers elsewhere do not have it.
 */
export function judgeChain(sent: readonly Buffer[] | undefined, anchors: readonly Buffer[], wireUnreadable = false): Omit<FindingDetail, 'subject'> {
  if (!sent && wireUnreadable) return { status: 'error', observed: 'chain order not checked: the recorded TLS 1.2 handshake could not be read' };
  if (!sent) return { status: 'warn', observed: 'chain order not checked: the server refuses TLS 1.2, and TLS 1.3 encrypts the certificates' };
  if (sent.length === 0) return { status: 'fail', observed: 'no certificate presented' };
  const certs = sent.map((der) => certificateDetails(der));
  const names = certs.map((cert) => cn(cert.subject));
  const roots = trustRoots(anchors);
  const problems: Problem[] = [];
  let ending = '';
  for (let index = 0; index < sent.length; index += 1) {
    const der = sent[index] as Buffer;
    // A client can finish here: a root it trusts signed this certificate (later ones are extra, e.g. a cross-sign).
    const root = roots.find((anchor) => issuedBy(der, anchor));
    if (root) {
      const extra = sent.length - index - 1;
      ending = `ends at the trusted root ${cn(certificateDetails(root).subject)}${extra > 0 ? ` (${extra} more certificate${extra === 1 ? '' : 's'} sent after it, e.g. a cross-sign or the root: unnecessary)` : ''}`;
      break;
    }
    const cert = certs[index] as (typeof certs)[number];
    if (cert.selfIssued) {
      if (index === 0) problems.push({ status: 'fail', text: 'only a self-signed certificate is sent' });
      else problems.push({ status: 'fail', text: `ends with ${names[index]}, a root the trust store does not have` });
      break;
    }
    const next = sent[index + 1];
    if (next && issuedBy(der, next)) continue;
    const issuerElsewhere = sent.findIndex((candidate, other) => other !== index && issuedBy(der, candidate));
    if (issuerElsewhere >= 0) {
      problems.push({ status: 'fail', text: `out of order: ${names[index]} is followed by ${next ? names[index + 1] : 'nothing'}, but its issuer ${names[issuerElsewhere]} is certificate #${issuerElsewhere + 1}` });
      break;
    }
    const local = anchors.find((anchor) => issuedBy(der, anchor));
    if (local) problems.push({ status: 'fail', text: `incomplete: intermediate ${cn(certificateDetails(local).subject)} is not sent (only this machine's trust store has it; other clients cannot build the chain)` });
    else if (next) problems.push({ status: 'fail', text: `${names[index + 1]} (#${index + 2}) did not sign ${names[index]} (#${index + 1}): unrelated certificate in the chain` });
    else problems.push({ status: 'fail', text: `incomplete: ${names[index]} is issued by ${cn(cert.issuer)}, which is neither sent nor a trusted root` });
    break;
  }
  const summary = `sent ${names.join(' → ')}`;
  return fromProblems(problems, `complete and in order: ${summary}, ${ending}`, summary);
}

export default defineProbe({
  id: 'tls.chain',
  sends: { to: 'each service host', what: 'the shared detail TLS handshake per host (a second only when TLS 1.2 is refused), closed after the handshake; no HTTP request', effect: 'none' },
  title: 'The server sends the complete certificate chain, in order',
  description:
    'Per service host, the certificates exactly as the server sends them in a TLS 1.2 handshake (read from the wire, not as Node completes them): the leaf first, each certificate signed by the next, and the last signed by a root of the trust store (system, NODE_EXTRA_CA_CERTS, --ca). A missing intermediate fails even when the local trust store happens to hold it.',
  params: z.object({ urls: urlsParam }),
  remediation: 'Serve the full chain: in nginx `ssl_certificate` must point at fullchain.pem (leaf, then intermediates), not cert.pem; reload nginx.',
  suggests: [{ match: /certificate chain|intermediate certificate/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = 'leaf, then each intermediate up to a trusted root, in order';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, (target) => withDetail(ctx, target, (detail: DetailHandshake) => judgeChain(detail.sentChain, trustAnchors(ctx.options), detail.wireUnreadable)), { httpsOnly: true });
  },
});
