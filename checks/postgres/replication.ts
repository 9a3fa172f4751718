import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { pgSnapshot, withPostgres, type PgSnapshot } from '../../src/facts/postgres.js';

type ReplicationFacts = Pick<PgSnapshot, 'inRecovery' | 'replicas' | 'replicaLagSeconds' | 'walReceiverStatus'>;

const REMEDIATION =
  'Attach at least one streaming replica (managed services: a read replica or Multi-AZ standby; self-hosted: pg_basebackup -R on the standby with wal_level=replica and a replication role) and watch its lag.';

export function judgeReplication(facts: ReplicationFacts, params: { minReplicas: number; maxLagSeconds: number }): Finding {
  if (facts.inRecovery) {
    const expected = `a replica streaming from its primary, at most ${params.maxLagSeconds} s behind`;
    const lag = facts.replicaLagSeconds;
    const observed = `connected to a replica (recovery mode), WAL receiver ${facts.walReceiverStatus ?? 'not running'}, ${lag === null ? 'lag unknown' : `${lag.toFixed(1)} s behind`}`;
    if (facts.walReceiverStatus !== null && facts.walReceiverStatus !== 'streaming') return { status: 'fail', observed, expected, remediation: 'Check primary_conninfo and the primary\'s pg_hba.conf replication rule.' };
    if (lag === null) return { status: 'warn', observed, expected };
    if (lag > params.maxLagSeconds) return { status: 'fail', observed, expected, remediation: 'The replica falls behind: check its I/O, network and long-running queries.' };
    return { status: 'pass', observed, expected };
  }
  const expected = `at least ${params.minReplicas} streaming replica(s), at most ${params.maxLagSeconds} s behind`;
  const hidden = facts.replicas.filter((replica) => replica.state === null);
  const streaming = facts.replicas.filter((replica) => replica.state === 'streaming');
  const attached = streaming.length + hidden.length;
  const lagging = streaming.filter((replica) => (replica.replayLagSeconds ?? 0) > params.maxLagSeconds);
  const parts = facts.replicas.map((replica) =>
    replica.state === null ? `${replica.name || 'replica'} (state hidden from this role)` : `${replica.name || 'replica'} ${replica.state}${replica.replayLagSeconds !== null ? `, ${replica.replayLagSeconds.toFixed(1)} s lag` : ''}`,
  );
  const observed = `primary with ${attached} attached replica(s)${parts.length ? `: ${parts.join('; ')}` : ''}`;
  if (attached < params.minReplicas) return { status: 'fail', observed, expected, remediation: REMEDIATION };
  if (lagging.length) return { status: 'fail', observed, expected, remediation: 'A replica falls behind: check its I/O, network and long-running queries.' };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'postgres.replication',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'reads of pg_stat_replication / pg_is_in_recovery() and the replay lag inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'Database has a streaming replica',
  description: 'On the primary, at least minReplicas replicas stream from it (pg_stat_replication); connected to a replica, it is in recovery and at most maxLagSeconds behind.',
  params: z.object({ minReplicas: z.number().int().nonnegative().default(1), maxLagSeconds: z.number().nonnegative().default(60) }),
  remediation: REMEDIATION,
  suggests: [{ match: /database replication/i }],
  async run(ctx, params) {
    return withPostgres(ctx, { expected: 'a streaming replica' }, async (session) => judgeReplication(await pgSnapshot(ctx, session), params));
  },
});
