import tls from 'node:tls';
import type { RunOptions } from '../engine/types.js';
import { extraCaCerts, trustedCas } from './tls.js';

/**
 * The trust store as DER certificates, for judging a chain the server sent: which certificate a
 * client would find locally for the last one sent (a root it may, an intermediate it may not).
 * Local data only; no network.
 */
const PEM = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

export function pemToDer(pem: string): Buffer[] {
  return [...pem.matchAll(PEM)].map((match) => Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

const cache = new Map<string, Buffer[]>();

export function trustAnchors(options: RunOptions): Buffer[] {
  const key = options.ca.join('\n');
  let anchors = cache.get(key);
  if (!anchors) {
    anchors = (trustedCas(options) ?? [...tls.rootCertificates, ...extraCaCerts()]).flatMap(pemToDer);
    cache.set(key, anchors);
  }
  return anchors;
}
