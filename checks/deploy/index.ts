import type { Probe } from '../../src/engine/types.js';
import service from './service.js';

export const probes: Probe[] = [service];
