import type { Probe } from '../../src/engine/types.js';
import account from './account.js';

export const probes: Probe[] = [account];
