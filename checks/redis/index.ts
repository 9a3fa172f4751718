import type { Probe } from '../../src/engine/types.js';
import aof from './aof.js';
import auth from './auth.js';
import connectivity from './connectivity.js';
import evictionPolicy from './eviction-policy.js';
import hitRate from './hit-rate.js';
import replication from './replication.js';
import version from './version.js';

export const probes: Probe[] = [connectivity, version, auth, aof, replication, evictionPolicy, hitRate];
