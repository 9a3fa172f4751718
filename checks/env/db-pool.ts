import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { busiestClient, pgLiveSnapshot, type PgSnapshot } from '../../src/facts/postgres.js';

export interface PoolFacts {
  /** DB_POOL_MAX / DB_POOL_MIN as declared (undefined when unset). */
  declaredMax?: string;
  declaredMin?: string;
  /** The live database, or why it was not compared. */
  live: { snapshot: Pick<PgSnapshot, 'settings' | 'role' | 'currentUser' | 'appSessions'> } | { reason: string };
}

/**
 * The declared pool (the checklist's 20-50) against what the live database shows: a server whose
 * max_connections (or the role's CONNECTION LIMIT) cannot hold one declared pool, or one client
 * holding more sessions than DB_POOL_MAX allows (the application does not apply it). Both are said;
 * the live evidence decides.
 */
export function judgeDbPool(facts: PoolFacts, params: { min: number; max: number }): Finding {
  const expected = `DB_POOL_MAX between ${params.min} and ${params.max}, and the live database able to hold it`;
  const raw = facts.declaredMax;
  let declared: Finding;
  let max: number | undefined;
  if (raw === undefined) declared = { status: 'fail', observed: 'DB_POOL_MAX is not set (the driver default is 10)', expected };
  else if (!Number.isInteger(Number(raw))) declared = { status: 'fail', observed: `DB_POOL_MAX is "${raw}", not a whole number`, expected };
  else {
    max = Number(raw);
    if (facts.declaredMin !== undefined && Number(facts.declaredMin) > max) declared = { status: 'fail', observed: `DB_POOL_MIN ${facts.declaredMin} exceeds DB_POOL_MAX ${max}`, expected };
    else if (max < params.min || max > params.max) declared = { status: 'fail', observed: `DB_POOL_MAX is ${max}`, expected };
    else declared = { status: 'pass', observed: `DB_POOL_MAX is ${max}`, expected };
  }
  if ('reason' in facts.live) return { ...declared, observed: `${declared.observed} (not compared with the live database: ${facts.live.reason})` };
  const { settings, role, currentUser, appSessions } = facts.live.snapshot;
  const pool = max ?? 10;
  const setting = (name: string) => Number(settings[name]?.setting ?? 0);
  const available = setting('max_connections') - setting('superuser_reserved_connections') - setting('reserved_connections');
  const problems: string[] = [];
  if (setting('max_connections') > 0 && pool > available) problems.push(`the live server's max_connections = ${setting('max_connections')} leaves ${available} for applications, fewer than one pool of ${pool}`);
  if (role.connLimit >= 0 && pool > role.connLimit) problems.push(`role ${currentUser} has CONNECTION LIMIT ${role.connLimit}, fewer than one pool of ${pool}`);
  const busiest = busiestClient(appSessions);
  const overPool = busiest && busiest.count > pool;
  const liveText = busiest ? `live: ${busiest.count} session(s) of role ${currentUser} from ${busiest.client}` : `live: no other session of role ${currentUser} seen`;
  if (problems.length) {
    return { status: 'fail', observed: `declared ${declared.observed}, but ${problems.join('; ')}; ${liveText}`, expected, remediation: `Raise max_connections (or the role's CONNECTION LIMIT), add PgBouncer, or lower DB_POOL_MAX.` };
  }
  if (overPool) {
    // One client over the declared pool: the application does not keep to DB_POOL_MAX (BazaarHub's code does not read it), or several instances share the address.
    return {
      status: declared.status === 'pass' ? 'warn' : declared.status,
      observed: `declared ${declared.observed}, but ${liveText}, more than ${raw === undefined ? 'the driver default of 10' : `DB_POOL_MAX ${pool}`}: the application does not apply DB_POOL_MAX (or several instances share that address)`,
      expected,
      remediation: 'Make the application read DB_POOL_MAX (pg Pool `max`), or set the pool where it is really configured.',
    };
  }
  return { ...declared, observed: `${declared.observed}; ${liveText}, within the pool; max_connections = ${setting('max_connections')} holds it` };
}

export default defineProbe({
  id: 'env.db-pool',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*), through the run\'s shared client', what: 'reads the env file, then max_connections, the role\'s connection limit and the sessions per client (pg_stat_activity) inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'Database pool sized for production',
  description:
    'DB_POOL_MAX is between 20 and 50 (the checklist\'s range) and DB_POOL_MIN does not exceed it; compared with the live database (through the run\'s one PostgreSQL session): max_connections and the role\'s CONNECTION LIMIT must hold one pool, and no client may hold more sessions than the declared pool.',
  params: z.object({ min: z.number().int().positive().default(20), max: z.number().int().positive().default(50) }),
  remediation: 'Set DB_POOL_MAX between 20 and 50 (and within the server\'s max_connections across all instances).',
  suggests: [{ match: /connection pool size/i, severity: 'medium' }],
  async run(ctx, params) {
    const declaredMax = ctx.target.get('DB_POOL_MAX');
    const declaredMin = ctx.target.get('DB_POOL_MIN');
    const live = await pgLiveSnapshot(ctx);
    return judgeDbPool({ ...(declaredMax !== undefined ? { declaredMax } : {}), ...(declaredMin !== undefined ? { declaredMin } : {}), live }, params);
  },
});
