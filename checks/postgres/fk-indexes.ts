import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { pgSnapshot, tableName, vendorColumnOf, withPostgres, type PgTable } from '../../src/facts/postgres.js';
import { isIgnored, vendorParams } from './vendor.js';

/** An index serves lookups on `columns` when they are its leading key columns, in any order. */
export function covered(indexes: string[][], columns: string[]): boolean {
  return indexes.some((index) => {
    const leading = index.slice(0, columns.length);
    return leading.length === columns.length && columns.every((column) => leading.includes(column));
  });
}

/** `table(col, ...)` for every foreign key and vendor column without an index that starts with it. */
export function unindexedColumns(tables: PgTable[], params: { vendorColumns: string[]; ignoreTables: string[] }): string[] {
  const missing: string[] = [];
  for (const table of tables) {
    if (isIgnored(table, params.ignoreTables)) continue;
    const wanted = new Map<string, string[]>();
    for (const fk of table.foreignKeys) wanted.set([...fk.columns].sort().join(','), fk.columns);
    const vendor = vendorColumnOf(table, params.vendorColumns);
    if (vendor) wanted.set(vendor, [vendor]);
    for (const columns of wanted.values()) if (!covered(table.indexes, columns)) missing.push(`${tableName(table)}(${columns.join(', ')})`);
  }
  return missing;
}

export function judgeFkIndexes(tables: PgTable[], params: { vendorColumns: string[]; ignoreTables: string[] }): Finding {
  const expected = 'an index leading with every foreign-key column set and every vendor column';
  const missing = unindexedColumns(tables, params);
  const considered = tables.filter((table) => !isIgnored(table, params.ignoreTables));
  if (missing.length) {
    return {
      status: 'fail',
      observed: `${missing.length} column set(s) without an index: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`,
      expected,
      remediation: `Create the indexes in a migration, e.g. CREATE INDEX CONCURRENTLY ON ${missing[0]?.replace(/\(/, ' (')};`,
      details: missing.map((subject) => ({ subject, status: 'fail' as const, observed: 'no index starts with these columns' })),
    };
  }
  const keys = considered.reduce((sum, table) => sum + table.foreignKeys.length, 0);
  return { status: 'pass', observed: `every foreign key (${keys}) and vendor column in ${considered.length} table(s) is indexed`, expected };
}

export default defineProbe({
  id: 'postgres.fk-indexes',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'catalog reads (pg_constraint, pg_index) inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'Foreign-key and vendor columns are indexed',
  description: 'Lists foreign-key columns and vendor columns (vendor_id, vendorId; param) that no index starts with: joins, cascades and every vendor-scoped query scan the table without one.',
  params: z.object(vendorParams),
  remediation: 'Add an index for each listed column set (CREATE INDEX CONCURRENTLY ...) in a migration.',
  suggests: [{ match: /indices for frequently queried columns|indexes for frequently queried columns/i }],
  async run(ctx, params) {
    return withPostgres(ctx, { expected: 'foreign-key and vendor columns indexed' }, async (session) => judgeFkIndexes((await pgSnapshot(ctx, session)).tables, params));
  },
});
