import type { Probe } from '../../src/engine/types.js';
import releaseState from './release-state.js';

export const probes: Probe[] = [releaseState];
