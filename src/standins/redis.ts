/**
 * The demo's Redis: a local redis-server (when the machine has one) configured like BazaarHub's
 * reference stack (password, AOF everysec) with two realistic mistakes: an eviction policy that
 * evicts sessions and no replica. A little cache traffic gives redis.hit-rate something to judge.
 */
import { randomBytes } from 'node:crypto';
import type { RunningStandIn, StandIn } from '../demo/standin.js';
import { findRedisServer, startRedis } from './redis-server.js';

export const redisStandIn: StandIn = {
  name: 'redis',
  async start(): Promise<RunningStandIn> {
    if (!findRedisServer()) {
      return {
        name: 'redis',
        env: {},
        note: 'Redis absent (no redis-server on PATH): the redis.* checks were skipped. Install redis-server (apt-get install redis-server) to include them.',
        close: async () => undefined,
      };
    }
    const password = randomBytes(12).toString('hex');
    const server = await startRedis(['--requirepass', password, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
    try {
      const { Redis } = await import('ioredis');
      const client = new Redis({ host: server.host, port: server.port, password, maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        await client.set('session:demo', JSON.stringify({ vendorId: 'demo' }), 'EX', 3600);
        const pipeline = client.pipeline();
        for (let i = 0; i < 180; i++) pipeline.get('session:demo');
        for (let i = 0; i < 20; i++) pipeline.get(`cache:product:${i}`);
        await pipeline.exec();
      } finally {
        client.disconnect();
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      name: 'redis',
      env: { REDIS_URL: `redis://:${password}@127.0.0.1:${server.port}` },
      note: `Redis ${server.port}: password and AOF on, but maxmemory-policy allkeys-lru and no replica.`,
      close: () => server.stop(),
    };
  },
};
