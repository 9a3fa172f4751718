import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { pgSnapshot, tableName, withPostgres, type PgRole, type PgTable } from '../../src/facts/postgres.js';

const EXPECTED = 'the application role is not a superuser, has none of CREATEROLE, CREATEDB, BYPASSRLS, REPLICATION, and owns none of the tables';
const REMEDIATION =
  'Create a dedicated login role for the application (CREATE ROLE app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS NOREPLICATION), grant it only SELECT/INSERT/UPDATE/DELETE on its tables, and let a separate migration role own the schema.';

const ATTRIBUTES: Array<[keyof PgRole, string]> = [
  ['super', 'SUPERUSER'],
  ['createRole', 'CREATEROLE'],
  ['createDb', 'CREATEDB'],
  ['bypassRls', 'BYPASSRLS'],
  ['replication', 'REPLICATION'],
];

export function judgePrivileges(facts: { currentUser: string; role: PgRole; tables: PgTable[] }): Finding {
  const granted = ATTRIBUTES.filter(([key]) => facts.role[key] === true).map(([, name]) => name);
  const owned = facts.tables.filter((table) => table.ownedByApp);
  const details: FindingDetail[] = [
    { subject: `role ${facts.currentUser}`, status: granted.length ? 'fail' : 'pass', observed: granted.length ? `has ${granted.join(', ')}` : 'no elevated attributes' },
    {
      subject: 'table ownership',
      status: owned.length ? 'fail' : 'pass',
      observed: owned.length ? `owns ${owned.length} table(s): ${owned.slice(0, 10).map(tableName).join(', ')}${owned.length > 10 ? ', ...' : ''}` : `owns none of ${facts.tables.length} table(s)`,
    },
  ];
  return combine(details, EXPECTED, REMEDIATION);
}

export default defineProbe({
  id: 'postgres.privileges',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'catalog reads (pg_roles, table ownership) on the shared client inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'Database user has minimal permissions',
  description: 'The application role is not a superuser, has no CREATEROLE, CREATEDB, BYPASSRLS or REPLICATION, and does not own the tables it uses.',
  params: z.object({}),
  remediation: REMEDIATION,
  suggests: [{ match: /database user with minimal permissions/i }],
  async run(ctx) {
    return withPostgres(ctx, { expected: EXPECTED }, async (session) => judgePrivileges(await pgSnapshot(ctx, session)));
  },
});
