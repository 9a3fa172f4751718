import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withRedis, type RedisSnapshot } from '../../src/facts/redis.js';

export function judgeEviction(facts: Pick<RedisSnapshot, 'config' | 'info'>, params: { allowed: string[] }): Finding {
  const expected = `maxmemory-policy ${params.allowed.join(' or ')} (sessions carry a TTL, so volatile-* policies evict them too)`;
  const policy = facts.config?.['maxmemory-policy'] ?? facts.info.memory?.maxmemory_policy;
  if (!policy) return { status: 'error', observed: 'neither CONFIG GET nor INFO memory reports maxmemory-policy', expected };
  const maxmemory = facts.config?.maxmemory ?? facts.info.memory?.maxmemory;
  const observed = `maxmemory-policy ${policy}${maxmemory !== undefined ? `, maxmemory ${maxmemory === '0' ? 'unlimited' : `${maxmemory} bytes`}` : ''}`;
  if (!params.allowed.includes(policy)) {
    return { status: 'fail', observed, expected, remediation: 'Set maxmemory-policy noeviction (and size maxmemory with headroom), or move sessions to a Redis of their own.' };
  }
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'redis.eviction-policy',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'CONFIG GET maxmemory-policy (INFO memory where CONFIG is disabled) on the shared connection', effect: 'none' },
  title: 'Redis will not evict sessions',
  description: 'maxmemory-policy is one that never evicts session keys (noeviction by default: sessions expire with SESSION_TTL, so volatile-* policies evict them as readily as allkeys-*).',
  params: z.object({ allowed: z.array(z.string()).nonempty().default(['noeviction']) }),
  remediation: 'Set maxmemory-policy noeviction for the Redis that stores sessions.',
  suggests: [{ match: /redis for session storage/i }],
  async run(ctx, params) {
    return withRedis(ctx, { expected: 'a policy that will not evict sessions' }, (snapshot) => judgeEviction(snapshot, params));
  },
});
