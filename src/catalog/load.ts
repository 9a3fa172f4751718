import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Document } from 'yaml';
import type { ZodIssue, ZodTypeAny } from 'zod';
import type { Probe } from '../engine/types.js';
import { didYouMean } from '../util/did-you-mean.js';
import { InputError, at, errorMessage } from '../util/errors.js';
import { catalogHeaderSchema, entrySchema, type Catalog, type CatalogEntry, type Environment } from './schema.js';
import { effectiveEntry } from './environments.js';
import { strictDeep, keysAt } from './strict.js';
import { catalogCacheKey, readCachedCatalog, writeCachedCatalog } from './cache.js';

export interface LoadedCatalog {
  file: string;
  catalog: Catalog;
  /**
   * Checks the params of the entries (and environment overrides) whose probes are in `probes` but
   * were not loaded when the catalog was: a run loads the probes it selects after reading the
   * catalog. Throws the first problem, as loading does.
   */
  checkParams(probes: ReadonlyMap<string, Probe>): void;
}

type Path = readonly (string | number)[];

/** One thing wrong with a catalog, at a line when one is known. */
export interface CatalogProblem {
  line: number | undefined;
  message: string;
}

/** Real catalogs are a few hundred entries (~100 KiB); 4 MiB is ~15,000 entries, a few seconds through the Document API. */
const MAX_BYTES = 4 * 1024 * 1024;

export async function readCatalogText(file: string): Promise<string> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    const hint = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (run `bazaarhub-check catalog sync` to create it)' : '';
    throw new InputError(at(file, undefined, `cannot read catalog: ${errorMessage(error)}${hint}`));
  }
  if (buffer.length > MAX_BYTES) throw new InputError(at(file, undefined, `catalog is ${buffer.length} bytes, over the ${MAX_BYTES}-byte limit`));
  if (buffer.includes(0)) throw new InputError(at(file, undefined, 'not a YAML catalog (binary content)'));
  return buffer.toString('utf8').replace(/^\uFEFF/, '');
}

/** Where things are in the catalog text, to name the line of a problem. */
export interface Lines {
  /** Line of the node at `path` (or of its nearest ancestor). */
  lineOf: (path: Path) => number | undefined;
  /** Line of the key `key` of the mapping at `path` (or of the mapping). */
  lineOfKey: (path: Path, key: string) => number | undefined;
}

export interface ParsedCatalogDocument extends Lines {
  document: Document;
}

/** Parses YAML keeping positions, so every later error can name a line. */
export function parseCatalogDocument(text: string, file: string): ParsedCatalogDocument {
  // Required on first use (yaml ships CommonJS, so this is the instance `import` gives): a run whose
  // catalog comes from the cache never loads the parser (measured: 12 ms of its start-up).
  const { isMap, isScalar, LineCounter, parseDocument, visit } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new InputError(at(file, line, `YAML syntax error: ${first.message.split('\n')[0]}`));
  }
  // yaml reports an alias without its anchor only when the document is converted or written
  // (`catalog sync` writes it back without converting it): say so here, with the alias's line.
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) === undefined) {
        const line = alias.range ? lineCounter.linePos(alias.range[0]).line : undefined;
        throw new InputError(at(file, line, `YAML error: alias *${alias.source} has no anchor &${alias.source} before it`));
      }
    },
  });
  const lineOf = (path: Path): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = (depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true)) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const lineOfKey = (path: Path, key: string): number | undefined => {
    const node = path.length === 0 ? document.contents : document.getIn(path, true);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
    }
    return lineOf(path);
  };
  return { document, lineOf, lineOfKey };
}

/**
 * `probes` are the loaded probes whose params are checked now; `known` every probe id (by default the
 * loaded ones): an entry whose probe is known but not loaded has its params checked by `checkParams`.
 * `loadAll` loads every probe, to list every problem of a catalog that is refused.
 */
export async function loadCatalog(file: string, probes: ReadonlyMap<string, Probe>, known: ReadonlySet<string> = new Set(probes.keys()), loadAll?: () => Promise<ReadonlyMap<string, Probe>>): Promise<LoadedCatalog> {
  const text = await readCatalogText(file);
  const key = catalogCacheKey(text, known);
  const cached = readCachedCatalog(key);
  if (cached) return fromCache(text, file, cached, probes, known);
  let loaded: LoadedCatalog;
  try {
    loaded = catalogFromText(text, file, probes, known);
  } catch (error) {
    // The catalog is refused anyway: with every probe loaded, the count of problems is the whole one.
    if (error instanceof InputError && loadAll) catalogFromText(text, file, await loadAll(), known);
    throw error;
  }
  writeCachedCatalog(key, loaded.catalog);
  return loaded;
}

/** Lines are only needed to report a problem: a cached (valid) catalog is parsed again only then. */
const NO_LINES: Lines = { lineOf: () => undefined, lineOfKey: () => undefined };

