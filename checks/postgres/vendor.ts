/** Shared by the probes that look at vendor-owned tables (rls, vendor-isolation, fk-indexes). */
import { z } from 'zod';
import { tableName, vendorColumnOf, type PgTable } from '../../src/facts/postgres.js';

export const vendorParams = {
  vendorColumns: z.array(z.string().min(1)).nonempty().default(['vendor_id', 'vendorId']),
  /** Tables to leave out, as `table` (public) or `schema.table`. */
  ignoreTables: z.array(z.string()).default([]),
};

export function isIgnored(table: PgTable, ignoreTables: readonly string[]): boolean {
  return ignoreTables.includes(tableName(table)) || ignoreTables.includes(`${table.schema}.${table.name}`);
}

/** Tables carrying one of the vendor columns, minus the ignored ones. */
export function vendorTables(tables: PgTable[], params: { vendorColumns: readonly string[]; ignoreTables: readonly string[] }): PgTable[] {
  return tables.filter((table) => vendorColumnOf(table, params.vendorColumns) !== undefined && !isIgnored(table, params.ignoreTables));
}
