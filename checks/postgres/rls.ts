import { z } from 'zod';
import { combine } from '../../src/engine/findings.js';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { pgSnapshot, tableName, vendorColumnOf, withPostgres, type PgTable } from '../../src/facts/postgres.js';
import { vendorParams, vendorTables } from './vendor.js';

const REMEDIATION =
  'For each listed table: ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY; CREATE POLICY vendor_isolation ON t USING (vendor_id = current_setting(\'app.current_vendor_id\')::uuid);';

export function judgeRls(tables: PgTable[], params: { vendorColumns: string[]; ignoreTables: string[] }): Finding {
  const expected = `every table with a vendor column (${params.vendorColumns.join(', ')}) has row level security enabled and forced, with at least one policy`;
  const vendor = vendorTables(tables, params);
  if (vendor.length === 0) {
    return { status: 'warn', observed: `no table has a vendor column (${params.vendorColumns.join(', ')}) among ${tables.length} table(s)`, expected, remediation: 'Point DATABASE_URL at the application database, or set the vendorColumns param.' };
  }
  const details: FindingDetail[] = vendor.map((table) => {
    const missing = [
      ...(table.rls ? [] : ['RLS not enabled']),
      ...(table.forceRls ? [] : ['RLS not forced']),
      ...(table.policies > 0 ? [] : ['no policy']),
    ];
    return {
      subject: tableName(table),
      status: missing.length ? 'fail' : 'pass',
      observed: missing.length ? missing.join(', ') : `RLS enabled and forced, ${table.policies} polic${table.policies === 1 ? 'y' : 'ies'} (on ${vendorColumnOf(table, params.vendorColumns)})`,
    };
  });
  return combine(details, expected, REMEDIATION);
}

export default defineProbe({
  id: 'postgres.rls',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'catalog reads (pg_class, pg_policy, information_schema.columns) inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'Row level security on vendor tables',
  description: 'Every table with a vendor column (vendor_id, vendorId; param vendorColumns) has row level security enabled and forced, and at least one policy; lists the tables that do not.',
  params: z.object(vendorParams),
  remediation: REMEDIATION,
  suggests: [{ match: /row.level security polic/i }],
  async run(ctx, params) {
    return withPostgres(ctx, { expected: 'row level security on every vendor table' }, async (session) => judgeRls((await pgSnapshot(ctx, session)).tables, params));
  },
});
