import { afterAll, beforeAll, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import type { RunningStandIn } from '../../src/demo/standin.js';
import { redisStandIn } from '../../src/standins/redis.js';
import { makeContext } from '../helpers/context.js';

const probes = await probesOf('redis');

let running: RunningStandIn;

beforeAll(async () => {
  running = await redisStandIn.start({ dir: '', caPem: '', issueCertificate: () => Promise.reject(new Error('not needed')) });
});

afterAll(async () => {
  await running?.close();
});

it('the demo cache gives the redis probes a realistic mix of passes and failures', async () => {
  expect(Object.keys(running.env)).toEqual(['REDIS_URL']);
  const ctx = makeContext(running.env);
  try {
    const results = Object.fromEntries(
      await Promise.all(probes.map(async (probe) => [probe.id, (await probe.run({ ...ctx, signal: new AbortController().signal }, probe.params.parse({}))).status] as const)),
    );
    expect(results).toEqual({
      'redis.connectivity': 'pass',
      'redis.version': 'pass',
      'redis.auth': 'pass',
      'redis.aof': 'pass',
      'redis.replication': 'fail',
      'redis.eviction-policy': 'fail',
      'redis.hit-rate': 'pass',
    });
  } finally {
    await ctx.close();
  }
});
