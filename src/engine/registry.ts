import { probeModules } from '../../checks/index.js';
import type { Probe } from './types.js';

/** The probes loaded so far, by id, in the index's order. */
export type Registry = ReadonlyMap<string, Probe>;

/** Every probe id of this build, known without loading a probe module. */
export const PROBE_IDS: ReadonlySet<string> = new Set(Object.keys(probeModules));

const loading = new Map<string, Promise<Probe>>();

function loadOne(id: string): Promise<Probe> {
  let probe = loading.get(id);
  if (!probe) {
    const load = probeModules[id];
    if (!load) throw new Error(`no probe ${id}`);
    probe = load().then(({ default: loaded }) => {
      if (loaded.id !== id) throw new Error(`checks/index.ts maps ${id} to the module of ${loaded.id}: run \`node scripts/probe-index.mjs\``);
      return loaded;
    });
    loading.set(id, probe);
  }
  return probe;
}

/**
 * The probes named in `ids` (unknown ids are left out: the catalog reports them), loading only their
 * modules, so `run --only env.` never pays for TLS, AWS or Elasticsearch code.
 */
export async function loadProbes(ids: Iterable<string>): Promise<Registry> {
  const wanted = new Set([...ids].filter((id) => PROBE_IDS.has(id)));
  const ordered = [...PROBE_IDS].filter((id) => wanted.has(id));
  const probes = await Promise.all(ordered.map(loadOne));
  return new Map(probes.map((probe) => [probe.id, probe]));
}

/** Every probe: for commands that list, document or validate all of them (`probes`, `catalog check`). */
export function loadRegistry(): Promise<Registry> {
  return loadProbes(PROBE_IDS);
}
