import type { Probe } from '../../src/engine/types.js';
import resolve from './resolve.js';

export const probes: Probe[] = [resolve];