function fromCache(text: string, file: string, catalog: Catalog, probes: ReadonlyMap<string, Probe>, known: ReadonlySet<string>): LoadedCatalog {
  const checked = new Set<string>();
  const checkParams = (more: ReadonlyMap<string, Probe>) => {
    const fresh = new Map([...more].filter(([id]) => !checked.has(id)));
    for (const id of fresh.keys()) checked.add(id);
    if (paramProblemsOf(catalog.entries, undefined, catalog.environments, fresh, NO_LINES).length === 0) return;
    throwFirst(file, validateCatalog(text, file, new Map(), known).paramProblems(fresh));
  };
  checkParams(probes);
  return { file, catalog, checkParams };
}

/**
 * Validates catalog text (from a file, or what `catalog sync` is about to write) and throws the
 * first problem as an InputError naming `file:line`; `catalog check` lists all of them.
 */
export function catalogFromText(text: string, file: string, probes: ReadonlyMap<string, Probe>, known?: ReadonlySet<string>): LoadedCatalog {
  const { catalog, problems, paramProblems } = validateCatalog(text, file, probes, known);
  throwFirst(file, problems);
  if (!catalog) throw new InputError(at(file, undefined, 'invalid catalog'));
  const checked = new Set(probes.keys());
  return {
    file,
    catalog,
    checkParams: (more) => {
      const fresh = new Map([...more].filter(([id]) => !checked.has(id)));
      for (const id of fresh.keys()) checked.add(id);
      throwFirst(file, paramProblems(fresh));
    },
  };
}

function throwFirst(file: string, problems: readonly CatalogProblem[]): void {
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: \`bazaarhub-check catalog check\` lists them)` : '';
  throw new InputError(`${at(file, first.line, first.message)}${more}`);
}

/**
 * Every problem in the catalog, in line order: the catalog's shape (strict: an unknown key anywhere is
 * one), duplicate ids, unknown probes, and each entry's params against its probe's schema (strict
 * too). A YAML syntax error throws at once, since nothing after it can be read.
 */
export function validateCatalog(
  text: string,
  file: string,
  probes: ReadonlyMap<string, Probe>,
  known: ReadonlySet<string> = new Set(probes.keys()),
): { document: Document; catalog?: Catalog; problems: CatalogProblem[]; paramProblems: (more: ReadonlyMap<string, Probe>) => CatalogProblem[] } {
  const parsed = parseCatalogDocument(text, file);
  const { document, lineOf } = parsed;
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(at(file, undefined, `YAML error: ${errorMessage(error)}`));
  }
  const problems: CatalogProblem[] = [];
  const report = (issues: readonly ZodIssue[], base: Path, schema: ZodTypeAny, describe: (path: Path) => string, unknownWhat: (path: Path) => string) => {
    for (const issue of issues) {
      const path = [...base, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        const known = keysAt(schema, issue.path);
        for (const key of issue.keys) {
          problems.push({ line: parsed.lineOfKey(path, key), message: `${describe([...issue.path, key])}: unknown ${unknownWhat(issue.path)}${didYouMean(key, known)}` });
        }
      } else {
        problems.push({ line: lineOf(path), message: `${describe(issue.path)}: ${issue.message}` });
      }
    }
  };

  const header = catalogHeaderSchema.safeParse(raw);
  if (!header.success) report(header.error.issues, [], catalogHeaderSchema, (path) => (path.length ? path.join('.') : 'catalog'), (path) => (path.length ? `key in ${path.join('.')}` : 'top-level key of the catalog'));
  const rawEntries = raw !== null && typeof raw === 'object' && Array.isArray((raw as { entries?: unknown }).entries) ? ((raw as { entries: unknown[] }).entries) : [];

  const entries: CatalogEntry[] = [];
  /** Index in `entries:` of each valid entry. */
  const positions: number[] = [];
  const ids = new Map<string, number>();
  rawEntries.forEach((rawEntry, index) => {
    const base = ['entries', index];
    const rawId = rawEntry !== null && typeof rawEntry === 'object' ? (rawEntry as { id?: unknown }).id : undefined;
    const name = typeof rawId === 'string' ? `entry "${rawId}"` : `entries[${index}]`;
    const result = entrySchema.safeParse(rawEntry);
    if (!result.success) {
      report(result.error.issues, base, entrySchema, (path) => (path.length ? `${name}: ${path.join('.')}` : name), () => 'field of a catalog entry');
      return;
    }
    const entry = result.data;
    entries.push(entry);
    positions.push(index);
    const where = (field: string) => lineOf([...base, field]);
    const previous = ids.get(entry.id);
    if (previous !== undefined) problems.push({ line: where('id'), message: `duplicate id "${entry.id}" (first at line ${lineOf(['entries', previous, 'id']) ?? '?'})` });
    else ids.set(entry.id, index);
    if (entry.probe && !known.has(entry.probe)) {
      problems.push({ line: where('probe'), message: `entry "${entry.id}": unknown probe "${entry.probe}"${didYouMean(entry.probe, known).replace(/\?\)$/, '?; see `bazaarhub-check probes`)') || ' (see `bazaarhub-check probes`)'}` });
    }
  });
  const paramProblems = (available: ReadonlyMap<string, Probe>) => paramProblemsOf(entries, positions, header.success ? header.data.environments : undefined, available, parsed);
  problems.push(...paramProblems(probes));
  // Previous ids resolve old attestations to exactly one entry.
  entries.forEach((entry, index) => {
    for (const old of entry.previousIds ?? []) {
      const owner = ids.get(old);
      if (owner !== undefined) problems.push({ line: lineOf(['entries', positions[index] as number, 'previousIds']), message: `entry "${entry.id}": previousIds: "${old}" is the id of another entry (line ${lineOf(['entries', owner, 'id']) ?? '?'})` });
    }
  });

  if (header.success && header.data.environments) checkEnvironmentKeys(header.data.environments, entries, known, parsed, problems);

  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (problems.length || !header.success) return { document, problems, paramProblems };
  return { document, problems, paramProblems, catalog: { ...header.data, entries } as Catalog };
}

