import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withRedis, type RedisInfo } from '../../src/facts/redis.js';

export function judgeRedisVersion(info: RedisInfo, params: { minMajor: number }): Finding {
  const expected = `Redis ${params.minMajor} or newer`;
  const version = info.server?.redis_version;
  if (!version) return { status: 'error', observed: 'INFO server reports no redis_version', expected };
  const major = Number(version.split('.')[0]);
  const observed = `Redis ${version}${info.server?.redis_mode ? ` (${info.server.redis_mode})` : ''}`;
  if (!(major >= params.minMajor)) return { status: 'fail', observed, expected, remediation: `Upgrade to Redis ${params.minMajor} (or the managed service's ${params.minMajor}.x engine).` };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'redis.version',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'INFO server on the shared connection', effect: 'none' },
  title: 'Redis 7 or newer',
  description: 'The Redis server the application uses runs version 7 or newer (INFO server).',
  params: z.object({ minMajor: z.number().int().positive().default(7) }),
  remediation: 'Provision Redis 7 or newer (a managed service is preferred) and point REDIS_URL at it.',
  suggests: [{ match: /^provision redis\b/i }],
  async run(ctx, params) {
    return withRedis(ctx, { expected: `Redis ${params.minMajor} or newer` }, (snapshot) => judgeRedisVersion(snapshot.info, params));
  },
});
