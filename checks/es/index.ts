import type { Probe } from '../../src/engine/types.js';
import clusterHealth from './cluster-health.js';
import connectivity from './connectivity.js';
import disk from './disk.js';
import indices from './indices.js';
import nodes from './nodes.js';
import security from './security.js';
import shards from './shards.js';
import version from './version.js';

export const probes: Probe[] = [connectivity, version, clusterHealth, nodes, shards, security, disk, indices];
