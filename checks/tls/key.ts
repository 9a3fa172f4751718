import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { trustAnchors } from '../../src/facts/anchors.js';
import type { CertificateDetails } from '../../src/facts/x509.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';
import { judgedCertificates, sentCertificates, withDetail } from './detail.js';

export interface KeyPolicy {
  minRsaBits: number;
  minEcBits: number;
}

function describeKey(cert: CertificateDetails): string {
  return `${cert.keyType.toUpperCase()} ${cert.keyBits ?? '?'} bits${cert.curve ? ` (${cert.curve})` : ''}`;
}

/** Pure judgement of the public keys of the leaf and the intermediates the server sent (roots are the trust store's business). */
export function judgeKeys(chain: readonly CertificateDetails[], policy: KeyPolicy): Omit<FindingDetail, 'subject'> {
  const leaf = chain[0];
  if (!leaf) return { status: 'fail', observed: 'no certificate presented' };
  const problems: Problem[] = [];
  for (const { cert, role } of judgedCertificates(chain)) {
    const type = cert.keyType;
    if (type === 'rsa' || type === 'rsa-pss') {
      if ((cert.keyBits ?? 0) < policy.minRsaBits) problems.push({ status: 'fail', text: `${role} has an RSA ${cert.keyBits ?? '?'}-bit key (at least ${policy.minRsaBits})` });
    } else if (type === 'ec') {
      if ((cert.keyBits ?? 0) < policy.minEcBits) problems.push({ status: 'fail', text: `${role} has an EC ${cert.keyBits ?? '?'}-bit key${cert.curve ? ` (${cert.curve})` : ''} (at least ${policy.minEcBits})` });
    } else if (type !== 'ed25519' && type !== 'ed448') {
      problems.push({ status: 'fail', text: `${role} has a ${type} key` });
    }
  }
  return fromProblems(problems, `leaf key ${describeKey(leaf)}`, `leaf key ${describeKey(leaf)}`);
}

export default defineProbe({
  id: 'tls.key',
  sends: { to: 'each service host', what: 'the shared detail TLS handshake per host (a second only when TLS 1.2 is refused), closed after the handshake; no HTTP request', effect: 'none' },
  title: 'Certificate keys are strong enough (RSA >= 2048, EC >= 256 bits)',
  description:
    'Per service host, from one detail handshake: the public key of the leaf certificate and of each intermediate the server sends is RSA of at least minRsaBits, EC of at least minEcBits, or Ed25519/Ed448.',
  params: z.object({ urls: urlsParam, minRsaBits: z.number().int().positive().default(2048), minEcBits: z.number().int().positive().default(256) }),
  remediation: 'Issue a new certificate with an RSA 2048+ or ECDSA P-256/P-384 key (certbot: `--key-type ecdsa` or `--rsa-key-size 2048`) and install it with its chain.',
  suggests: [{ match: /certificate key (size|strength)|key size/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = `RSA keys of at least ${params.minRsaBits} bits, EC keys of at least ${params.minEcBits} bits`;
    return perTarget(webTargets(ctx, params.urls), expected, undefined, (target) => withDetail(ctx, target, (detail) => judgeKeys(sentCertificates(detail, trustAnchors(ctx.options)), params)), { httpsOnly: true });
  },
});
