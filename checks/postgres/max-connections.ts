import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { busiestClient, pgSnapshot, withPostgres, type PgSnapshot } from '../../src/facts/postgres.js';

/** node-postgres' default pool size when DB_POOL_MAX is not set. */
export const DEFAULT_POOL = 10;

export function judgeMaxConnections(facts: Pick<PgSnapshot, 'settings' | 'role' | 'currentUser' | 'activeConnections'> & Partial<Pick<PgSnapshot, 'appSessions'>>, declared: { size: number; source: string }, instances: number): Finding {
  // Live decides: one client already holding more sessions than the declared pool is the pool that must fit.
  const busiest = busiestClient(facts.appSessions ?? []);
  const pool = busiest && busiest.count > declared.size
    ? { size: busiest.count, source: `live: ${busiest.count} sessions of role ${facts.currentUser} from ${busiest.client}, more than ${declared.source} = ${declared.size}` }
    : declared;
  const setting = (name: string) => Number(facts.settings[name]?.setting ?? 0);
  const max = setting('max_connections');
  const reserved = setting('superuser_reserved_connections') + setting('reserved_connections');
  const available = max - reserved;
  const needed = pool.size * instances;
  const expected = `max_connections minus reserved slots holds ${pool.size} (${pool.source}) x ${instances} instance(s) = ${needed} connections`;
  const observed = `max_connections = ${max} (${reserved} reserved, ${available} for applications, ${facts.activeConnections} in use now)${pool === declared ? '' : `; ${pool.source}`}`;
  const remediation = `Raise max_connections to at least ${needed + reserved} (or put PgBouncer in front), or lower DB_POOL_MAX.`;
  if (max === 0) return { status: 'error', observed: 'max_connections is not visible to this role', expected };
  if (needed > available) return { status: 'fail', observed, expected, remediation };
  if (facts.role.connLimit >= 0 && needed > facts.role.connLimit) {
    return { status: 'fail', observed: `role ${facts.currentUser} has CONNECTION LIMIT ${facts.role.connLimit}; ${observed}`, expected, remediation: `ALTER ROLE ${facts.currentUser} CONNECTION LIMIT ${needed} (or -1).` };
  }
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'postgres.max-connections',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'SHOW max_connections, the reserved slots and the role\'s connection limit inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'max_connections holds every application pool',
  description: 'max_connections (minus the reserved slots, and the role\'s CONNECTION LIMIT) can hold the configured pool (DB_POOL_MAX, or param pool) times the number of application instances (param instances); when one client of the application role already holds more sessions than that pool, the live count is the pool.',
  params: z.object({
    instances: z.number().int().positive().default(2),
    /** Pool size per instance; 0 reads DB_POOL_MAX (node-postgres defaults to 10). */
    pool: z.number().int().nonnegative().default(0),
  }),
  remediation: 'Raise max_connections (or add PgBouncer) so that DB_POOL_MAX x instances fits.',
  suggests: [{ match: /connection pool size/i }],
  async run(ctx, params) {
    const raw = ctx.target.get('DB_POOL_MAX');
    const fromEnv = raw !== undefined && Number.isInteger(Number(raw)) && Number(raw) > 0 ? Number(raw) : undefined;
    const pool = params.pool > 0 ? { size: params.pool, source: 'param pool' } : fromEnv ? { size: fromEnv, source: 'DB_POOL_MAX' } : { size: DEFAULT_POOL, source: 'driver default, DB_POOL_MAX unset' };
    return withPostgres(ctx, { expected: 'max_connections holds every pool' }, async (session) => judgeMaxConnections(await pgSnapshot(ctx, session), pool, params.instances));
  },
});
