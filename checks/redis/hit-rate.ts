import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { infoNumber, withRedis, type RedisInfo } from '../../src/facts/redis.js';

export function judgeHitRate(info: RedisInfo, params: { warnBelow: number; failBelow: number; minLookups: number }): Finding {
  const hits = infoNumber(info, 'stats', 'keyspace_hits');
  const misses = infoNumber(info, 'stats', 'keyspace_misses');
  const lookups = hits + misses;
  const expected = `keyspace hit ratio at least ${(params.warnBelow * 100).toFixed(0)}% (over at least ${params.minLookups} lookups)`;
  if (lookups < params.minLookups) return { status: 'warn', observed: `only ${lookups} lookup(s) since the last restart/CONFIG RESETSTAT: too few to judge`, expected };
  const ratio = hits / lookups;
  const observed = `hit ratio ${(ratio * 100).toFixed(1)}% (${hits} hits, ${misses} misses)`;
  const remediation = 'Check what the application caches and for how long (CACHE_TTL), and that keys are read the way they are written.';
  if (ratio < params.failBelow) return { status: 'fail', observed, expected, remediation };
  if (ratio < params.warnBelow) return { status: 'warn', observed, expected, remediation };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'redis.hit-rate',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'INFO stats on the shared connection; no key is read', effect: 'none' },
  title: 'Redis hit rate',
  description: 'Reports keyspace_hits / (hits + misses) from INFO stats; warns under warnBelow, fails under failBelow, and warns when there are too few lookups to judge.',
  params: z.object({
    warnBelow: z.number().min(0).max(1).default(0.8),
    failBelow: z.number().min(0).max(1).default(0.5),
    minLookups: z.number().int().nonnegative().default(100),
  }),
  remediation: 'Review cache keys and TTLs (CACHE_TTL) so that reads hit the cache.',
  suggests: [{ match: /^monitor redis hit rates?/i }],
  async run(ctx, params) {
    return withRedis(ctx, { expected: 'a healthy hit ratio' }, (snapshot) => judgeHitRate(snapshot.info, params));
  },
});
