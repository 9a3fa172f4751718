/** The redis judgements as pure functions, on INFO recorded from the test servers (fixtures/) and variations of it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeAof } from '../../checks/redis/aof.js';
import { judgeRedisAuth } from '../../checks/redis/auth.js';
import { judgeEviction } from '../../checks/redis/eviction-policy.js';
import { judgeHitRate } from '../../checks/redis/hit-rate.js';
import { judgeRedisReplication } from '../../checks/redis/replication.js';
import { judgeRedisVersion } from '../../checks/redis/version.js';
import { parseInfo, redisTargetOf, type RedisInfo } from '../../src/facts/redis.js';
import { buildTarget } from '../../src/target/target.js';
import { Redactor } from '../../src/util/redact.js';

const info = (name: string): RedisInfo => parseInfo(readFileSync(new URL(`./fixtures/info-${name}.txt`, import.meta.url), 'utf8'));
const primary = info('primary');
const replica = info('replica');
const managed = info('managed');
const target = (env: Record<string, string>) => redisTargetOf(buildTarget({ fileValues: new Map(Object.entries(env)) }, new Redactor()));

describe('connection settings', () => {
  it('reads REDIS_URL (with TLS, ACL user, db) or REDIS_HOST/PORT/PASSWORD', () => {
    expect(target({ REDIS_URL: 'rediss://app:s%40cret@cache.internal:6380/2' })).toEqual({ host: 'cache.internal', port: 6380, db: 2, tls: true, username: 'app', password: 's@cret', label: 'rediss://cache.internal:6380' });
    expect(target({ REDIS_URL: 'redis://cache:6379', REDIS_PASSWORD: 'pw12345' })).toMatchObject({ password: 'pw12345', label: 'cache:6379' });
    expect(target({ REDIS_HOST: 'cache', REDIS_PORT: 'x' })).toEqual({ error: 'REDIS_PORT "x" is not a port number' });
    expect(target({})).toBeUndefined();
  });
});

describe('recorded INFO', () => {
  it('parses sections', () => {
    expect(primary.server?.redis_version).toMatch(/^7\./);
    expect(primary.replication?.role).toBe('master');
  });

  it('judges version and replication on primary and replica', () => {
    expect(judgeRedisVersion(primary, { minMajor: 7 }).status).toBe('pass');
    expect(judgeRedisVersion({ server: { redis_version: '6.2.14' } }, { minMajor: 7 }).status).toBe('fail');
    expect(judgeRedisReplication(primary, { minReplicas: 1, maxLagSeconds: 10 }).status).toBe('pass');
    expect(judgeRedisReplication(primary, { minReplicas: 2, maxLagSeconds: 10 }).status).toBe('fail');
    expect(judgeRedisReplication(replica, { minReplicas: 1, maxLagSeconds: 10 }).status).toBe('pass');
    const down = { ...replica, replication: { ...replica.replication, master_link_status: 'down' } };
    expect(judgeRedisReplication(down, { minReplicas: 1, maxLagSeconds: 10 }).status).toBe('fail');
    const lagging = { ...primary, replication: { ...primary.replication, slave0: 'ip=10.0.0.2,port=6379,state=online,offset=1,lag=30' } };
    expect(judgeRedisReplication(lagging, { minReplicas: 1, maxLagSeconds: 10 }).status).toBe('fail');
  });

  it('falls back to INFO for AOF and the eviction policy where CONFIG is disabled', () => {
    expect(judgeAof({ info: managed, configError: 'ERR unknown command' }, { fsync: ['everysec', 'always'] }).status).toBe('pass');
    const failing = { ...managed, persistence: { ...managed.persistence, aof_last_write_status: 'err' } };
    expect(judgeAof({ info: failing }, { fsync: ['everysec', 'always'] }).status).toBe('fail');
    expect(judgeAof({ info: primary, config: { appendonly: 'yes', appendfsync: 'no' } }, { fsync: ['everysec', 'always'] }).status).toBe('fail');
    expect(judgeEviction({ info: managed }, { allowed: ['noeviction'] }).status).toBe('pass');
    expect(judgeEviction({ info: managed, config: { 'maxmemory-policy': 'volatile-lru' } }, { allowed: ['noeviction'] }).status).toBe('fail');
  });

  it('reports the hit ratio from INFO stats', () => {
    const stats = (hits: number, misses: number) => ({ ...primary, stats: { ...primary.stats, keyspace_hits: String(hits), keyspace_misses: String(misses) } });
    expect(judgeHitRate(primary, { warnBelow: 0.8, failBelow: 0.5, minLookups: 100 }).observed).toMatch(/^only 0 lookup\(s\)/);
    expect(judgeHitRate(stats(150, 10), { warnBelow: 0.8, failBelow: 0.5, minLookups: 100 })).toMatchObject({ status: 'pass', observed: 'hit ratio 93.8% (150 hits, 10 misses)' });
    expect(judgeHitRate(stats(70, 30), { warnBelow: 0.8, failBelow: 0.5, minLookups: 100 }).status).toBe('warn');
    expect(judgeHitRate(stats(30, 70), { warnBelow: 0.8, failBelow: 0.5, minLookups: 100 }).status).toBe('fail');
    expect(judgeHitRate(stats(3, 0), { warnBelow: 0.8, failBelow: 0.5, minLookups: 100 }).status).toBe('warn');
  });

  it('judges the attempt without a password', () => {
    expect(judgeRedisAuth({ passwordConfigured: true, attempt: { outcome: 'refused', reason: 'NOAUTH Authentication required.' } }).status).toBe('pass');
    expect(judgeRedisAuth({ passwordConfigured: true, attempt: { outcome: 'accepted' } }).status).toBe('fail');
    expect(judgeRedisAuth({ passwordConfigured: true, attempt: { outcome: 'inconclusive', reason: 'ETIMEDOUT' } }).status).toBe('warn');
  });
});
