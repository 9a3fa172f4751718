import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withRedis } from '../../src/facts/redis.js';
import { describeNumber, numberExpectation, numberProblem, regexString } from './expect.js';

export default defineProbe({
  id: 'redis.info',
  sdks: ['ioredis'],
  sends: { to: 'Redis (REDIS_URL)', what: 'the shared INFO snapshot (one INFO per run)', effect: 'none' },
  title: 'A Redis INFO field has the expected value',
  description: 'Reads INFO through the application\'s Redis connection (REDIS_URL) and compares one field (e.g. `maxmemory_policy`, `connected_slaves`, `aof_enabled`) with a value, a pattern or a numeric range.',
  params: z.object({
    /** The INFO section (`server`, `memory`, `replication`, ...); empty: the first section that has the field. */
    section: z.string().default(''),
    field: z.string().min(1),
    equals: z.string().optional(),
    matches: regexString.optional(),
    range: numberExpectation.default({}),
  }),
  remediation: 'Change the Redis configuration (or the expectation in the catalog) so the field has the expected value.',
  async run(ctx, p): Promise<Finding> {
    const wanted = [p.equals !== undefined ? `= "${p.equals}"` : '', p.matches ? `~ /${p.matches}/` : '', Object.keys(p.range).length ? describeNumber(p.range) : ''].filter(Boolean).join(', ') || 'present';
    const expected = `INFO ${p.section ? `${p.section}.` : ''}${p.field} ${wanted}`;
    return withRedis(ctx, { expected }, (snapshot) => {
      const sections = p.section ? [p.section.toLowerCase()] : Object.keys(snapshot.info);
      const section = sections.find((name) => snapshot.info[name]?.[p.field] !== undefined);
      const value = section ? snapshot.info[section]?.[p.field] : undefined;
      if (value === undefined) return { status: 'fail', observed: `INFO has no ${p.field}${p.section ? ` in ${p.section}` : ''} (${snapshot.label})`, expected };
      const problems: string[] = [];
      if (p.equals !== undefined && value !== p.equals) problems.push(`not "${p.equals}"`);
      if (p.matches && !new RegExp(p.matches).test(value)) problems.push(`does not match /${p.matches}/`);
      if (Object.keys(p.range).length) {
        const number = Number(value);
        const problem = Number.isFinite(number) ? numberProblem(number, p.range) : 'not a number';
        if (problem) problems.push(problem);
      }
      const observed = `INFO ${section}.${p.field} = ${value}`;
      return problems.length ? { status: 'fail', observed: `${observed} (${problems.join('; ')})`, expected } : { status: 'pass', observed, expected };
    });
  },
});
