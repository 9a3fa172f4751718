import { rootCertificates } from 'node:tls';
import type { RunOptions } from '../engine/types.js';

/**
 * TLS trust for a client: verification stays on unless `--insecure`, and the `--ca` certificates are
 * trusted beside the system store (Node's `ca` option replaces the store, so the roots are added back).
 */
export function tlsTrust(options: Pick<RunOptions, 'insecure' | 'ca'>): { ca?: string[]; rejectUnauthorized: boolean } {
  return { rejectUnauthorized: !options.insecure, ...(options.ca.length ? { ca: [...rootCertificates, ...options.ca] } : {}) };
}
