import type { Probe } from '../../src/engine/types.js';
import buckets from './buckets.js';
import encryption from './encryption.js';
import lifecycle from './lifecycle.js';
import publicAccess from './public-access.js';
import roundtrip from './roundtrip.js';
import versioning from './versioning.js';

export const probes: Probe[] = [buckets, encryption, lifecycle, publicAccess, versioning, roundtrip];
