import { dirname, resolve } from 'node:path';
import { didYouMean } from '../util/did-you-mean.js';
import { InputError } from '../util/errors.js';
import type { Catalog, CatalogEntry, Environment } from './schema.js';

/** An entry as it runs in an environment: overrides by probe id, then by entry id, over the entry. */
export function effectiveEntry(entry: CatalogEntry, environment: Environment | undefined): CatalogEntry {
  const byProbe = entry.probe ? environment?.overrides?.[entry.probe] : undefined;
  const byEntry = environment?.overrides?.[entry.id];
  if (!byProbe && !byEntry) return entry;
  const severity = byEntry?.severity ?? byProbe?.severity ?? entry.severity;
  const params = byProbe?.params || byEntry?.params ? { ...entry.params, ...byProbe?.params, ...byEntry?.params } : entry.params;
  return { ...entry, severity, ...(params ? { params } : {}) };
}

export interface SelectedEnvironment {
  name: string;
  environment: Environment;
  /** The env file resolved against the catalog's folder, if the environment names one. */
  envFile?: string;
}

/** The environments `--environment` names, in the order given; an unknown name is an input error. */
export function selectEnvironments(catalog: Catalog, catalogFile: string, names: readonly string[]): SelectedEnvironment[] {
  const known = catalog.environments ?? {};
  const seen = new Set<string>();
  return names.map((name) => {
    const environment = known[name];
    if (!environment) {
      const list = Object.keys(known);
      throw new InputError(`--environment ${name}: ${list.length ? `not an environment of ${catalogFile} (known: ${list.join(', ')})${didYouMean(name, list)}` : `${catalogFile} declares no environments (add an \`environments:\` section)`}`);
    }
    if (seen.has(name)) throw new InputError(`--environment ${name}: given twice`);
    seen.add(name);
    return { name, environment, ...(environment.envFile ? { envFile: resolve(dirname(catalogFile), environment.envFile) } : {}) };
  });
}
