import type { Probe } from '../../src/engine/types.js';
import audit from './audit.js';

export const probes: Probe[] = [audit];
