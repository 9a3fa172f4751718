import type { Probe } from '../../src/engine/types.js';
import command from './command.js';
import dnsRecord from './dns-record.js';
import httpRequest from './http-request.js';
import redisInfo from './redis-info.js';
import sqlQuery from './sql-query.js';
import tcpPort from './tcp-port.js';

/** Generic probes whose behaviour the catalog's params set entirely; registered last, so a specific probe's suggestion wins. */
export const probes: Probe[] = [httpRequest, tcpPort, dnsRecord, sqlQuery, redisInfo, command];
