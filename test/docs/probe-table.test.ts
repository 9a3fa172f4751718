import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findTable, readVerifies, renderProbeTable, updateProbeTable } from '../../src/docs/probe-table.js';
import { loadRegistry } from '../../src/engine/registry.js';
import { defineProbe, describeSends } from '../../src/engine/types.js';
import { ROOT, runCli } from '../helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('what each probe sends', () => {
  it('every registered probe says where it sends what, and with which effect', async () => {
    const registry = await loadRegistry();
    for (const probe of registry.values()) {
      for (const field of ['to', 'what', 'effect'] as const) expect(probe.sends[field].trim(), `${probe.id}: sends.${field}`).not.toBe('');
    }
  });

  it("the README's probe table is the registry's: one row per probe, in order, with what it sends", async () => {
    const probes = [...(await loadRegistry()).values()];
    const table = findTable(readme);
    expect(table, 'README has the generated probe table').toBeDefined();
    expect([...readVerifies(table!.body).keys()]).toEqual(probes.map((probe) => probe.id));
    expect(updateProbeTable(readme, probes), 'README is current: run `npm run build && node scripts/probe-table.mjs`').toBe(readme);
    for (const probe of probes) expect(table!.body).toContain(describeSends(probe.sends).replace(/\|/g, '\\|'));
  });

  it('a probe the README does not list, or a changed sends, makes the table stale', async () => {
    const probes = [...(await loadRegistry()).values()];
    const extra = defineProbe({ id: 'zz.new', title: 'A new probe', description: '', remediation: '', sends: { to: 'the API', what: 'one GET /x', effect: 'none' }, params: z.object({}), run: async () => ({ status: 'pass', observed: '', expected: '' }) });
    const withExtra = updateProbeTable(readme, [...probes, extra]);
    expect(withExtra).not.toBe(readme);
    expect(withExtra).toContain('| `zz.new` | A new probe | the API: one GET /x. |');
    const changed = probes.map((probe, index) => (index === 0 ? { ...probe, sends: { ...probe.sends, effect: 'writes a row' } } : probe));
    expect(updateProbeTable(readme, changed)).toContain('Effect: writes a row.');
    // Curated "verifies" cells survive regeneration.
    const verifies = readVerifies(findTable(readme)!.body);
    expect(renderProbeTable(probes, verifies)).toContain(`| \`${probes[0]!.id}\` | ${verifies.get(probes[0]!.id)} |`);
  });

  it('`probes` and `probes --json` show it for every probe', async () => {
    const registry = await loadRegistry();
    const text = await runCli(['probes']);
    expect(text.code).toBe(0);
    for (const probe of registry.values()) expect(text.stdout).toContain(`sends: ${describeSends(probe.sends)}`);
    const json = await runCli(['probes', '--json']);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as Array<{ id: string; sends: { to: string; what: string; effect: string } }>;
    expect(listed.map((probe) => probe.id)).toEqual([...registry.keys()]);
    for (const probe of listed) expect(probe.sends).toEqual(registry.get(probe.id)!.sends);
    expect(listed.find((probe) => probe.id === 's3.roundtrip')!.sends.effect).toMatch(/writes/);
  });
});
