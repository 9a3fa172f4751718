import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { infoNumber, withRedis, type RedisInfo } from '../../src/facts/redis.js';

const REMEDIATION = 'Attach a replica (replicaof <primary> 6379 with masterauth; managed services: add a replica / Multi-AZ) and make sure it stays online.';

export function judgeRedisReplication(info: RedisInfo, params: { minReplicas: number; maxLagSeconds: number }): Finding {
  const replication = info.replication ?? {};
  const role = replication.role;
  if (role === 'slave' || role === 'replica') {
    const expected = 'a replica with its link to the primary up';
    const observed = `replica of ${replication.master_host}:${replication.master_port}, link ${replication.master_link_status ?? 'unknown'}`;
    if (replication.master_link_status !== 'up') return { status: 'fail', observed, expected, remediation: 'Check masterauth, the network path to the primary and the replica\'s log.' };
    return { status: 'pass', observed, expected };
  }
  const expected = `a primary with at least ${params.minReplicas} online replica(s), at most ${params.maxLagSeconds} s behind`;
  if (role !== 'master') return { status: 'error', observed: 'INFO replication reports no role', expected };
  const replicas = Object.entries(replication)
    .filter(([key]) => /^slave\d+$/.test(key))
    .map(([, value]) => Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string])));
  const online = replicas.filter((replica) => replica.state === 'online' && Number(replica.lag ?? 0) <= params.maxLagSeconds);
  const observed = `primary with ${infoNumber(info, 'replication', 'connected_slaves')} connected replica(s)${replicas.length ? `: ${replicas.map((r) => `${r.ip}:${r.port} ${r.state}, lag ${r.lag} s`).join('; ')}` : ''}`;
  if (online.length < params.minReplicas) return { status: 'fail', observed, expected, remediation: REMEDIATION };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'redis.replication',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'INFO replication on the shared connection', effect: 'none' },
  title: 'Redis has a replica',
  description: 'On a primary, at least minReplicas replicas are connected and online within maxLagSeconds; on a replica, its link to the primary is up (INFO replication).',
  params: z.object({ minReplicas: z.number().int().nonnegative().default(1), maxLagSeconds: z.number().nonnegative().default(10) }),
  remediation: REMEDIATION,
  suggests: [{ match: /^set up redis replication/i }],
  async run(ctx, params) {
    return withRedis(ctx, { expected: 'a Redis replica' }, (snapshot) => judgeRedisReplication(snapshot.info, params));
  },
});
