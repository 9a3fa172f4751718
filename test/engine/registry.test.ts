import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeModules } from '../../checks/index.js';
import { loadProbes, loadRegistry, PROBE_IDS } from '../../src/engine/registry.js';
import { SDK_CONFIGURED_BY } from '../../src/target/service-variables.js';
import { ROOT } from '../helpers/cli.js';

describe('the lazy probe index', () => {
  it('lists every probe file (scripts/probe-index.mjs --check)', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts/probe-index.mjs'), '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('maps each id to the module whose probe has that id', async () => {
    for (const [id, load] of Object.entries(probeModules)) expect((await load()).default.id, id).toBe(id);
    expect(PROBE_IDS.size).toBe(Object.keys(probeModules).length);
  });

  it('loads only the probes asked for, in registry order, leaving unknown ids to the catalog', async () => {
    const some = await loadProbes(['redis.aof', 'env.required', 'no.such-probe']);
    expect([...some.keys()]).toEqual(['env.required', 'redis.aof']);
    const all = await loadRegistry();
    expect([...all.keys()]).toEqual([...PROBE_IDS]);
    expect(all.get('redis.aof')).toBe(some.get('redis.aof'));
  });

  it('declares SDKs that resolve, each gated by the variables that configure its service', async () => {
    const declared = new Set([...(await loadRegistry()).values()].flatMap((probe) => probe.sdks ?? []));
    expect([...declared].sort()).toEqual(Object.keys(SDK_CONFIGURED_BY).sort());
    const require = createRequire(join(ROOT, 'package.json'));
    for (const specifier of declared) expect(() => require.resolve(specifier), specifier).not.toThrow();
  });
});
