import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { pgSnapshot, withPostgres } from '../../src/facts/postgres.js';

export function judgeSlowQueryLog(setting: { setting: string; unit: string | null } | undefined, params: { minMs: number; maxMs: number }): Finding {
  const expected = `log_min_duration_statement between ${params.minMs} and ${params.maxMs} ms`;
  const remediation = `Set log_min_duration_statement to a threshold such as 500ms (ALTER SYSTEM SET log_min_duration_statement = '500ms'; SELECT pg_reload_conf(); or the managed service's parameter group).`;
  if (!setting) return { status: 'error', observed: 'log_min_duration_statement is not visible to this role', expected };
  const value = Number(setting.setting);
  if (value === -1) return { status: 'fail', observed: 'log_min_duration_statement = -1 (slow queries are not logged)', expected, remediation };
  const observed = `log_min_duration_statement = ${value} ms`;
  if (value < params.minMs) return { status: 'warn', observed: `${observed}${value === 0 ? ' (every statement is logged)' : ''}`, expected, remediation };
  if (value > params.maxMs) return { status: 'warn', observed: `${observed} (only extremely slow queries are logged)`, expected, remediation };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'postgres.slow-query-log',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'SHOW log_min_duration_statement inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'Slow queries are logged',
  description: 'log_min_duration_statement, as the application\'s sessions see it, is set (not -1) and neither logs every statement nor only absurdly slow ones.',
  params: z.object({ minMs: z.number().int().nonnegative().default(1), maxMs: z.number().int().positive().default(10_000) }),
  remediation: 'Set log_min_duration_statement (e.g. 500ms) in postgresql.conf or the managed service\'s parameter group, and ship the log to your log aggregation.',
  suggests: [{ match: /query logging for slow query/i }],
  async run(ctx, params) {
    return withPostgres(ctx, { expected: 'log_min_duration_statement set' }, async (session) => judgeSlowQueryLog((await pgSnapshot(ctx, session)).settings.log_min_duration_statement, params));
  },
});
