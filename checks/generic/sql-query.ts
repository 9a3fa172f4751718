import { z } from 'zod';
import { defineProbe, type Finding } from '../../src/engine/types.js';
import { withPostgres } from '../../src/facts/postgres.js';
import { numberExpectation, numberProblem, describeNumber, regexString, short } from './expect.js';

/** One SELECT (or WITH ... SELECT): no second statement; the READ ONLY transaction refuses any write that slips through. */
const selectOnly = z
  .string()
  .min(1)
  .refine((sql) => /^\s*(select|with|values|table)\b/i.test(sql), 'must be a SELECT (or WITH ... SELECT)')
  .refine((sql) => !/;\s*\S/.test(stripLiterals(sql)), 'one statement only (no ";" followed by more)');

function stripLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""').replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

export default defineProbe({
  id: 'sql.query',
  sdks: ['pg'],
  sends: { to: 'PostgreSQL (DATABASE_URL)', what: 'one SELECT inside a READ ONLY transaction with a statement timeout, on the shared connection', effect: 'none' },
  title: 'A SQL query through the deployment\'s database answers as expected',
  description: 'Runs one SELECT as the application\'s database user (DATABASE_URL) inside a READ ONLY transaction with a statement timeout, then rolls back; checks the row count and/or the first column of the first row.',
  params: z.object({
    query: selectOnly,
    /** Statement timeout in ms (never more than the run's --timeout). */
    timeoutMs: z.number().int().positive().default(5000),
    expect: z
      .object({
        rows: numberExpectation.default({}),
        /** The first column of the first row, as text. */
        equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
        matches: regexString.optional(),
        value: numberExpectation.default({}),
      })
      .default({}),
  }),
  remediation: 'Fix the data or schema the query looks at (or the expectation in the catalog).',
  suggests: [
    // An item that spells out its query: "Check `SELECT count(*) FROM vendors WHERE kyc_status IS NULL` returns 0"
    // (the checklist parser keeps the code's text, without the backticks).
    { match: /\b((?:SELECT|WITH)\s+.+?\bFROM\b.+?)\s+(?:returns?|is|equals|=)\s+(-?\d+(?:\.\d+)?)\s*\.?$/i, params: (m) => ({ query: m[1] as string, expect: { value: { equals: Number(m[2]) } } }) },
    { match: /\b((?:SELECT|WITH)\s+.+?\bFROM\b.+?)\s+(?:returns? no rows|is empty)\s*\.?$/i, params: (m) => ({ query: m[1] as string, expect: { rows: { equals: 0 } } }) },
  ],
  async run(ctx, p): Promise<Finding> {
    const wanted = [
      ...(Object.keys(p.expect.rows).length ? [`rows ${describeNumber(p.expect.rows)}`] : []),
      ...(p.expect.equals !== undefined ? [`first value = ${JSON.stringify(p.expect.equals)}`] : []),
      ...(p.expect.matches ? [`first value ~ /${p.expect.matches}/`] : []),
      ...(Object.keys(p.expect.value).length ? [`first value ${describeNumber(p.expect.value)}`] : []),
    ];
    const expected = `${short(p.query, 80)}: ${wanted.join(', ') || 'runs'}`;
    return withPostgres(ctx, { expected }, async (session) => {
      const timeout = Math.min(p.timeoutMs, ctx.options.timeoutMs);
      const outcome = await session.readOnly(async (q) => {
        await q.query(`SET LOCAL statement_timeout = ${timeout}`);
        return q.attempt(p.query);
      });
      if ('error' in outcome) return { status: 'error', observed: `the query was refused: ${outcome.error}`, expected };
      const rows = outcome.rows;
      const first = rows[0] ? Object.values(rows[0])[0] : undefined;
      const text = first === undefined ? undefined : first === null ? 'null' : first instanceof Date ? first.toISOString() : String(first);
      const problems: string[] = [];
      const rowProblem = numberProblem(rows.length, p.expect.rows);
      if (rowProblem) problems.push(`rows: ${rowProblem}`);
      if (p.expect.equals !== undefined && text !== String(p.expect.equals)) problems.push(`first value ${text ?? '(no row)'}, not ${String(p.expect.equals)}`);
      if (p.expect.matches && (text === undefined || !new RegExp(p.expect.matches).test(text))) problems.push(`first value ${text ?? '(no row)'} does not match /${p.expect.matches}/`);
      if (Object.keys(p.expect.value).length) {
        const number = Number(text);
        const problem = text === undefined || !Number.isFinite(number) ? `${text ?? '(no row)'} is not a number` : numberProblem(number, p.expect.value);
        if (problem) problems.push(`first value ${problem}`);
      }
      const observed = `${rows.length} row(s)${text !== undefined ? `, first value ${short(text, 80)}` : ''} (read-only, rolled back)`;
      return problems.length ? { status: 'fail', observed: `${observed}: ${problems.join('; ')}`, expected } : { status: 'pass', observed, expected };
    });
  },
});
