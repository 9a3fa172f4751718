import type { Probe } from '../../src/engine/types.js';
import alertRules from './alert-rules.js';

export const probes: Probe[] = [alertRules];
