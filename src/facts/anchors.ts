import tls from 'node:tls';
import type { RunOptions } from '../engine/types.js';
import { extraCaCerts } from './tls.js';

/**
 * The trust store as DER certificates, for judging a chain the server sent: which certificate a
 * client would find locally for the last one sent (a root it may, an intermediate it may not).
 * Local data only; no network.
 */
const PEM = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

export function pemToDer(pem: string): Buffer[] {
  return [...pem.matchAll(PEM)].map((match) => Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

let bundled: Buffer[] | undefined;

/**
 * Node's bundled (Mozilla) roots as DER, one set of Buffers per process: the certificate parses
 * (src/facts/x509.ts) are memoized per Buffer, so the trust store and the public-root check of
 * tls.ct share them instead of parsing ~140 roots twice (16 ms, measured).
 */
export function bundledRoots(): Buffer[] {
  bundled ??= tls.rootCertificates.flatMap(pemToDer);
  return bundled;
}

const cache = new Map<string, Buffer[]>();

/** The run's trust store as DER: Node's bundled roots, NODE_EXTRA_CA_CERTS and --ca (what `trustingContext` trusts). */
export function trustAnchors(options: RunOptions): Buffer[] {
  const key = options.ca.join('\n');
  let anchors = cache.get(key);
  if (!anchors) {
    anchors = [...bundledRoots(), ...[...extraCaCerts(), ...options.ca].flatMap(pemToDer)];
    cache.set(key, anchors);
  }
  return anchors;
}
