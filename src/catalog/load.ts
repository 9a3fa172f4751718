import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ZodIssue } from 'zod';
import { InputError, at, errorMessage } from '../util/errors.js';
import type { Probe } from '../engine/types.js';
import { parseCanonicalCatalog, validateCanonical } from './load-text.js';
import { catalogSchema, type Catalog } from './schema.js';

export interface LoadedCatalog {
  file: string;
  catalog: Catalog;
  document: Document;
}

const MAX_BYTES = 32 * 1024 * 1024;

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

/** Parses YAML keeping positions, so every later error can name a line. */
export function parseCatalogDocument(text: string, file: string): { document: Document; lineOf: (path: readonly (string | number)[]) => number | undefined } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new InputError(at(file, line, `YAML syntax error: ${first.message.split('\n')[0]}`));
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { document, lineOf };
}

export async function loadCatalog(file: string, probes: ReadonlyMap<string, Probe>): Promise<LoadedCatalog> {
  return catalogFromText(await readCatalogText(file), file, probes);
}

/** Validates catalog text already in memory (e.g. what `catalog sync` is about to write). */
export function catalogFromText(text: string, file: string, probes: ReadonlyMap<string, Probe>): LoadedCatalog {
  const catalog = fastCatalog(text, probes);
  if (!catalog) return loadCatalogDocument(text, file, probes);
  let document: Document | undefined;
  return {
    file,
    catalog,
    // Nothing on the hot path needs the Document; build it only when asked.
    get document() {
      document ??= parseCatalogDocument(text, file).document;
      return document;
    },
  };
}

type WorkerResult = { ok: true } | { ok: false; input: boolean; message: string };

/**
 * Starts validating `file` exactly as loadCatalog does, in a worker thread when running from the
 * build (src/catalog/load-worker.js), and returns a function that waits for the verdict and throws
 * loadCatalog's error. Callers that only need the verdict overlap it with other work; under a
 * TypeScript test runner, or if the worker cannot start, it runs on this thread when awaited.
 */
export function loadInBackground(file: string, probes: () => Promise<ReadonlyMap<string, Probe>>): () => Promise<void> {
  const inThread = async () => {
    await loadCatalog(file, await probes());
  };
  const script = new URL('./load-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js') || !existsSync(fileURLToPath(script))) return inThread;
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: { file } });
  } catch {
    return inThread;
  }
  // Unreferenced until awaited: a caller that fails first exits without waiting for the verdict.
  worker.unref();
  const verdict = new Promise<WorkerResult | undefined>((resolve) => {
    worker.once('message', (message: WorkerResult) => resolve(message));
    // A worker that cannot run (resources, a crash) leaves the verdict to this thread.
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return async () => {
    worker.ref();
    const result = await verdict;
    void worker.terminate();
    if (!result) return inThread();
    if (result.ok) return;
    throw result.input ? new InputError(result.message) : new Error(result.message);
  };
}

/**
 * The catalog when the text is in sync's layout and passes every check below, else undefined: then
 * loadCatalogDocument judges it, so every accepted catalog and every error message comes out
 * exactly as the Document path makes them.
 */
export function fastCatalog(text: string, probes: ReadonlyMap<string, Probe>): Catalog | undefined {
  const raw = parseCanonicalCatalog(text);
  if (!raw) return undefined;
  const catalog = validateCanonical(raw);
  if (!catalog) return undefined;
  const ids = new Set<string>();
  /** Probes whose defaults (params absent) already passed: 100,000 entries share a few dozen probes. */
  const defaultsPass = new Set<string>();
  for (const entry of catalog.entries) {
    if (ids.has(entry.id)) return undefined;
    ids.add(entry.id);
    if (!entry.probe || (entry.params === undefined && defaultsPass.has(entry.probe))) continue;
    const probe = probes.get(entry.probe);
    if (!probe || !probe.params.safeParse(entry.params ?? {}).success) return undefined;
    if (entry.params === undefined) defaultsPass.add(entry.probe);
  }
  return catalog;
}

/** The reference path through the yaml Document API: any YAML, and every error names `file:line`. */
export function loadCatalogDocument(text: string, file: string, probes: ReadonlyMap<string, Probe>): LoadedCatalog {
  const { document, lineOf } = parseCatalogDocument(text, file);
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(at(file, undefined, `YAML error: ${errorMessage(error)}`));
  }
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as ZodIssue;
    throw new InputError(at(file, lineOf(issue.path), `${describePath(issue.path, raw)}: ${issue.message}`));
  }
  const catalog = parsed.data;
  const ids = new Map<string, number>();
  catalog.entries.forEach((entry, index) => {
    const where = (field: string) => lineOf(['entries', index, field]);
    const previous = ids.get(entry.id);
    if (previous !== undefined) throw new InputError(at(file, where('id'), `duplicate id "${entry.id}" (first at line ${lineOf(['entries', previous, 'id']) ?? '?'})`));
    ids.set(entry.id, index);
    if (!entry.probe) return;
    const probe = probes.get(entry.probe);
    if (!probe) throw new InputError(at(file, where('probe'), `entry "${entry.id}": unknown probe "${entry.probe}" (see \`bazaarhub-check probes\`)`));
    const params = probe.params.safeParse(entry.params ?? {});
    if (!params.success) {
      const issue = params.error.issues[0] as ZodIssue;
      const path = ['entries', index, 'params', ...issue.path];
      throw new InputError(at(file, lineOf(path), `entry "${entry.id}": params${issue.path.map((p) => `.${p}`).join('')}: ${issue.message}`));
    }
  });
  return { file, catalog, document };
}

function describePath(path: readonly (string | number)[], raw: unknown): string {
  if (path[0] === 'entries' && typeof path[1] === 'number') {
    const entry = (raw as { entries?: Array<{ id?: unknown }> }).entries?.[path[1]];
    const id = typeof entry?.id === 'string' ? `entry "${entry.id}"` : `entries[${path[1]}]`;
    const field = path.slice(2).join('.');
    return field ? `${id}: ${field}` : id;
  }
  return path.length ? path.join('.') : 'catalog';
}
