import type { Probe } from '../../src/engine/types.js';
import connectivity from './connectivity.js';
import fkIndexes from './fk-indexes.js';
import maxConnections from './max-connections.js';
import migrations from './migrations.js';
import privileges from './privileges.js';
import replication from './replication.js';
import rls from './rls.js';
import slowQueryLog from './slow-query-log.js';
import ssl from './ssl.js';
import vendorIsolation from './vendor-isolation.js';
import version from './version.js';

export const probes: Probe[] = [connectivity, version, ssl, privileges, slowQueryLog, rls, vendorIsolation, fkIndexes, replication, maxConnections, migrations];
