import type { Probe } from '../../src/engine/types.js';
import auth from './auth.js';

export const probes: Probe[] = [auth];
