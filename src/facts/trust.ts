import type { SecureContext } from 'node:tls';
import type { RunOptions } from '../engine/types.js';
import { secureContextFor } from './tls.js';

/**
 * TLS options for an SDK's agent: verification stays on unless `--insecure`, and `--ca` certificates
 * are trusted beside the system store, through the run's one shared secure context. Measured: handing
 * the SDKs the CA list instead made every connection (the AWS SDK's, and the Elasticsearch client's
 * before its requests became our own) parse ~140 roots again, about 1 s of a full run's 2.3 s of CPU.
 */
export function tlsTrust(options: RunOptions): { secureContext?: SecureContext; rejectUnauthorized: boolean } {
  const secureContext = secureContextFor(options);
  return { rejectUnauthorized: !options.insecure, ...(secureContext ? { secureContext } : {}) };
}
