import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { redisNoAuthAttempt, withRedis, type NoAuthAttempt } from '../../src/facts/redis.js';

const EXPECTED = 'a password in REDIS_URL/REDIS_PASSWORD, and a connection without it refused (NOAUTH)';
const REMEDIATION = 'Set requirepass (or an ACL user and disable the default user) on Redis, and put the password in REDIS_URL (redis://:password@host:6379) or REDIS_PASSWORD.';

export function judgeRedisAuth(facts: { passwordConfigured: boolean; attempt: NoAuthAttempt }): Finding {
  if (facts.attempt.outcome === 'accepted') {
    return { status: 'fail', observed: `a connection without a password was accepted (PING answered)${facts.passwordConfigured ? '' : '; the application configures no password either'}`, expected: EXPECTED, remediation: REMEDIATION };
  }
  if (facts.attempt.outcome === 'inconclusive') return { status: 'warn', observed: `the attempt without a password was inconclusive: ${facts.attempt.reason}`, expected: EXPECTED };
  return { status: 'pass', observed: `a connection without the password was refused (${facts.attempt.reason.split('\n')[0]})`, expected: EXPECTED };
}

export default defineProbe({
  id: 'redis.auth',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'a second connection without the password that sends only PING', effect: 'none' },
  title: 'Redis requires a password',
  description: 'Redis refuses commands on a connection made without the application\'s password (a deliberate second connection that only sends PING).',
  params: z.object({}),
  remediation: REMEDIATION,
  async run(ctx) {
    return withRedis(ctx, { expected: EXPECTED }, async (_snapshot, target) =>
      judgeRedisAuth({ passwordConfigured: target.password !== undefined, attempt: await redisNoAuthAttempt(ctx, target) }),
    );
  },
});
