import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { ZodIssue, ZodTypeAny } from 'zod';
import type { Probe } from '../engine/types.js';
import { didYouMean } from '../util/did-you-mean.js';
import { InputError, at, errorMessage } from '../util/errors.js';
import { catalogHeaderSchema, entrySchema, type Catalog, type CatalogEntry, type Environment } from './schema.js';
import { effectiveEntry } from './environments.js';
import { strictDeep, keysAt } from './strict.js';

export interface LoadedCatalog {
  file: string;
  catalog: Catalog;
  document: Document;
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

export interface ParsedCatalogDocument {
  document: Document;
  /** Line of the node at `path` (or of its nearest ancestor). */
  lineOf: (path: Path) => number | undefined;
  /** Line of the key `key` of the mapping at `path` (or of the mapping). */
  lineOfKey: (path: Path, key: string) => number | undefined;
}

/** Parses YAML keeping positions, so every later error can name a line. */
export function parseCatalogDocument(text: string, file: string): ParsedCatalogDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new InputError(at(file, line, `YAML syntax error: ${first.message.split('\n')[0]}`));
  }
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

export async function loadCatalog(file: string, probes: ReadonlyMap<string, Probe>): Promise<LoadedCatalog> {
  return catalogFromText(await readCatalogText(file), file, probes);
}

/**
 * Validates catalog text (from a file, or what `catalog sync` is about to write) and throws the
 * first problem as an InputError naming `file:line`; `catalog check` lists all of them.
 */
export function catalogFromText(text: string, file: string, probes: ReadonlyMap<string, Probe>): LoadedCatalog {
  const { document, catalog, problems } = validateCatalog(text, file, probes);
  const first = problems[0];
  if (first || !catalog) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: \`bazaarhub-check catalog check\` lists them)` : '';
    throw new InputError(`${at(file, first?.line, first?.message ?? 'invalid catalog')}${more}`);
  }
  return { file, catalog, document };
}

/**
 * Every problem in the catalog, in line order: the catalog's shape (strict: an unknown key anywhere is
 * one), duplicate ids, unknown probes, and each entry's params against its probe's schema (strict
 * too). A YAML syntax error throws at once, since nothing after it can be read.
 */
export function validateCatalog(text: string, file: string, probes: ReadonlyMap<string, Probe>): { document: Document; catalog?: Catalog; problems: CatalogProblem[] } {
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
    if (!entry.probe) return;
    const probe = probes.get(entry.probe);
    if (!probe) {
      problems.push({ line: where('probe'), message: `entry "${entry.id}": unknown probe "${entry.probe}"${didYouMean(entry.probe, probes.keys()).replace(/\?\)$/, '?; see `bazaarhub-check probes`)') || ' (see `bazaarhub-check probes`)'}` });
      return;
    }
    checkParams(probe, entry.params ?? {}, [...base, 'params'], `entry "${entry.id}"`, parsed, problems);
  });
  // Previous ids resolve old attestations to exactly one entry.
  entries.forEach((entry, index) => {
    for (const old of entry.previousIds ?? []) {
      const owner = ids.get(old);
      if (owner !== undefined) problems.push({ line: lineOf(['entries', positions[index] as number, 'previousIds']), message: `entry "${entry.id}": previousIds: "${old}" is the id of another entry (line ${lineOf(['entries', owner, 'id']) ?? '?'})` });
    }
  });

  if (header.success && header.data.environments) checkEnvironments(header.data.environments, entries, probes, parsed, problems);

  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (problems.length || !header.success) return { document, problems };
  return { document, problems, catalog: { ...header.data, entries } as Catalog };
}

/** A probe's params, strictly: an unknown key is a problem with a did-you-mean, like a wrong type. */
export function checkParams(probe: Probe, params: unknown, base: Path, owner: string, parsed: ParsedCatalogDocument, problems: CatalogProblem[]): void {
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

/** Each override names an entry or a probe, and the params it yields are valid for the probe (strictly). */
function checkEnvironments(environments: Record<string, Environment>, entries: readonly CatalogEntry[], probes: ReadonlyMap<string, Probe>, parsed: ParsedCatalogDocument, problems: CatalogProblem[]): void {
  const ids = new Set(entries.map((entry) => entry.id));
  for (const [name, environment] of Object.entries(environments)) {
    const base = ['environments', name, 'overrides'];
    for (const [key, override] of Object.entries(environment.overrides ?? {})) {
      if (!ids.has(key) && !probes.has(key)) {
        problems.push({ line: parsed.lineOfKey(base, key), message: `environments.${name}.overrides.${key}: not an entry id or a probe id${didYouMean(key, [...ids, ...probes.keys()])}` });
        continue;
      }
      const affected = ids.has(key) ? entries.filter((entry) => entry.id === key) : entries.filter((entry) => entry.probe === key);
      for (const entry of affected) {
        if (override.params && !entry.probe) {
          problems.push({ line: parsed.lineOfKey([...base, key], 'params'), message: `environments.${name}.overrides.${key}: params on a manual entry` });
          continue;
        }
        const probe = entry.probe ? probes.get(entry.probe) : undefined;
        if (!probe || !override.params) continue;
        const before = problems.length;
        checkParams(probe, effectiveEntry(entry, environment).params ?? {}, [...base, key, 'params'], `environments.${name}.overrides.${key} (entry "${entry.id}")`, parsed, problems);
        // One report per override, not one per entry of the probe.
        if (problems.length > before && !ids.has(key)) break;
      }
    }
  }
}
