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
      if (!live.some((entry) => matchesOnly(entry, id))) throw new InputError(`--only ${id}: matches no entry id or probe id${suggestion(live, id)} (a prefix ends at a dot: http. or http.*)`);
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

/** `value` names `id` exactly, or is a prefix of it that ends at a dot (`http.`, `http.*`, `pre-deployment.security`). */
export function matchesId(id: string, value: string): boolean {
  const prefix = value.endsWith('.*') ? value.slice(0, -1) : value;
  if (id === prefix) return true;
  if (!id.startsWith(prefix)) return false;
  return prefix.endsWith('.') || id[prefix.length] === '.';
}

function matchesOnly(entry: CatalogEntry, id: string): boolean {
  return matchesId(entry.id, id) || (entry.probe !== undefined && matchesId(entry.probe, id));
}

/** `, did you mean http.hsts?` for a value that is the start of a probe or entry id. */
function suggestion(entries: readonly CatalogEntry[], value: string): string {
  const names = new Set<string>();
  for (const entry of entries) {
    if (entry.probe?.startsWith(value)) names.add(entry.probe);
    else if (entry.id.startsWith(value)) names.add(entry.id);
  }
  const list = [...names].sort().slice(0, 3);
  return list.length ? `; did you mean ${list.join(' or ')}?` : '';
}
