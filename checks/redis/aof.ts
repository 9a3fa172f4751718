import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withRedis, type RedisSnapshot } from '../../src/facts/redis.js';

const REMEDIATION = 'Enable AOF persistence: appendonly yes and appendfsync everysec (CONFIG SET appendonly yes; CONFIG REWRITE; or redis-server --appendonly yes; managed services: enable AOF/durability in the parameter group).';

export function judgeAof(facts: Pick<RedisSnapshot, 'config' | 'configError' | 'info'>, params: { fsync: Array<'always' | 'everysec' | 'no'> }): Finding {
  const expected = `appendonly yes with appendfsync ${params.fsync.join(' or ')}`;
  if (facts.config?.appendonly !== undefined) {
    const fsync = facts.config.appendfsync ?? 'unknown';
    const observed = `appendonly ${facts.config.appendonly}, appendfsync ${fsync}`;
    if (facts.config.appendonly !== 'yes') return { status: 'fail', observed, expected, remediation: REMEDIATION };
    if (!(params.fsync as string[]).includes(fsync)) return { status: 'fail', observed, expected, remediation: 'Set appendfsync everysec (or always).' };
    if (facts.info.persistence?.aof_last_write_status && facts.info.persistence.aof_last_write_status !== 'ok') {
      return { status: 'fail', observed: `${observed}, but the last AOF write failed (${facts.info.persistence.aof_last_write_status})`, expected, remediation: 'Check the Redis host\'s disk (space, permissions) and its log.' };
    }
    return { status: 'pass', observed, expected };
  }
  // CONFIG disabled (managed services): INFO persistence says whether AOF is on, not its fsync policy.
  const persistence = facts.info.persistence;
  const via = `CONFIG unavailable (${facts.configError ?? 'no answer'}); INFO persistence`;
  if (!persistence || persistence.aof_enabled === undefined) return { status: 'error', observed: `${via} has no aof_enabled`, expected };
  if (persistence.aof_enabled !== '1') return { status: 'fail', observed: `${via}: aof_enabled:0`, expected, remediation: REMEDIATION };
  if (persistence.aof_last_write_status && persistence.aof_last_write_status !== 'ok') return { status: 'fail', observed: `${via}: aof_enabled:1 but aof_last_write_status:${persistence.aof_last_write_status}`, expected, remediation: 'Check the Redis host\'s disk.' };
  return { status: 'pass', observed: `${via}: aof_enabled:1, last write ok (fsync policy not visible)`, expected };
}

export default defineProbe({
  id: 'redis.aof',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL or REDIS_HOST/PORT)', what: 'CONFIG GET appendonly/appendfsync on the shared connection, INFO persistence where CONFIG is disabled', effect: 'none' },
  title: 'Redis persists with AOF',
  description: 'appendonly yes with appendfsync everysec or always (CONFIG GET), falling back to INFO persistence where CONFIG is disabled, as on managed services.',
  params: z.object({ fsync: z.array(z.enum(['always', 'everysec', 'no'])).nonempty().default(['everysec', 'always']) }),
  remediation: REMEDIATION,
  suggests: [{ match: /redis persistence|redis.*\baof\b/i }],
  async run(ctx, params) {
    return withRedis(ctx, { expected: 'AOF persistence on' }, (snapshot) => judgeAof(snapshot, params));
  },
});
