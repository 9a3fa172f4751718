import type { RunOptions } from '../engine/types.js';
import { trustedCas } from './tls.js';

/**
 * TLS options for an SDK's agent: verification stays on unless `--insecure`, and `--ca` certificates
 * are trusted beside the system store (the list comes from `trustedCas`, shared with the TLS probes).
 */
export function tlsTrust(options: RunOptions): { ca?: string[]; rejectUnauthorized: boolean } {
  const ca = trustedCas(options);
  return { rejectUnauthorized: !options.insecure, ...(ca ? { ca } : {}) };
}
