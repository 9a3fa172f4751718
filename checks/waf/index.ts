import type { Probe } from '../../src/engine/types.js';
import blocksAttacks from './blocks-attacks.js';

export const probes: Probe[] = [blocksAttacks];
