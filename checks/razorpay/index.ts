import type { Probe } from '../../src/engine/types.js';
import keys from './keys.js';
import webhookSignature from './webhook-signature.js';

export const probes: Probe[] = [keys, webhookSignature];
