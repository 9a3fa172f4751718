import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { LEDGER_FILE } from '../attest/ledger.js';
import { packageRoot } from '../util/paths.js';

/** The catalog's file name in an application repository (and in this one). */
export const CATALOG_FILE = 'bazaarhub-checks.yaml';

/** Which files a command reads: the user's (flag or working directory) or the package's bundled copy. */
export interface Inputs {
  catalog: string;
  checklist: string;
  ledger: string;
  catalogBundled: boolean;
  checklistBundled: boolean;
}

interface InputFlags {
  catalog?: string;
  checklist?: string;
  ledger?: string;
}

export function bundledCatalog(): string {
  return join(packageRoot(), CATALOG_FILE);
}

export function bundledChecklist(): string {
  return join(packageRoot(), 'checklists/deployment.md');
}

/** A checklist in an application repository: DEPLOYMENT_CHECKLIST.md, checklists/deployment.md, then docs/*checklist*.md. */
export function findChecklist(cwd: string): string | undefined {
  for (const candidate of ['DEPLOYMENT_CHECKLIST.md', 'checklists/deployment.md']) if (existsSync(join(cwd, candidate))) return candidate;
  try {
    const docs = readdirSync(join(cwd, 'docs')).filter((name) => /checklist/i.test(name) && name.toLowerCase().endsWith('.md')).sort();
    if (docs[0]) return `docs/${docs[0]}`;
  } catch {
    // no docs/ directory
  }
  return undefined;
}

/** The `checklist:` field of a catalog, read from its head without parsing the whole file. */
function catalogChecklistField(catalogFile: string): string | undefined {
  try {
    // Only the head: a catalog may be many megabytes, and the field is near the top.
    const buffer = Buffer.alloc(4096);
    const fd = openSync(catalogFile, 'r');
    let length: number;
    try {
      length = readSync(fd, buffer, 0, buffer.length, 0);
    } finally {
      closeSync(fd);
    }
    const head = buffer.subarray(0, length).toString('utf8');
    const match = /^checklist:[ \t]*(['"]?)([^'"\r\n#]+?)\1[ \t]*(?:#.*)?$/m.exec(head);
    return match?.[2];
  } catch {
    return undefined;
  }
}

/** A path as the user would type it from `cwd` (relative inside it, absolute outside). */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
}

/**
 * Defaults for commands that read the catalog (run, demo, list, attest): a flag wins; otherwise
 * ./bazaarhub-checks.yaml, else the bundled BazaarHub catalog. The checklist is the catalog's own
 * `checklist:` field (beside the catalog), else one found in the working directory, else the bundled
 * one. The ledger sits beside the user's catalog, or in the working directory when the catalog is
 * the bundled one (never inside the installed package).
 */
export function resolveInputs(flags: InputFlags, cwd = process.cwd()): Inputs {
  const catalogBundled = flags.catalog === undefined && !existsSync(join(cwd, CATALOG_FILE));
  const catalog = flags.catalog ?? (catalogBundled ? bundledCatalog() : CATALOG_FILE);
  let checklist = flags.checklist;
  let checklistBundled = false;
  if (checklist === undefined) {
    const field = catalogChecklistField(resolve(cwd, catalog));
    const besideCatalog = field === undefined ? undefined : resolve(cwd, dirname(catalog), field);
    if (besideCatalog && existsSync(besideCatalog)) checklist = shown(besideCatalog, cwd);
    else checklist = (catalogBundled ? undefined : findChecklist(cwd)) ?? undefined;
    if (checklist === undefined) {
      checklist = bundledChecklist();
      checklistBundled = true;
    }
    if (catalogBundled) checklistBundled = true;
  }
  const ledger = flags.ledger ?? (catalogBundled ? LEDGER_FILE : join(dirname(catalog), LEDGER_FILE));
  return { catalog, checklist, ledger, catalogBundled, checklistBundled };
}

/**
 * Defaults for `catalog sync` and `catalog check`, which write or compare the user's catalog: it is
 * always ./bazaarhub-checks.yaml (never the bundled copy), the checklist the catalog names or one in
 * the working directory.
 */
export function resolveSyncInputs(flags: InputFlags, cwd = process.cwd()): Pick<Inputs, 'catalog' | 'checklist'> {
  const catalog = flags.catalog ?? CATALOG_FILE;
  if (flags.checklist !== undefined) return { catalog, checklist: flags.checklist };
  const field = catalogChecklistField(resolve(cwd, catalog));
  if (field !== undefined && existsSync(resolve(cwd, dirname(catalog), field))) return { catalog, checklist: shown(resolve(cwd, dirname(catalog), field), cwd) };
  return { catalog, checklist: findChecklist(cwd) ?? 'DEPLOYMENT_CHECKLIST.md' };
}

/** The parsed flags with every input path filled in (see resolveInputs). */
export function withInputs<T extends InputFlags>(flags: T): T & Inputs {
  return { ...flags, ...resolveInputs(flags) };
}

export function withSyncInputs<T extends InputFlags>(flags: T): T & Pick<Inputs, 'catalog' | 'checklist'> {
  return { ...flags, ...resolveSyncInputs(flags) };
}
