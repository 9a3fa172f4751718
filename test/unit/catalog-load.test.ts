import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, parseCatalogDocument } from '../../src/catalog/load.js';
import { loadRegistry } from '../../src/engine/registry.js';
import { InputError } from '../../src/util/errors.js';
import { withTempDir } from '../helpers/cli.js';

const GOOD = `version: 1
checklist: checklists/deployment.md
entries:
  - id: a.one
    title: One
    phase: a
    cadence: per-release
    severity: high
    probe: env.db-pool
    params: { min: 10 }
  - id: a.two
    title: Two
    phase: a
    cadence: daily
    severity: low
    manual: true
`;

async function load(text: string): Promise<string> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, text);
    try {
      await loadCatalog(file, await loadRegistry());
      return 'ok';
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message.replace(`${dir}/`, '');
    }
  });
}

describe('catalog loading', () => {
  it('accepts a valid catalog', async () => {
    expect(await load(GOOD)).toBe('ok');
  });
  it('names the line of a YAML syntax error', async () => {
    expect(await load(GOOD.replace('title: Two', 'title: [Two'))).toMatch(/^c\.yaml:\d+: YAML syntax error/);
  });
  it('names the line of a duplicate id', async () => {
    expect(await load(GOOD.replace('id: a.two', 'id: a.one'))).toBe('c.yaml:11: duplicate id "a.one" (first at line 4)');
  });
  it('names the line of an unknown probe', async () => {
    expect(await load(GOOD.replace('probe: env.db-pool', 'probe: env.nope'))).toMatch(/^c\.yaml:9: entry "a\.one": unknown probe "env\.nope"/);
  });
  it('names the line and field of a wrong param type', async () => {
    expect(await load(GOOD.replace('{ min: 10 }', '{ min: "ten" }'))).toBe('c.yaml:10: entry "a.one": params.min: Expected number, received string');
  });
  it('names a wrong field type and a missing field', async () => {
    expect(await load(GOOD.replace('severity: low', 'severity: urgent'))).toMatch(/^c\.yaml:15: entry "a\.two": severity: Invalid enum value/);
    expect(await load(GOOD.replace('    manual: true\n', ''))).toMatch(/^c\.yaml:\d+: entry "a\.two": probe: an entry needs probe/);
  });
  it('rejects alias bombs instead of expanding them', async () => {
    const bomb = `version: 1\nchecklist: x\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nentries: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
    expect(await load(bomb)).toMatch(/^c\.yaml/);
  });
  it('names the line of an alias whose anchor is missing, for load and for catalog sync alike (found by fuzzing)', async () => {
    const text = GOOD.replace('phase: a', 'phase: *re-deployment');
    const line = text.split('\n').findIndex((row) => row.includes('*re-deployment')) + 1;
    const message = `c.yaml:${line}: YAML error: alias *re-deployment has no anchor &re-deployment before it`;
    expect(await load(text)).toBe(message);
    expect(() => parseCatalogDocument(text, 'c.yaml')).toThrow(new InputError(message));
  });
});
