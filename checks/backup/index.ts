import type { Probe } from '../../src/engine/types.js';
import recent from './recent.js';

export const probes: Probe[] = [recent];
