import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { bundledRoots } from '../../src/facts/anchors.js';
import type { DetailHandshake } from '../../src/facts/tls-depth.js';
import { certificateDetails, issuedBy } from '../../src/facts/x509.js';
import { perTarget, urlsParam, webTargets } from '../http/services.js';
import { withDetail } from './detail.js';

/** Node's bundled (Mozilla) roots: a chain ending at one of them is publicly trusted and must be logged in CT. */
const publicRoots = bundledRoots;

export function chainsToPublicRoot(chain: readonly Buffer[], roots: readonly Buffer[]): boolean {
  return chain.some((der) => roots.some((root) => root.equals(der) || issuedBy(der, root)));
}

/** Pure judgement of the leaf's embedded SCTs. Chrome and Safari require two or more for publicly trusted certificates. */
export function judgeCt(embeddedScts: number, publicChain: boolean, requireForPrivate: boolean): Omit<FindingDetail, 'subject'> {
  if (!publicChain && !requireForPrivate) return { status: 'pass', observed: `private CA (not in the public root store): CT not required${embeddedScts > 0 ? `; ${embeddedScts} SCTs embedded` : ''}` };
  if (embeddedScts >= 2) return { status: 'pass', observed: `${embeddedScts} signed certificate timestamps embedded` };
  if (embeddedScts === 1) return { status: 'warn', observed: 'only 1 signed certificate timestamp embedded (browsers want 2 or more)' };
  return { status: 'warn', observed: 'no signed certificate timestamps embedded: unless the server sends them in the TLS extension, Chrome and Safari reject the certificate' };
}

export default defineProbe({
  id: 'tls.ct',
  sends: { to: 'each service host', what: 'the shared detail TLS handshake per host (a second only when TLS 1.2 is refused), closed after the handshake; no HTTP request', effect: 'none' },
  title: 'Certificates are logged in Certificate Transparency',
  description:
    "Per service host, from the detail handshake: a leaf that chains to a public root (Node's bundled Mozilla store) embeds at least two signed certificate timestamps (RFC 6962), as Chrome and Safari require. Certificates from private CAs pass unless requireForPrivate. SCTs sent in the TLS extension are not requested (Node cannot), so their absence only warns.",
  params: z.object({ urls: urlsParam, requireForPrivate: z.boolean().default(false) }),
  remediation: 'Use a certificate from a public CA that embeds SCTs (every public CA does by default, Let\'s Encrypt included); a certificate issued without them must be reissued.',
  suggests: [{ match: /certificate transparency|\bSCTs?\b/i, severity: 'medium' }],
  async run(ctx, params) {
    return perTarget(webTargets(ctx, params.urls), 'publicly trusted certificates embed 2 or more SCTs', undefined, (target) =>
      withDetail(ctx, target, (detail: DetailHandshake) => {
        const chain = detail.sentChain ?? detail.peerChain;
        const leaf = chain[0];
        if (!leaf) return { status: 'fail', observed: 'no certificate presented' };
        return judgeCt(certificateDetails(leaf).embeddedScts, chainsToPublicRoot(chain, publicRoots()), params.requireForPrivate);
      }), { httpsOnly: true });
  },
});
