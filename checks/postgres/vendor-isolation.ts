import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { gatherIsolation, pgSnapshot, tableName, vendorColumnOf, withPostgres, type IsolationFacts } from '../../src/facts/postgres.js';
import { vendorParams, vendorTables } from './vendor.js';

const REMEDIATION =
  'Enable and force row level security on every vendor table with a policy on the vendor column (USING (vendor_id::text = current_setting(\'app.current_vendor_id\', true))), and connect the application as a role without BYPASSRLS that does not own the tables.';

export function judgeIsolation(facts: IsolationFacts): Finding {
  const expected = `with ${facts.setting} set to one vendor, no row of another vendor is visible in any vendor table`;
  if (facts.tables.length === 0) return { status: 'warn', observed: 'no vendor tables to test', expected, remediation: 'Point DATABASE_URL at the application database, or set the vendorColumns param.' };
  const details: FindingDetail[] = facts.tables.map((table) => {
    const leak = table.checks.find((check) => check.foreignVendor);
    if (leak) return { subject: table.table, status: 'fail', observed: `with ${facts.setting}=${leak.vendor}, a row of vendor ${leak.foreignVendor} is visible` };
    const failed = table.checks.find((check) => check.error);
    if (failed && table.checks.every((check) => check.error)) return { subject: table.table, status: 'warn', observed: `could not be read: ${failed.error}` };
    const own = table.checks.filter((check) => check.own).map((check) => check.vendor);
    if (own.length === 0) return { subject: table.table, status: 'skipped', observed: `no rows visible for the vendors tried (${facts.tested.join(', ') || 'none'})` };
    return { subject: table.table, status: 'pass', observed: `only the current vendor's rows visible (tried ${own.join(', ')})` };
  });
  const leaks = details.filter((detail) => detail.status === 'fail');
  if (leaks.length) return { status: 'fail', observed: leaks.map((d) => `${d.subject}: ${d.observed}`).join('; '), expected, remediation: REMEDIATION, details };
  const unreadable = details.filter((detail) => detail.status === 'warn');
  const evidence = details.filter((detail) => detail.status === 'pass');
  if (facts.knownVendors.length < 2) {
    return {
      status: 'warn',
      observed: `not enough data to tell: ${facts.knownVendors.length} vendor id(s) known, at least 2 needed`,
      expected,
      remediation: 'Set the vendorIds param to two real vendor ids (or run against a database with data from two vendors).',
      details,
    };
  }
  if (evidence.length === 0) {
    return { status: 'warn', observed: `not enough data to tell: no vendor table showed rows for the vendors tried (${facts.tested.join(', ')})`, expected, remediation: 'Set the vendorIds param to vendors that own rows, and check that the policies compare the vendor column with the session setting.', details };
  }
  if (unreadable.length) return { status: 'warn', observed: unreadable.map((d) => `${d.subject}: ${d.observed}`).join('; '), expected, details };
  return { status: 'pass', observed: `${evidence.length} of ${details.length} vendor table(s) showed only the current vendor's rows for ${facts.tested.length} vendor(s)`, expected, details };
}

export default defineProbe({
  id: 'postgres.vendor-isolation',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*)', what: 'inside BEGIN READ ONLY ... ROLLBACK: a transaction-local set_config of the vendor setting, then SELECTs of vendor ids per vendor table (at most maxVendors vendors)', effect: 'none' },
  title: 'Vendors cannot see each other\'s rows',
  description:
    'As the application role, with the vendor session setting (param setting, default app.current_vendor_id) set to one vendor, no row of another vendor is visible in any vendor table; warns when there is not enough data to tell.',
  params: z.object({
    ...vendorParams,
    setting: z.string().regex(/^[A-Za-z_][\w]*\.[A-Za-z_][\w.]*$/, 'a custom setting name such as app.current_vendor_id').default('app.current_vendor_id'),
    /** Vendor ids to try first (else learned from the vendor table and visible rows). */
    vendorIds: z.array(z.string()).default([]),
    vendorTable: z.string().default('vendors'),
    vendorKey: z.string().default('id'),
    maxVendors: z.number().int().min(2).max(10).default(3),
  }),
  remediation: REMEDIATION,
  suggests: [{ match: /vendor data isolation/i }],
  async run(ctx, params) {
    return withPostgres(ctx, { expected: `no cross-vendor rows visible with ${params.setting} set` }, async (session) => {
      const snapshot = await pgSnapshot(ctx, session);
      // Tables the application role cannot read cannot leak through it.
      const tables = vendorTables(snapshot.tables, params)
        .filter((table) => table.readable)
        .map((table) => ({ table, column: vendorColumnOf(table, params.vendorColumns) as string }));
      const vendorTable = snapshot.tables.find((table) => tableName(table) === params.vendorTable || `${table.schema}.${table.name}` === params.vendorTable);
      const facts = await ctx.facts.once(`postgres-isolation ${session.target.label} ${JSON.stringify(params)}`, () =>
        session.readOnly((q) => gatherIsolation(q, tables, { setting: params.setting, vendorIds: params.vendorIds, vendorKey: params.vendorKey, maxVendors: params.maxVendors, ...(vendorTable ? { vendorTable } : {}) })),
      );
      return judgeIsolation(facts);
    });
  },
});
