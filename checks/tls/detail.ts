import type { FindingDetail, ProbeContext } from '../../src/engine/types.js';
import { tlsDetailFacts, type DetailHandshake } from '../../src/facts/tls-depth.js';
import { certificateDetails, issuedBy, type CertificateDetails } from '../../src/facts/x509.js';
import type { WebTarget } from '../http/services.js';

/** Shared by the probes that read the detail handshake (key, signature, chain, stapling, ALPN, CAA). */

export function handshakesNote(count: number): string {
  return `${count} handshake${count === 1 ? '' : 's'}`;
}

/**
 * The certificates the server sent (as sent in TLS 1.2; as Node assembled them when only TLS 1.3
 * works), up to the first one a trusted root signed: clients never check what comes after (an
 * old SHA-1 cross-sign sent for ancient clients is no fault of the chain browsers build).
 */
export function sentCertificates(detail: DetailHandshake, anchors: readonly Buffer[] = []): CertificateDetails[] {
  const chain = detail.sentChain ?? detail.peerChain;
  const roots = trustRoots(anchors);
  const end = chain.findIndex((der) => roots.some((root) => issuedBy(der, root)));
  return (end >= 0 ? chain.slice(0, end + 1) : chain).map((der) => certificateDetails(der));
}

/** The self-issued certificates of a trust store: the roots a chain may end at. */
export function trustRoots(anchors: readonly Buffer[]): Buffer[] {
  return anchors.filter((anchor) => certificateDetails(anchor).selfIssued);
}

/**
 * The certificates a client judges, leaf first, each named as findings name it: the leaf and every
 * intermediate the server sent (a root's own key and self-signature are the trust store's business).
 */
export function judgedCertificates(chain: readonly CertificateDetails[]): Array<{ cert: CertificateDetails; role: string }> {
  return chain.flatMap((cert, index) => (index > 0 && cert.selfIssued ? [] : [{ cert, role: index === 0 ? 'leaf' : `intermediate ${cert.subject}` }]));
}

/** Runs `judge` over the target's detail handshake, or reports why there is none. */
export async function withDetail(ctx: ProbeContext, target: WebTarget, judge: (detail: DetailHandshake) => Omit<FindingDetail, 'subject'>): Promise<Omit<FindingDetail, 'subject'>> {
  const result = await tlsDetailFacts(ctx, target.url);
  if (!result.ok) {
    return { status: result.refused ? 'fail' : 'error', observed: `no TLS handshake with ${result.host}:${result.port}: ${result.error} (${handshakesNote(result.handshakes)})` };
  }
  const judged = judge(result);
  return { ...judged, observed: `${judged.observed} (${handshakesNote(result.handshakes)})` };
}
