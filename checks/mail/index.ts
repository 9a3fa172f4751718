import type { Probe } from '../../src/engine/types.js';
import dkim from './dkim.js';
import dmarc from './dmarc.js';
import spf from './spf.js';

export const probes: Probe[] = [spf, dmarc, dkim];
