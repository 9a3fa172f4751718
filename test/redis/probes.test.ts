import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probesOf } from '../helpers/probes.js';
import aof from '../../checks/redis/aof.js';
import auth from '../../checks/redis/auth.js';
import connectivity from '../../checks/redis/connectivity.js';
import evictionPolicy from '../../checks/redis/eviction-policy.js';
import hitRate from '../../checks/redis/hit-rate.js';
import replication from '../../checks/redis/replication.js';
import version from '../../checks/redis/version.js';
import type { Finding, Probe } from '../../src/engine/types.js';
import { freePort } from '../../src/standins/process.js';
import { makeContext } from '../helpers/context.js';
import { REDIS_PASSWORD, startRedisFixture, type RedisFixture } from '../helpers/redis-server.js';

const probes = await probesOf('redis');

let fx: RedisFixture;

beforeAll(async () => {
  fx = await startRedisFixture();
  // Traffic the application would have made: 150 hits on the primary, 150 misses on the bare server.
  const primary = fx.client(fx.primary, REDIS_PASSWORD);
  const bare = fx.client(fx.bare);
  try {
    await primary.set('session:1', 'x');
    for (let i = 0; i < 150; i++) {
      await primary.get('session:1');
      await bare.get(`missing:${i}`);
    }
  } finally {
    primary.disconnect();
    bare.disconnect();
  }
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

async function check(probe: Probe, env: Record<string, string>, params: Record<string, unknown> = {}, ca: string[] = []): Promise<Finding & { contacts: Map<string, number> }> {
  const ctx = makeContext(env, { ca });
  try {
    const finding = await probe.run(ctx, probe.params.parse(params));
    expect(JSON.stringify(finding)).not.toContain(REDIS_PASSWORD);
    return { ...finding, contacts: new Map(ctx.facts.contacts) };
  } finally {
    await ctx.close();
  }
}

const primaryUrl = () => ({ REDIS_URL: fx.url(fx.primary, REDIS_PASSWORD) });

describe('redis.connectivity', () => {
  it('passes and reports latency', async () => {
    const finding = await check(connectivity, primaryUrl());
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/^connected to 127\.0\.0\.1:\d+ in \d+ ms; PING took \d+ ms$/);
    expect(finding.contacts.get(`redis 127.0.0.1:${fx.primary.port}`)).toBe(1);
  });

  it('reads REDIS_HOST/REDIS_PORT/REDIS_PASSWORD', async () => {
    const finding = await check(connectivity, { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(fx.primary.port), REDIS_PASSWORD });
    expect(finding.status).toBe('pass');
  });

  it('fails with a wrong password, without echoing it', async () => {
    const finding = await check(connectivity, { REDIS_URL: fx.url(fx.primary, 'Wrong-Passw0rd-99') });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/WRONGPASS|invalid username-password/);
    expect(finding.observed).not.toContain('Wrong-Passw0rd-99');
  });

  it('fails without the password', async () => {
    const finding = await check(connectivity, { REDIS_URL: fx.url(fx.primary) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/NOAUTH/);
  });

  it('fails when nothing listens', async () => {
    const finding = await check(connectivity, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/ECONNREFUSED/);
  });

  it('connects over TLS (rediss://) trusting the given CA, and fails on an untrusted certificate', async () => {
    const env = { REDIS_URL: `rediss://:${REDIS_PASSWORD}@127.0.0.1:${fx.tls.port}` };
    const trusted = await check(connectivity, env, {}, [fx.ca]);
    expect(trusted.status, trusted.observed).toBe('pass');
    expect(trusted.observed).toMatch(/^connected to rediss:\/\/127\.0\.0\.1:/);
    const untrusted = await check(connectivity, env);
    expect(untrusted.status).toBe('fail');
    expect(untrusted.observed).toMatch(/certificate/i);
  });

  it('is skipped without REDIS_URL or REDIS_HOST', async () => {
    const finding = await check(connectivity, {});
    expect(finding.status).toBe('skipped');
    expect(finding.observed).toMatch(/REDIS_URL/);
  });
});

describe('redis.version', () => {
  it('passes on Redis 7', async () => {
    const finding = await check(version, primaryUrl());
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/^Redis 7\./);
  });

  it('fails below the required major', async () => {
    expect((await check(version, primaryUrl(), { minMajor: 99 })).status).toBe('fail');
  });
});

describe('redis.auth', () => {
  it('passes when a connection without the password is refused', async () => {
    const finding = await check(auth, primaryUrl());
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/NOAUTH/);
    expect(finding.contacts.get(`redis-noauth 127.0.0.1:${fx.primary.port}`)).toBe(1);
  });

  it('fails when Redis answers without a password', async () => {
    const finding = await check(auth, { REDIS_URL: fx.url(fx.bare) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/accepted.*configures no password/);
  });
});

