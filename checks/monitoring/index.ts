import type { Probe } from '../../src/engine/types.js';
import alertRules from './alert-rules.js';
import alertmanagers from './alertmanagers.js';
import series from './series.js';

export const probes: Probe[] = [alertRules, series, alertmanagers];
