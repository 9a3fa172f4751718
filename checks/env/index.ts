import type { Probe } from '../../src/engine/types.js';
import corsOrigins from './cors-origins.js';
import dbPool from './db-pool.js';
import defaultPasswords from './default-passwords.js';
import flags from './flags.js';
import required from './required.js';
import secretStrength from './secret-strength.js';

export const probes: Probe[] = [secretStrength, defaultPasswords, flags, required, corsOrigins, dbPool];