describe('redis.aof', () => {
  it('passes with appendonly yes / everysec', async () => {
    const finding = await check(aof, primaryUrl());
    expect(finding).toMatchObject({ status: 'pass', observed: 'appendonly yes, appendfsync everysec' });
  });

  it('fails without AOF', async () => {
    const finding = await check(aof, { REDIS_URL: fx.url(fx.bare) });
    expect(finding).toMatchObject({ status: 'fail', observed: 'appendonly no, appendfsync everysec' });
  });

  it('falls back to INFO persistence where CONFIG is disabled', async () => {
    const on = await check(aof, { REDIS_URL: fx.url(fx.managed, REDIS_PASSWORD) });
    expect(on.status).toBe('pass');
    expect(on.observed).toMatch(/^CONFIG unavailable \(ERR unknown command 'CONFIG'.*aof_enabled:1/);
    const off = await check(aof, { REDIS_URL: fx.url(fx.managedNoAof, REDIS_PASSWORD) });
    expect(off.status).toBe('fail');
    expect(off.observed).toMatch(/aof_enabled:0/);
  });
});

describe('redis.replication', () => {
  it('passes on a primary with an online replica', async () => {
    const finding = await check(replication, primaryUrl());
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/^primary with 1 connected replica\(s\): 127\.0\.0\.1:\d+ online/);
  });

  it('passes on a replica whose link is up', async () => {
    const finding = await check(replication, { REDIS_URL: fx.url(fx.replica, REDIS_PASSWORD) });
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/link up$/);
  });

  it('fails on a primary without replicas', async () => {
    const finding = await check(replication, { REDIS_URL: fx.url(fx.bare) });
    expect(finding).toMatchObject({ status: 'fail', observed: 'primary with 0 connected replica(s)' });
  });
});

describe('redis.eviction-policy', () => {
  it('passes with noeviction', async () => {
    expect((await check(evictionPolicy, primaryUrl())).status).toBe('pass');
  });

  it('fails with allkeys-lru', async () => {
    const finding = await check(evictionPolicy, { REDIS_URL: fx.url(fx.bare) });
    expect(finding).toMatchObject({ status: 'fail', observed: 'maxmemory-policy allkeys-lru, maxmemory 67108864 bytes' });
  });

  it('reads the policy from INFO memory where CONFIG is disabled', async () => {
    const finding = await check(evictionPolicy, { REDIS_URL: fx.url(fx.managed, REDIS_PASSWORD) });
    expect(finding).toMatchObject({ status: 'pass', observed: 'maxmemory-policy noeviction, maxmemory unlimited' });
  });
});

describe('redis.hit-rate', () => {
  it('passes with mostly hits', async () => {
    const finding = await check(hitRate, primaryUrl());
    expect(finding.status, finding.observed).toBe('pass');
    expect(finding.observed).toMatch(/^hit ratio 100\.0% \(15\d hits, 0 misses\)$/);
  });

  it('fails with mostly misses', async () => {
    const finding = await check(hitRate, { REDIS_URL: fx.url(fx.bare) });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/^hit ratio 0\.0% \(0 hits, 15\d misses\)$/);
  });

  it('warns when there are too few lookups to judge', async () => {
    const finding = await check(hitRate, { REDIS_URL: fx.url(fx.managed, REDIS_PASSWORD) });
    expect(finding.status).toBe('warn');
  });
});

describe('read-only', () => {
  it('a full run sends only PING, INFO, CONFIG GET and AUTH', async () => {
    const ctx = makeContext(primaryUrl());
    try {
      const statuses = await Promise.all(probes.map(async (probe) => (await probe.run({ ...ctx, signal: new AbortController().signal }, probe.params.parse({}))).status));
      expect(statuses).not.toContain('error');
      expect(ctx.facts.contacts.get(`redis 127.0.0.1:${fx.replica.port}`)).toBeUndefined();
      expect(ctx.facts.contacts.get(`redis 127.0.0.1:${fx.primary.port}`)).toBe(1);
    } finally {
      await ctx.close();
    }
    const admin = fx.client(fx.replica, REDIS_PASSWORD);
    try {
      // The replica mirrors every write the primary executed: it must have received none beyond the setup's SET.
      const stats = await admin.info('commandstats');
      const commands = [...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => m[1]);
      expect(commands.filter((c) => !['info', 'ping', 'auth', 'config|get', 'replconf', 'select', 'set', 'command', 'command|docs'].includes(c as string))).toEqual([]);
    } finally {
      admin.disconnect();
    }
  });
});
