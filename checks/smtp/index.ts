import type { Probe } from '../../src/engine/types.js';
import connect from './connect.js';

export const probes: Probe[] = [connect];