/** The params of every entry and environment override whose probe is in `available`; `positions`: each entry's index in `entries:` (default: its own). */
function paramProblemsOf(entries: readonly CatalogEntry[], positions: readonly number[] | undefined, environments: Record<string, Environment> | undefined, available: ReadonlyMap<string, Probe>, lines: Lines): CatalogProblem[] {
  const found: CatalogProblem[] = [];
  if (available.size === 0) return found;
  entries.forEach((entry, index) => {
    const probe = entry.probe ? available.get(entry.probe) : undefined;
    if (probe) checkParams(probe, entry.params ?? {}, ['entries', positions?.[index] ?? index, 'params'], `entry "${entry.id}"`, lines, found);
  });
  if (environments) checkEnvironmentParams(environments, entries, available, lines, found);
  return found.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** A probe's params, strictly: an unknown key is a problem with a did-you-mean, like a wrong type. */
export function checkParams(probe: Probe, params: unknown, base: Path, owner: string, parsed: Lines, problems: CatalogProblem[]): void {
  const schema = strictDeep(probe.params);
  const result = schema.safeParse(params);
  if (result.success) return;
  for (const issue of result.error.issues) {
    const path = [...base, ...issue.path];
    const dotted = ['params', ...issue.path].join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) problems.push({ line: parsed.lineOfKey(path, key), message: `${dotted}.${key}: unknown param of ${probe.id}${didYouMean(key, known)}` });
    } else {
      problems.push({ line: parsed.lineOf(path), message: `${owner}: ${dotted}: ${issue.message}` });
    }
  }
}

/** Each override names an entry or a probe, and a params override is for an entry with a probe. */
function checkEnvironmentKeys(environments: Record<string, Environment>, entries: readonly CatalogEntry[], known: ReadonlySet<string>, parsed: ParsedCatalogDocument, problems: CatalogProblem[]): void {
  const ids = new Set(entries.map((entry) => entry.id));
  for (const [name, environment] of Object.entries(environments)) {
    const base = ['environments', name, 'overrides'];
    for (const [key, override] of Object.entries(environment.overrides ?? {})) {
      if (!ids.has(key) && !known.has(key)) {
        problems.push({ line: parsed.lineOfKey(base, key), message: `environments.${name}.overrides.${key}: not an entry id or a probe id${didYouMean(key, [...ids, ...known])}` });
        continue;
      }
      if (override.params && ids.has(key) && entries.some((entry) => entry.id === key && !entry.probe)) {
        problems.push({ line: parsed.lineOfKey([...base, key], 'params'), message: `environments.${name}.overrides.${key}: params on a manual entry` });
      }
    }
  }
}

/** The params each override yields are valid for the entry's probe (strictly), for the probes in `probes`. */
function checkEnvironmentParams(environments: Record<string, Environment>, entries: readonly CatalogEntry[], probes: ReadonlyMap<string, Probe>, parsed: Lines, problems: CatalogProblem[]): void {
  const ids = new Set(entries.map((entry) => entry.id));
  for (const [name, environment] of Object.entries(environments)) {
    const base = ['environments', name, 'overrides'];
    for (const [key, override] of Object.entries(environment.overrides ?? {})) {
      if (!override.params) continue;
      const affected = ids.has(key) ? entries.filter((entry) => entry.id === key) : entries.filter((entry) => entry.probe === key);
      for (const entry of affected) {
        const probe = entry.probe ? probes.get(entry.probe) : undefined;
        if (!probe) continue;
        const before = problems.length;
        checkParams(probe, effectiveEntry(entry, environment).params ?? {}, [...base, key, 'params'], `environments.${name}.overrides.${key} (entry "${entry.id}")`, parsed, problems);
        // One report per override, not one per entry of the probe.
        if (problems.length > before && !ids.has(key)) break;
      }
    }
  }
}
