import { z } from 'zod';
import { defineProbe } from '../../src/engine/types.js';

export default defineProbe({
  id: 'env.db-pool',
  sends: { to: 'nothing', what: 'reads the env file and variables only; no network traffic', effect: 'none' },
  title: 'Database pool sized for production',
  description: 'DB_POOL_MAX is between 20 and 50 (the checklist\'s range), and DB_POOL_MIN does not exceed it.',
  params: z.object({ min: z.number().int().positive().default(20), max: z.number().int().positive().default(50) }),
  remediation: 'Set DB_POOL_MAX between 20 and 50 (and within the server\'s max_connections across all instances).',
  suggests: [{ match: /connection pool size/i, severity: 'medium' }],
  async run(ctx, params) {
    const expected = `DB_POOL_MAX between ${params.min} and ${params.max}`;
    const raw = ctx.target.get('DB_POOL_MAX');
    if (raw === undefined) return { status: 'fail', observed: 'DB_POOL_MAX is not set (the driver default is 10)', expected };
    const max = Number(raw);
    if (!Number.isInteger(max)) return { status: 'fail', observed: `DB_POOL_MAX is "${raw}", not a whole number`, expected };
    const minRaw = ctx.target.get('DB_POOL_MIN');
    if (minRaw !== undefined && Number(minRaw) > max) return { status: 'fail', observed: `DB_POOL_MIN ${minRaw} exceeds DB_POOL_MAX ${max}`, expected };
    if (max < params.min || max > params.max) return { status: 'fail', observed: `DB_POOL_MAX is ${max}`, expected };
    return { status: 'pass', observed: `DB_POOL_MAX is ${max}`, expected };
  },
});
