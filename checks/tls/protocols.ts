import { z } from 'zod';
import { defineProbe, type FindingDetail } from '../../src/engine/types.js';
import { LEGACY_CIPHERS, WEAK_CIPHERS, tlsFacts, type HandshakePins, type TlsResult } from '../../src/facts/tls.js';
import { sslv3Facts, type Sslv3Result } from '../../src/facts/tls-depth.js';
import { handshakesNote } from './detail.js';
import { fromProblems, perTarget, urlsParam, webTargets, type Problem } from '../http/services.js';

/** The deliberate extra handshakes, each pinned so only the thing under test can be negotiated. */
export const VARIANTS: Record<'tls10' | 'tls11' | 'weak' | 'tls12' | 'tls13', { name: string; pins: HandshakePins }> = {
  tls12: { name: 'TLSv1.2-only', pins: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } },
  tls13: { name: 'TLSv1.3-only', pins: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } },
  tls10: { name: 'TLSv1', pins: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: LEGACY_CIPHERS } },
  tls11: { name: 'TLSv1.1', pins: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: LEGACY_CIPHERS } },
  weak: { name: 'weak-ciphers', pins: { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: WEAK_CIPHERS } },
};

export interface ProtocolFacts {
  main: TlsResult;
  tls10: TlsResult;
  tls11: TlsResult;
  weak: TlsResult;
  /** Handshakes pinned to exactly TLS 1.2 and exactly TLS 1.3 (both should be offered), and the raw SSLv3 hello. Absent in older recordings. */
  tls12?: TlsResult;
  tls13?: TlsResult;
  ssl3?: Sslv3Result;
}

const BROKEN_CIPHER = /3DES|DES-CBC|RC4|NULL|EXP|MD5|ADH|AECDH|anon/i;
const FORWARD_SECRET = /^(TLS_|ECDHE|DHE)/;

/** Pure judgement of the normal handshake and the pinned ones. */
export function judgeProtocols(facts: ProtocolFacts): Omit<FindingDetail, 'subject'> {
  const { main } = facts;
  if (!main.ok) {
    return main.refused
      ? { status: 'fail', observed: `no TLS 1.2/1.3 handshake possible: ${main.error}` }
      : { status: 'error', observed: `could not connect: ${main.error}` };
  }
  const problems: Problem[] = [];
  if (main.protocol !== 'TLSv1.2' && main.protocol !== 'TLSv1.3') problems.push({ status: 'fail', text: `best protocol offered is ${main.protocol}` });
  for (const [label, result] of [['TLS 1.0', facts.tls10], ['TLS 1.1', facts.tls11]] as const) {
    if (result.ok) problems.push({ status: 'fail', text: `accepts ${label} (${result.cipher.name})` });
    else if (!result.refused) problems.push({ status: 'error', text: `could not test ${label}: ${result.error}` });
  }
  if (facts.weak.ok) {
    const name = facts.weak.cipher.name;
    problems.push(BROKEN_CIPHER.test(name) ? { status: 'fail', text: `accepts broken cipher ${name}` } : { status: 'warn', text: `accepts ${name} (no forward secrecy)` });
  } else if (!facts.weak.refused) problems.push({ status: 'error', text: `could not test weak ciphers: ${facts.weak.error}` });
  for (const [label, result] of [['TLS 1.2', facts.tls12], ['TLS 1.3', facts.tls13]] as const) {
    if (!result || result.ok) continue;
    problems.push(result.refused ? { status: 'warn', text: `${label} not offered` } : { status: 'error', text: `could not test ${label}: ${result.error}` });
  }
  if (facts.ssl3?.accepted) problems.push({ status: 'fail', text: 'accepts SSLv3' });
  else if (facts.ssl3 && !facts.ssl3.refused) problems.push({ status: 'error', text: `could not test SSLv3: ${facts.ssl3.error}` });
  if (main.protocol === 'TLSv1.2' && !FORWARD_SECRET.test(main.cipher.name)) problems.push({ status: 'warn', text: `negotiates ${main.cipher.name} by default (no forward secrecy)` });

  const summary = `negotiated ${main.protocol} ${main.cipher.standardName || main.cipher.name}`;
  const offered = facts.tls12 && facts.tls13 ? 'TLS 1.2 and 1.3 offered; ' : '';
  const sslv3 = facts.ssl3 ? 'SSLv3, ' : '';
  return fromProblems(problems, `${summary}; ${offered}${sslv3}TLS 1.0, 1.1 and weak ciphers refused`, summary);
}

export default defineProbe({
  id: 'tls.protocols',
  title: 'Only TLS 1.2/1.3 with strong ciphers',
  description:
    'Per service host (7 handshakes): the normal handshake negotiates TLS 1.2 or 1.3; handshakes pinned to exactly TLS 1.2 and exactly TLS 1.3 must succeed (warn when one is not offered); handshakes pinned to TLS 1.0, TLS 1.1 and to weak ciphers (static RSA, anonymous, 3DES/RC4/NULL where OpenSSL has them) and a raw SSLv3 ClientHello must be refused.',
  params: z.object({ urls: urlsParam }),
  remediation:
    'In nginx: `ssl_protocols TLSv1.2 TLSv1.3;` and a modern cipher list (Mozilla "intermediate": ECDHE with AES-GCM or ChaCha20 only), then reload nginx.',
  suggests: [{ match: /\bTLS (protocol|version)s?\b|weak ciphers/i, severity: 'high' }],
  async run(ctx, params) {
    const expected = 'TLS 1.2 and 1.3 offered; SSLv3, TLS 1.0, TLS 1.1 and weak ciphers refused';
    return perTarget(webTargets(ctx, params.urls), expected, undefined, async (target) => {
      const [main, tls10, tls11, weak] = await Promise.all([
        tlsFacts(ctx, target.url),
        tlsFacts(ctx, target.url, VARIANTS.tls10),
        tlsFacts(ctx, target.url, VARIANTS.tls11),
        tlsFacts(ctx, target.url, VARIANTS.weak),
      ]);
      // A host that did not answer the normal handshake is not asked three more times.
      if (!main.ok && !main.refused) return { ...judgeProtocols({ main, tls10, tls11, weak }), observed: `could not connect: ${main.error} (${handshakesNote(4)})` };
      const [tls12, tls13, ssl3] = await Promise.all([tlsFacts(ctx, target.url, VARIANTS.tls12), tlsFacts(ctx, target.url, VARIANTS.tls13), sslv3Facts(ctx, target.url)]);
      const judged = judgeProtocols({ main, tls10, tls11, weak, tls12, tls13, ssl3 });
      return { ...judged, observed: `${judged.observed} (${handshakesNote(7)})` };
    }, { httpsOnly: true });
  },
});
