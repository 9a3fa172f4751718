import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { cipherFacts, type CipherEnumeration } from '../../src/facts/tls-depth.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';
import { handshakesNote } from './detail.js';

/** OpenSSL names: NULL, EXPORT, RC4, (3)DES, MD5 MACs, anonymous key exchange, IDEA/SEED/RC2 (64-bit or legacy blocks). */
const BROKEN = /(^|-)(NULL|EXP|EXPORT|RC4|DES|DES-CBC3|3DES|MD5|ADH|AECDH|IDEA|SEED|RC2)(-|$)|^(ADH|AECDH)|anon|NULL/i;
/** TLS 1.2 suites with ephemeral key exchange (and not anonymous, which BROKEN catches first). */
const FORWARD_SECRET = /^(ECDHE|DHE|EDH)-/;

export function judgeCiphers(result: CipherEnumeration, nonForwardSecret: 'fail' | 'warn'): Omit<FindingDetail, 'subject'> {
  const problems: Problem[] = [];
  if (result.error) problems.push({ status: 'error', text: `enumeration stopped: ${result.error}` });
  if (result.tls12Refused) return fromProblems(problems, 'TLS 1.2 refused: no TLS 1.2 suites to judge (TLS 1.3 suites are all forward secret)');
  const broken = result.accepted.filter((name) => BROKEN.test(name));
  const noPfs = result.accepted.filter((name) => !BROKEN.test(name) && !FORWARD_SECRET.test(name));
  if (broken.length > 0) problems.push({ status: 'fail', text: `accepts broken suites ${broken.join(', ')}` });
  if (noPfs.length > 0) problems.push({ status: nonForwardSecret, text: `accepts suites without forward secrecy ${noPfs.join(', ')}` });
  // Logjam: DH groups under 1024 bits are breakable, under 2048 below every current guideline; ECDH curves under ~128-bit security (P-192, P-224; X25519 reports 253 bits) likewise.
  for (const [suite, key] of Object.entries(result.ephemeral ?? {})) {
    const size = key.size ?? 0;
    if (key.type === 'DH' && size < 1024) problems.push({ status: 'fail', text: `${suite} uses a ${size}-bit DH group` });
    else if (key.type === 'DH' && size < 2048) problems.push({ status: 'warn', text: `${suite} uses a ${size}-bit DH group (2048 or more)` });
    else if (key.type === 'ECDH' && size > 0 && size < 250) problems.push({ status: 'warn', text: `${suite} uses the ${size}-bit curve ${key.name ?? ''}`.trim() });
  }
  const summary = `TLS 1.2 suites accepted: ${result.accepted.join(', ') || 'none'}`;
  return fromProblems(problems, `${summary}; all forward secret, none broken`, summary);
}

export default defineProbe({
  id: 'tls.ciphers',
  title: 'Every TLS 1.2 cipher suite is forward secret, none is NULL/EXPORT/RC4/3DES/anonymous',
  description:
    "Per service host, enumerates the TLS 1.2 suites the server accepts, as testssl.sh does: offer every suite this OpenSSL knows (ALL:COMPLEMENTOFALL at security level 0), note the one chosen, offer the rest again, until the server refuses. Fails on NULL, EXPORT, RC4, DES/3DES, MD5 and anonymous suites, on DH groups under 1024 bits (warns under 2048, and on curves weaker than P-256/X25519), and (nonForwardSecret: fail) on any suite without ECDHE/DHE key exchange. Suites this Node build's OpenSSL cannot offer (e.g. RC4 without the legacy provider) cannot be detected.",
  params: z.object({ urls: urlsParam, nonForwardSecret: z.enum(['fail', 'warn']).default('fail') }),
  remediation: 'Use Mozilla\'s "intermediate" list in nginx: `ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;` and reload.',
  suggests: [{ match: /cipher suites?|forward secrecy/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = 'only forward-secret TLS 1.2 suites, none NULL/EXPORT/RC4/3DES/anonymous';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, async (target) => {
      const result = await cipherFacts(ctx, target.url);
      const judged = judgeCiphers(result, params.nonForwardSecret);
      return { ...judged, observed: `${judged.observed} (${handshakesNote(result.handshakes)})` };
    }, { httpsOnly: true });
  },
});
