import type { CatalogEntry } from '../catalog/schema.js';
import { variablesOfCatalog } from '../target/probe-variables.js';
import { NOT_SECRET, SECRET_NAME } from '../target/variables.js';

/**
 * The `.env.production` template: every variable the catalog's probes read, each with the checks
 * that read it, and no value at all (an empty value is unset, so the file runs as it is).
 */
export function envTemplate(entries: readonly Pick<CatalogEntry, 'id' | 'probe' | 'params'>[]): { text: string; variables: string[] } {
  const used = variablesOfCatalog(entries);
  const lines = [
    '# .env.production for bazaarhub-check, written by `bazaarhub-check init`: every variable the',
    "# catalog's probes read. No value is filled in; an empty value counts as unset. Fill in the",
    '# deployment\'s values (or point --env-file at the application\'s real .env.production). Filled',
    '# in, this file holds secrets: keep it out of git and give it to CI as a secret.',
    '',
  ];
  for (const [name, ids] of used) {
    const secret = SECRET_NAME.test(name) && !NOT_SECRET.has(name) ? ' (secret)' : '';
    const shown = ids.slice(0, 3).join(', ');
    lines.push(`# ${name}${secret}: read by ${shown}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`, `${name}=`);
  }
  return { text: `${lines.join('\n')}\n`, variables: [...used.keys()] };
}
