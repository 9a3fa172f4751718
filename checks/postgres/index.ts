import type { Probe } from '../../src/engine/types.js';

export const probes: Probe[] = [];
