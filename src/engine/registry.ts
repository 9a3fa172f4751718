import type { Probe } from './types.js';

export type Registry = ReadonlyMap<string, Probe>;

let loaded: Promise<Registry> | undefined;

/** Loaded on demand so `--help` never pays for the probe modules; built once per process. */
export function loadRegistry(): Promise<Registry> {
  loaded ??= buildRegistry();
  return loaded;
}

async function buildRegistry(): Promise<Registry> {
  const { probes } = await import('../../checks/index.js');
  const registry = new Map<string, Probe>();
  for (const probe of probes) {
    if (registry.has(probe.id)) throw new Error(`probe id registered twice: ${probe.id}`);
    registry.set(probe.id, probe);
  }
  return registry;
}
