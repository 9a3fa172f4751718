import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli, withTempDir } from '../helpers/cli.js';

const REAL = await readFile(join(ROOT, 'bazaarhub-checks.yaml'), 'utf8');
const GOOD_ENV = join(ROOT, 'test/fixtures/good.env');
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

/** The real catalog with `edit` applied, in a temp dir, and the CLI run on it. */
async function withCatalog(edit: (text: string) => string, args: string[]) {
  return withTempDir(async (dir) => {
    const text = edit(REAL);
    expect(text).not.toBe(REAL);
    await writeFile(join(dir, 'bazaarhub-checks.yaml'), text);
    await writeFile(join(dir, 'deployment.md'), await readFile(join(ROOT, 'checklists/deployment.md')));
    return runCli([...args, '--catalog', 'bazaarhub-checks.yaml', '--checklist', 'deployment.md'], { cwd: dir });
  });
}

const lineOf = (needle: string) => REAL.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('strict catalog validation (real binary)', () => {
  it('an unknown param is exit 2 naming the line and the param it probably meant, for run, list and catalog check', async () => {
    const line = lineOf('params: { variables: [ JWT_SECRET ] }');
    const edit = (text: string) => text.replace('params: { variables: [ JWT_SECRET ] }', 'params: { variable: [ JWT_SECRET ] }');
    const expected = `bazaarhub-check: bazaarhub-checks.yaml:${line}: params.variable: unknown param of env.secret-strength (did you mean variables?)`;
    for (const args of [['run', '--env-file', GOOD_ENV, '--only', 'env.'], ['list'], ['catalog', 'check']]) {
      const { code, stderr, stdout } = await withCatalog(edit, args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.split('\n')[0]).toBe(expected);
      expect(stdout).toBe('');
      noStack(stderr);
    }
  });

  it('maxAge on http.hsts suggests minMaxAge, nested under the probe line', async () => {
    const line = lineOf('probe: http.hsts') + 1;
    const { code, stderr } = await withCatalog((text) => text.replace('    probe: http.hsts\n', '    probe: http.hsts\n    params:\n      maxAge: 31536000\n'), ['list']);
    expect(code).toBe(2);
    expect(stderr).toBe(`bazaarhub-check: bazaarhub-checks.yaml:${line + 1}: params.maxAge: unknown param of http.hsts (did you mean minMaxAge?)\n`);
  });

  it('an unknown probe, a wrong type, an unknown entry field and an unknown top-level key are each exit 2 with line and suggestion', async () => {
    const cases: Array<[(text: string) => string, RegExp]> = [
      [(t) => t.replace('probe: http.hsts', 'probe: http.hstss'), new RegExp(`:${lineOf('probe: http.hsts')}: entry "pre-deployment\\.security\\.configure-hsts-headers": unknown probe "http\\.hstss" \\(did you mean http\\.hsts\\?; see`)],
      [(t) => t.replace('params: { variables: [ JWT_SECRET ] }', 'params: { variables: JWT_SECRET }'), new RegExp(`:${lineOf('params: { variables: [ JWT_SECRET ] }')}: entry "pre-deployment\\.security\\.generate-strong-jwt-secret": params\\.variables: Expected array, received string`)],
      [(t) => t.replace('    probe: http.hsts\n', '    probe: http.hsts\n    sevrity: low\n'), new RegExp(`:${lineOf('probe: http.hsts') + 1}: entry "pre-deployment\\.security\\.configure-hsts-headers": sevrity: unknown field of a catalog entry \\(did you mean severity\\?\\)`)],
      [(t) => t.replace('checklist: checklists/deployment.md\n', 'checklist: checklists/deployment.md\nchecklsit: x\n'), /:6: checklsit: unknown top-level key of the catalog \(did you mean checklist\?\)/],
    ];
    for (const [edit, expected] of cases) {
      const { code, stderr } = await withCatalog(edit, ['list']);
      expect(code).toBe(2);
      expect(stderr).toMatch(expected);
      noStack(stderr);
    }
  });

  it('catalog check lists every problem, one line each; run stops at the first and says how many more', async () => {
    const edit = (text: string) =>
      text
        .replace('params: { variables: [ JWT_SECRET ] }', 'params: { variable: [ JWT_SECRET ] }')
        .replace('probe: http.hsts', 'probe: http.hstss')
        .replace('params: { variables: [ ENCRYPTION_KEY ] }', 'params: { variables: [ ENCRYPTION_KEY ], minLenght: 40 }');
    const check = await withCatalog(edit, ['catalog', 'check']);
    expect(check.code).toBe(2);
    const lines = check.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('params.variable: unknown param of env.secret-strength (did you mean variables?)');
    expect(lines[1]).toContain('params.minLenght: unknown param of env.secret-strength (did you mean minLength?)');
    expect(lines[2]).toContain('unknown probe "http.hstss"');
    expect(lines[3]).toBe('bazaarhub-check: bazaarhub-checks.yaml: 3 problem(s); `run` and `list` refuse this catalog');
    const run = await withCatalog(edit, ['run', '--env-file', GOOD_ENV]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('(and 2 more: `bazaarhub-check catalog check` lists them)');
  });

  it('catalog schema describes each probe\'s params, so an editor refuses a misspelt param and accepts the real catalog', async () => {
    const { code, stdout } = await runCli(['catalog', 'schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(parse(REAL)), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const bad = parse(REAL.replace('params: { variables: [ JWT_SECRET ] }', 'params: { variable: [ JWT_SECRET ] }'));
    expect(validate(bad)).toBe(false);
    expect(validate.errors).toEqual(expect.arrayContaining([expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'variable' }, instancePath: '/entries/0/params' })]));
    expect(validate(parse(REAL.replace('probe: http.hsts', 'probe: http.hstss')))).toBe(false);
    const entry = schema.definitions.BazaarhubCheckCatalog.properties.entries.items;
    const hsts = entry.allOf.find((rule: { if: { properties: { probe: { const: string } } } }) => rule.if.properties.probe.const === 'http.hsts');
    expect(Object.keys(hsts.then.properties.params.properties)).toEqual(expect.arrayContaining(['urls', 'minMaxAge', 'failBelow']));
    expect(hsts.then.properties.params.additionalProperties).toBe(false);
    expect(hsts.then.properties.params.properties.minMaxAge.default).toBe(31_536_000);
  });
});
