import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withPostgres } from '../../src/facts/postgres.js';

export interface ConnectivityFacts {
  label: string;
  connectMs: number;
  roundTripMs: number;
  encrypted: boolean;
}

export function judgeConnectivity(facts: ConnectivityFacts, params: { maxLatencyMs: number }): Finding {
  const expected = `the application's credentials connect and a query answers within ${params.maxLatencyMs} ms`;
  const observed = `connected to ${facts.label} (${facts.encrypted ? 'SSL' : 'no SSL'}) in ${Math.round(facts.connectMs)} ms; a query took ${Math.round(facts.roundTripMs)} ms`;
  if (facts.roundTripMs > params.maxLatencyMs) {
    return { status: 'warn', observed, expected, remediation: 'Run the application close to the database (same region/VPC) and check the server\'s load.' };
  }
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'postgres.connectivity',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'one client with the application\'s credentials; every query inside BEGIN READ ONLY ... ROLLBACK: SELECT 1 and the server settings the postgres.* probes share', effect: 'none' },
  title: 'Database accepts the application\'s connection',
  description: 'Connects to PostgreSQL with the application\'s credentials (DATABASE_URL or DB_*), runs a read-only query and reports the latency.',
  params: z.object({ maxLatencyMs: z.number().positive().default(200) }),
  remediation: 'Check DATABASE_URL/DB_* (host, port, user, password, database) and that the server accepts connections from the application (pg_hba.conf, security groups).',
  suggests: [{ match: /^database connectivity confirmed/i }],
  // A query latency judged against a threshold: measured alone, after the concurrent probes (issue 11 item 9).
  phase: 'measurement',
  async run(ctx, params) {
    return withPostgres(ctx, { expected: 'the application\'s credentials connect', unreachable: 'fail' }, async (session) => {
      const roundTripMs = await session.readOnly(async (q) => {
        const started = performance.now();
        await q.query('SELECT 1');
        return performance.now() - started;
      });
      return judgeConnectivity({ label: session.target.label, connectMs: session.connectMs, roundTripMs, encrypted: session.encrypted }, params);
    });
  },
});
