import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withRedis, type RedisSnapshot } from '../../src/facts/redis.js';

export function judgeRedisConnectivity(facts: Pick<RedisSnapshot, 'label' | 'connectMs' | 'pingMs'>, params: { maxLatencyMs: number }): Finding {
  const expected = `Redis answers PING within ${params.maxLatencyMs} ms`;
  const observed = `connected to ${facts.label} in ${Math.round(facts.connectMs)} ms; PING took ${Math.round(facts.pingMs)} ms`;
  if (facts.pingMs > params.maxLatencyMs) return { status: 'warn', observed, expected, remediation: 'Run the application close to Redis (same region/VPC) and check the server\'s load (SLOWLOG, latency doctor).' };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'redis.connectivity',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'one connection with the application\'s password: PING, INFO, CONFIG GET (shared by every redis.* probe)', effect: 'none' },
  title: 'Cache accepts the application\'s connection',
  description: 'Connects to Redis with the application\'s settings (REDIS_URL or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD), sends PING and reports the latency (the median of 5 PINGs, taken in the measurement phase after the concurrent probes).',
  params: z.object({ maxLatencyMs: z.number().positive().default(100) }),
  remediation: 'Check REDIS_URL/REDIS_* (host, port, password, TLS) and that Redis accepts connections from the application.',
  suggests: [{ match: /^cache connectivity confirmed/i }],
  // A latency judged against a threshold: measured alone, after the concurrent probes (issue 11 item 9).
  phase: 'measurement',
  async run(ctx, params) {
    return withRedis(ctx, { expected: 'Redis answers PING', unreachable: 'fail' }, async (snapshot) => {
      // The median of 5 PINGs on the application's connection, taken now, in the quiet phase.
      const pings: number[] = [];
      for (let i = 0; i < 5; i++) pings.push(await snapshot.ping());
      const pingMs = pings.sort((a, b) => a - b)[2] as number;
      return judgeRedisConnectivity({ ...snapshot, pingMs }, params);
    });
  },
});
