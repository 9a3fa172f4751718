import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { pgSnapshot, withPostgres } from '../../src/facts/postgres.js';

export function judgeVersion(facts: { versionNum: number; version: string }, params: { minMajor: number }): Finding {
  const major = Math.floor(facts.versionNum / 10000);
  const expected = `PostgreSQL ${params.minMajor} or newer`;
  const observed = `PostgreSQL ${major} (${facts.version.split(' on ')[0]})`;
  if (major < params.minMajor) return { status: 'fail', observed, expected, remediation: `Upgrade the server to PostgreSQL ${params.minMajor} (pg_upgrade, or a major-version upgrade of the managed service).` };
  return { status: 'pass', observed, expected };
}

export default defineProbe({
  id: 'postgres.version',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'SHOW server_version_num on the shared client, inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'PostgreSQL 15 or newer',
  description: 'The server the application connects to runs PostgreSQL 15 or newer (server_version_num).',
  params: z.object({ minMajor: z.number().int().positive().default(15) }),
  remediation: 'Provision PostgreSQL 15 or newer (a managed service is preferred) and point DATABASE_URL at it.',
  suggests: [{ match: /^provision postgresql\b/i }],
  async run(ctx, params) {
    return withPostgres(ctx, { expected: `PostgreSQL ${params.minMajor} or newer` }, async (session) => judgeVersion(await pgSnapshot(ctx, session), params));
  },
});
