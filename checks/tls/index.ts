import type { Probe } from '../../src/engine/types.js';
import certificate from './certificate.js';
import protocols from './protocols.js';

export const probes: Probe[] = [certificate, protocols];
