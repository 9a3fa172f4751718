import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { ident, pgSnapshot, qualified, tableName, withPostgres, type PgTable } from '../../src/facts/postgres.js';
import { errorMessage } from '../../src/util/errors.js';

/** Migration tables of the usual Node tools (knex, Sequelize, TypeORM, node-pg-migrate, Prisma, Flyway, generic). */
export const KNOWN_TABLES = ['knex_migrations', 'SequelizeMeta', 'typeorm_migrations', 'pgmigrations', '_prisma_migrations', 'flyway_schema_history', 'schema_migrations', 'migrations'];
/** The column naming each applied migration, per tool. */
export const KNOWN_COLUMNS = ['name', 'migration_name', 'script', 'filename', 'version'];

const MIGRATION_FILE = /\.(js|cjs|mjs|ts|cts|mts|sql)$/i;

/** `20240101120000_create_orders.js` -> `20240101120000_create_orders`. */
export function stem(name: string): string {
  return name.replace(/^.*\//, '').replace(MIGRATION_FILE, '');
}

/**
 * Migrations in the folder with no applied row. A row matches a file by stem, or (TypeORM, Flyway)
 * by the file's leading timestamp/version appearing in the row.
 */
export function pendingMigrations(files: string[], applied: string[]): { pending: string[]; unknown: string[] } {
  const appliedStems = new Set(applied.map(stem));
  const matched = new Set<string>();
  const pending: string[] = [];
  for (const file of files) {
    const key = stem(file);
    const version = /^V?(\d{8,})/.exec(key)?.[1];
    const row = appliedStems.has(key) ? key : version ? [...appliedStems].find((entry) => entry.includes(version)) : undefined;
    if (row === undefined) pending.push(file);
    else matched.add(row);
  }
  return { pending, unknown: [...appliedStems].filter((entry) => !matched.has(entry)) };
}

export function judgeMigrations(facts: { table: string; files: string[]; applied: string[] }): Finding {
  const expected = `every migration in the folder recorded in ${facts.table}`;
  const { pending, unknown } = pendingMigrations(facts.files, facts.applied);
  if (pending.length) {
    return {
      status: 'fail',
      observed: `${pending.length} of ${facts.files.length} migration(s) pending: ${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ', ...' : ''}`,
      expected,
      remediation: 'Run the application\'s migrations against production (e.g. npm run migrate) before deploying the code that needs them.',
    };
  }
  if (unknown.length) {
    return {
      status: 'warn',
      observed: `all ${facts.files.length} migration(s) applied, but ${facts.table} also records ${unknown.length} not in the folder: ${unknown.slice(0, 5).join(', ')}`,
      expected,
      remediation: 'The database is ahead of this checkout: deploy the matching release, or point the folder param at it.',
    };
  }
  return { status: 'pass', observed: `all ${facts.files.length} migration(s) in the folder are recorded in ${facts.table}`, expected };
}

function findTable(tables: PgTable[], wanted: string): PgTable | undefined {
  const names = wanted ? [wanted] : KNOWN_TABLES;
  for (const name of names) {
    const table = tables.find((t) => tableName(t) === name || `${t.schema}.${t.name}` === name);
    if (table) return table;
  }
  return undefined;
}

export default defineProbe({
  id: 'postgres.migrations',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL or DB_*), and the local migrations folder', what: 'SELECTs of the migration table inside BEGIN READ ONLY ... ROLLBACK', effect: 'none' },
  title: 'No pending database migrations',
  description:
    'Every migration in the application\'s migrations folder (param folder) is recorded in the migration table (param table; knex_migrations, SequelizeMeta, typeorm_migrations, pgmigrations, _prisma_migrations, ... when empty). Skipped until the folder is configured.',
  params: z.object({
    folder: z.string().default(''),
    table: z.string().default(''),
    column: z.string().default(''),
  }),
  remediation: 'Run the pending migrations (e.g. npm run migrate) as the migration role before switching traffic.',
  suggests: [{ match: /^(verify )?database migrations (ran|ready)/i }],
  async run(ctx, params) {
    const expected = 'no pending migrations';
    if (!params.folder) return { status: 'skipped', observed: 'param folder (the application\'s migrations folder) is not set', expected };
    let files: string[];
    try {
      const entries = await readdir(resolve(params.folder), { withFileTypes: true });
      files = entries.filter((entry) => entry.isFile() && MIGRATION_FILE.test(entry.name) && !/\.d\.ts$/.test(entry.name)).map((entry) => entry.name);
      // Prisma keeps one folder per migration instead of one file.
      if (files.length === 0) files = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
      files.sort();
    } catch (error) {
      return { status: 'error', observed: `cannot read migrations folder ${params.folder}: ${errorMessage(error)}`, expected, remediation: 'Set the folder param to the application\'s migrations folder (relative to the working directory).' };
    }
    return withPostgres(ctx, { expected }, async (session) => {
      const snapshot = await pgSnapshot(ctx, session);
      const table = findTable(snapshot.tables, params.table);
      if (!table) {
        return {
          status: 'fail',
          observed: params.table ? `migration table ${params.table} does not exist` : `none of the known migration tables exists (${KNOWN_TABLES.join(', ')})`,
          expected,
          remediation: 'Run the migrations, or set the table param to the migration table\'s name.',
        };
      }
      const column = params.column || KNOWN_COLUMNS.find((c) => table.columns.includes(c));
      if (!column || !table.columns.includes(column)) return { status: 'error', observed: `${tableName(table)} has no column ${params.column || `among ${KNOWN_COLUMNS.join(', ')}`}`, expected, remediation: 'Set the column param.' };
      const result = await session.readOnly((q) => q.attempt<{ v: string }>(`SELECT ${ident(column)}::text AS v FROM ${qualified(table)} WHERE ${ident(column)} IS NOT NULL`));
      if ('error' in result) return { status: 'error', observed: `cannot read ${tableName(table)}: ${result.error}`, expected, remediation: 'GRANT SELECT on the migration table to the application role, or run this check with a read-only role that can see it.' };
      return judgeMigrations({ table: tableName(table), files, applied: result.rows.map((row) => row.v) });
    });
  },
});
