import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { trustAnchors } from '../../src/facts/anchors.js';
import type { DetailHandshake } from '../../src/facts/tls-depth.js';
import { certificateDetails, issuedBy } from '../../src/facts/x509.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';
import { withDetail } from './detail.js';

function cn(subject: string): string {
  return /CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}

/**
 * Pure judgement of the chain exactly as sent: leaf first, each certificate signed by the next,
 * and the last one signed by a root in the trust store (`anchors`). An intermediate that only the
 * local trust store has still fails: browsers and mail servers elsewhere do not have it.
 */
export function judgeChain(sent: readonly Buffer[] | undefined, anchors: readonly Buffer[]): Omit<FindingDetail, 'subject'> {
  if (!sent) return { status: 'warn', observed: 'chain order not checked: the server refuses TLS 1.2, and TLS 1.3 encrypts the certificates' };
  if (sent.length === 0) return { status: 'fail', observed: 'no certificate presented' };
  const certs = sent.map((der) => certificateDetails(der));
  const problems: Problem[] = [];
  const names = certs.map((cert) => cn(cert.subject));
  for (let index = 0; index < sent.length - 1; index += 1) {
    if (issuedBy(sent[index] as Buffer, sent[index + 1] as Buffer)) continue;
    const issuerElsewhere = sent.findIndex((candidate, other) => other !== index && issuedBy(sent[index] as Buffer, candidate));
    if (issuerElsewhere >= 0) problems.push({ status: 'fail', text: `out of order: ${names[index]} is followed by ${names[index + 1]}, but its issuer ${names[issuerElsewhere]} is certificate #${issuerElsewhere + 1}` });
    else problems.push({ status: 'fail', text: `${names[index + 1]} (#${index + 2}) did not sign ${names[index]} (#${index + 1}): unrelated certificate in the chain` });
  }
  const last = certs.at(-1)!;
  const lastDer = sent.at(-1)!;
  let ending = '';
  if (last.selfIssued && sent.length > 1) ending = `ends with the root ${cn(last.subject)} (sending it is unnecessary)`;
  else if (last.selfIssued) problems.push({ status: 'fail', text: 'only a self-signed certificate is sent' });
  else {
    const issuer = anchors.find((anchor) => issuedBy(lastDer, anchor));
    if (!issuer) problems.push({ status: 'fail', text: `incomplete: ${cn(last.subject)} is issued by ${cn(last.issuer)}, which is neither sent nor a trusted root` });
    else {
      const found = certificateDetails(issuer);
      if (!found.selfIssued) problems.push({ status: 'fail', text: `incomplete: intermediate ${cn(found.subject)} is not sent (only this machine's trust store has it; other clients cannot build the chain)` });
      else ending = `ends at the trusted root ${cn(found.subject)}`;
    }
  }
  const summary = `sent ${names.join(' → ')}`;
  return fromProblems(problems, `complete and in order: ${summary}, ${ending}`, summary);
}

export default defineProbe({
  id: 'tls.chain',
  title: 'The server sends the complete certificate chain, in order',
  description:
    'Per service host, the certificates exactly as the server sends them in a TLS 1.2 handshake (read from the wire, not as Node completes them): the leaf first, each certificate signed by the next, and the last signed by a root of the trust store (system, NODE_EXTRA_CA_CERTS, --ca). A missing intermediate fails even when the local trust store happens to hold it.',
  params: z.object({ urls: urlsParam }),
  remediation: 'Serve the full chain: in nginx `ssl_certificate` must point at fullchain.pem (leaf, then intermediates), not cert.pem; reload nginx.',
  suggests: [{ match: /certificate chain|intermediate certificate/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = 'leaf, then each intermediate up to a trusted root, in order';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, (target) => withDetail(ctx, target, (detail: DetailHandshake) => judgeChain(detail.sentChain, trustAnchors(ctx.options))), { httpsOnly: true });
  },
});
