import { isMap, isSeq, YAMLMap, YAMLSeq, type Document } from 'yaml';
import type { Checklist, ChecklistItem } from '../checklist/types.js';
import type { Probe } from '../engine/types.js';
import { InputError, at } from '../util/errors.js';
import { infer } from './infer.js';
import { parseCatalogDocument } from './load.js';
import { catalogSchema } from './schema.js';
import { freshCatalogText, HEADER, textualSync } from './sync-text.js';

export type ChangeKind = 'added' | 'moved' | 'restored' | 'vanished' | 'adopted';

export interface CatalogChange {
  kind: ChangeKind;
  id: string;
  detail: string;
}

export interface SyncResult {
  text: string;
  changes: CatalogChange[];
  /** Entries already marked vanished: sync keeps them, `catalog check` still reports them. */
  stillVanished: CatalogChange[];
}

export interface SyncOptions {
  catalogFile: string;
  /** The checklist path as written in the catalog's `checklist:` field and in each `source:`. */
  checklistRef: string;
  /** Existing catalog text, or undefined when the catalog does not exist yet. */
  existing: string | undefined;
  probes: readonly Probe[];
  adoptProbes?: boolean;
  today?: string;
}


/**
 * Merges the checklist into the catalog document in place, so comments and hand edits survive.
 * Pure: returns the new text and what changed; the caller decides whether to write.
 */
export function syncCatalog(checklist: Checklist, options: SyncOptions): SyncResult {
  if (!options.adoptProbes) {
    const fast = options.existing === undefined ? freshCatalogText(checklist, options) : textualSync(checklist, options, options.existing);
    if (fast) return fast;
  }
  return syncDocument(checklist, options);
}

/** The reference path through the yaml Document API: any layout, and --adopt-probes. */
export function syncDocument(checklist: Checklist, options: SyncOptions): SyncResult {
  const { document } = options.existing === undefined ? fresh(options.checklistRef) : parseCatalogDocument(options.existing, options.catalogFile);
  if (options.existing !== undefined) assertShape(document, options.catalogFile);
  const entries = document.get('entries', true) as YAMLSeq<YAMLMap>;
  const changes: CatalogChange[] = [];
  const stillVanished: CatalogChange[] = [];
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const ref = (document.get('checklist') as string | undefined) ?? options.checklistRef;

  const byId = new Map<string, YAMLMap>();
  for (const node of entries.items) {
    const id = isMap(node) ? node.get('id') : undefined;
    if (typeof id === 'string') byId.set(id, node);
  }
  const itemIds = new Set(checklist.items.map((item) => item.id));

  // New entries go right after the entry of the nearest preceding checklist item that the catalog
  // already has (or first), so a reviewer sees them where they sit in the checklist. Built in one
  // pass: no splicing, linear in the size of the catalog.
  const FIRST = Symbol('first');
  const newAfter = new Map<YAMLMap | typeof FIRST, YAMLMap[]>();
  const inserted = new Set<YAMLMap>();
  let anchor: YAMLMap | typeof FIRST = FIRST;
  for (const item of checklist.items) {
    const source = `${ref}:${item.line}`;
    const node = byId.get(item.id);
    if (!node) {
      const created = document.createNode(newEntry(item, source, options.probes)) as YAMLMap;
      const params = created.get('params', true);
      if (isMap(params)) params.flow = true;
      const group = newAfter.get(anchor) ?? [];
      group.push(created);
      newAfter.set(anchor, group);
      inserted.add(created);
      changes.push({ kind: 'added', id: item.id, detail: `new item at ${source}` });
      continue;
    }
    anchor = node;
    const oldSource = node.get('source');
    if (oldSource !== source) {
      node.set('source', source);
      changes.push({ kind: 'moved', id: item.id, detail: `source ${String(oldSource ?? '(none)')} → ${source}` });
    }
    if (node.has('vanished')) {
      node.delete('vanished');
      changes.push({ kind: 'restored', id: item.id, detail: `back in the checklist at ${source}` });
    }
    if (options.adoptProbes && node.get('manual') === true) adopt(document, node, item, options.probes, changes);
  }
  if (inserted.size > 0) {
    const merged: YAMLMap[] = [...(newAfter.get(FIRST) ?? [])];
    for (const node of entries.items) merged.push(node, ...(newAfter.get(node) ?? []));
    merged.forEach((node, index) => {
      node.spaceBefore = index > 0;
    });
    entries.items = merged;
  }

  for (const node of entries.items) {
    if (!isMap(node) || inserted.has(node)) continue;
    const id = node.get('id');
    if (typeof id !== 'string' || !node.has('source') || itemIds.has(id)) continue;
    const marked = node.get('vanished');
    if (marked) {
      stillVanished.push({ kind: 'vanished', id, detail: `gone from the checklist since ${String(marked)}: delete the entry or restore the item` });
    } else {
      node.set('vanished', today);
      changes.push({ kind: 'vanished', id, detail: `no longer in ${ref} (was ${String(node.get('source'))}); kept and marked vanished` });
    }
  }

  const text = document.toString({ lineWidth: 0 });
  return { text: text.startsWith('#') ? text : HEADER + text, changes, stillVanished };
}

function fresh(checklistRef: string): { document: Document } {
  const { document } = parseCatalogDocument(`version: 1\nchecklist: ${/^[\w./-]+$/.test(checklistRef) ? checklistRef : JSON.stringify(checklistRef)}\nentries: []\n`, '(new catalog)');
  const entries = document.get('entries', true) as YAMLSeq;
  entries.flow = false;
  return { document };
}

function assertShape(document: Document, file: string): void {
  const raw = { version: document.get('version'), checklist: document.get('checklist') };
  const shape = catalogSchema.pick({ version: true, checklist: true }).safeParse(raw);
  if (!shape.success) throw new InputError(at(file, 1, `not a bazaarhub-check catalog: ${shape.error.issues[0]?.path.join('.') || 'document'}: ${shape.error.issues[0]?.message}`));
  const entries = document.get('entries', true);
  if (!isSeq(entries)) throw new InputError(at(file, undefined, 'entries: expected a list'));
}

function adopt(document: Document, node: YAMLMap, item: ChecklistItem, probes: readonly Probe[], changes: CatalogChange[]): void {
  const suggested = infer(item, probes);
  if (!suggested.probe) return;
  node.delete('manual');
  node.delete('why');
  node.set('probe', suggested.probe);
  if (suggested.params) {
    const params = document.createNode(suggested.params) as YAMLMap;
    params.flow = true;
    node.set('params', params);
  }
  changes.push({ kind: 'adopted', id: item.id, detail: `manual → probe ${suggested.probe}` });
}

function newEntry(item: ChecklistItem, source: string, probes: readonly Probe[]): Record<string, unknown> {
  const inferred = infer(item, probes);
  const entry: Record<string, unknown> = { id: item.id, title: item.title };
  if (item.kind !== 'task') entry.kind = item.kind;
  Object.assign(entry, { source, phase: item.phase, section: item.section, cadence: item.cadence, severity: inferred.severity });
  if (inferred.probe) {
    entry.probe = inferred.probe;
    if (inferred.params) entry.params = inferred.params;
  } else {
    entry.manual = true;
  }
  return entry;
}
