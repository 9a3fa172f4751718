import type { Cadence } from '../checklist/types.js';
import type { CatalogEntry } from '../catalog/schema.js';
import { InputError } from '../util/errors.js';

export interface Selection {
  phase?: string[];
  section?: string[];
  cadence?: Cadence[];
  /** Entry ids, probe ids (`http.hsts`), or a prefix of either (`http.`, `pre-deployment.security`). */
  only?: string[];
  /** Leave manual entries out (automated checks only). */
  manual?: boolean;
}

/** Applies the CLI filters; a filter value that matches nothing is a usage error, not an empty run. */
export function selectEntries(entries: readonly CatalogEntry[], selection: Selection): CatalogEntry[] {
  const live = entries.filter((entry) => !entry.vanished);
  const byField = (flag: string, values: string[] | undefined, field: (entry: CatalogEntry) => string) => {
    if (!values?.length) return (_entry: CatalogEntry) => true;
    const known = new Set(live.map(field));
    for (const value of values) {
      if (!known.has(value)) throw new InputError(`${flag} ${value}: no such value (known: ${[...known].filter(Boolean).sort().join(', ')})`);
    }
    return (entry: CatalogEntry) => values.includes(field(entry));
  };
  const phase = byField('--phase', selection.phase, (entry) => entry.phase);
  const section = byField('--section', selection.section, (entry) => entry.section);
  const cadence = byField('--cadence', selection.cadence, (entry) => entry.cadence);
  const only = selection.only?.length ? selection.only : undefined;
  if (only) {
    for (const id of only) {
      if (!live.some((entry) => matchesOnly(entry, id))) throw new InputError(`--only ${id}: matches no entry id or probe id`);
    }
  }
  return live.filter(
    (entry) =>
      phase(entry) &&
      section(entry) &&
      cadence(entry) &&
      (!only || only.some((id) => matchesOnly(entry, id))) &&
      (selection.manual !== false || Boolean(entry.probe)),
  );
}

function matchesOnly(entry: CatalogEntry, id: string): boolean {
  return entry.id === id || entry.id.startsWith(id) || (entry.probe !== undefined && (entry.probe === id || entry.probe.startsWith(id)));
}
