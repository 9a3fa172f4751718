/**
 * The text-level fast path of catalog loading. A 100,000-entry catalog (26 MiB) takes ~10 s through
 * the yaml Document API (parseDocument dominates); this reads the layout `catalog sync` writes
 * (`version:`/`checklist:` header, `entries:`, then `  - id: ...` blocks of `    key: value` lines,
 * comments, blank lines) line by line. Every value that is not an unambiguous plain or simple quoted
 * string goes through yaml's own parser (memoised, since params and enums repeat), so quoting and
 * typing rules stay exactly yaml's. Anything outside that layout returns undefined and load.ts takes
 * the Document path, which also produces every error message. test/unit/catalog-load-fast.test.ts
 * proves on generated and mutated catalogs that both paths agree.
 */
import { isCollection, isScalar, parseDocument } from 'yaml';
import { CADENCES, ITEM_KINDS } from '../checklist/types.js';
import { SEVERITIES, type Catalog, type CatalogEntry } from './schema.js';

const ENTRY_KEYS = new Set(['id', 'title', 'kind', 'source', 'phase', 'section', 'cadence', 'severity', 'probe', 'params', 'manual', 'why', 'attesters', 'remediation', 'tags', 'vanished']);
const HEADER_KEYS = new Set(['version', 'checklist']);

/** Characters the fast path refuses anywhere: tabs, CR, other controls, NEL, line/paragraph separators, BOM. */
// eslint-disable-next-line no-control-regex
const HOSTILE = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
/**
 * A plain scalar yaml's core schema reads as exactly this string: printable ASCII, first char a
 * letter, no `: ` or ` #` (indicators), no trailing `:` or space.
 */
const FAST_PLAIN = /^[A-Za-z](?:[!-9;-~]|:(?! |$)| (?!#|$))*$/;
const NOT_A_STRING = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Nn]ull|NULL)$/;
const DOUBLE_QUOTED = /^"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/;
const SINGLE_QUOTED = /^'(?:[^'\x00-\x1f]|'')*'$/;
/** Values yaml's parser may read on their own: quoted, flow collections, and plain text starting with a letter or digit. */
const SLOW_START = /^["'[{A-Za-z0-9]/;

const SPACE = 32;
const NONE = Symbol('not on the fast path');
type Value = unknown;

/** One value's text (after `key: `), as yaml reads it as a block-mapping value on one line; NONE when unsure. */
function valueOf(text: string, memo: Map<string, Value>): Value {
  if (FAST_PLAIN.test(text) && !(text.length <= 5 && NOT_A_STRING.test(text))) return text;
  if (DOUBLE_QUOTED.test(text)) return JSON.parse(text) as string;
  if (SINGLE_QUOTED.test(text)) return text.slice(1, -1).replaceAll("''", "'");
  let value = memo.get(text);
  if (value === undefined && !memo.has(text)) {
    value = slowValue(text);
    memo.set(text, value);
  }
  return value !== null && typeof value === 'object' ? clone(value) : value;
}

/** yaml's own reading of a single-line value; NONE for anything that could mean something else in context. */
function slowValue(text: string): Value {
  // Anchors, aliases and tags can refer across values; `%`, `-`, `.` or `?` first could be a directive,
  // document marker, sequence or key on its own but a scalar in context; `__proto__` keys need care
  // when copied.
  if (!SLOW_START.test(text) || /[&*!]/.test(text) || text.includes('__proto__')) return NONE;
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length || document.warnings.length) return NONE;
  const node = document.contents;
  const inline = isScalar(node) ? node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' : isCollection(node) && node.flow === true;
  if (!inline) return NONE;
  try {
    return document.toJS({ maxAliasCount: 100 }) as Value;
  } catch {
    return NONE;
  }
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = clone(item);
    return out;
  }
  return value;
}

/** Entry keys by their first character. */
const KEYS_BY_FIRST = new Map<number, string[]>();
for (const key of ENTRY_KEYS) KEYS_BY_FIRST.set(key.charCodeAt(0), [...(KEYS_BY_FIRST.get(key.charCodeAt(0)) ?? []), key]);
const COLON = 58;
/** The entry key of a `key: ` starting at `offset`, if any. */
function fieldKeyAt(text: string, offset: number): string | undefined {
  const candidates = KEYS_BY_FIRST.get(text.charCodeAt(offset));
  if (candidates) {
    for (const key of candidates) {
      if (text.startsWith(key, offset) && text.charCodeAt(offset + key.length) === COLON && text.charCodeAt(offset + key.length + 1) === SPACE) return key;
    }
  }
  return undefined;
}

const HEADER_LINE = /^([a-z]+): (.*)$/;
const BLANK = /^ *$/;
const COMMENT = /^ *#/;

/**
 * The plain JS value yaml's `parseDocument(text).toJS()` gives for a catalog in sync's layout, or
 * undefined when the text is anything else (then only the Document path may judge it).
 */
export function parseCanonicalCatalog(text: string): Record<string, unknown> | undefined {
  if (HOSTILE.test(text)) return undefined;
  const memo = new Map<string, Value>();
  const root: Record<string, unknown> = {};
  let at = 0;
  /** The next line (without its newline), advancing `at`. */
  const next = (): string => {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    at = end + 1;
    return line;
  };
  for (;;) {
    if (at > text.length) return undefined;
    const line = next();
    if (line === 'entries:') break;
    if (BLANK.test(line) || line.startsWith('#')) continue;
    const match = HEADER_LINE.exec(line);
    if (!match || !HEADER_KEYS.has(match[1] as string) || Object.hasOwn(root, match[1] as string)) return undefined;
    const value = valueOf(match[2] as string, memo);
    if (value === NONE) return undefined;
    root[match[1] as string] = value;
  }
  const entries: Record<string, unknown>[] = [];
  root.entries = entries;
  let entry: Record<string, unknown> | undefined;
  // The hot loop (a million lines at 100,000 entries) works on offsets into the text, so the common
  // `    key: value` line allocates only its value.
  while (at <= text.length) {
    const start = at;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    at = end + 1;
    if (entry && text.startsWith('    ', start)) {
      const key = fieldKeyAt(text, start + 4);
      if (key) {
        if (Object.hasOwn(entry, key)) return undefined;
        const value = valueOf(text.slice(start + 6 + key.length, end), memo);
        if (value === NONE) return undefined;
        entry[key] = value;
        continue;
      }
    } else if (text.startsWith('  - id: ', start)) {
      const value = valueOf(text.slice(start + 8, end), memo);
      if (value === NONE) return undefined;
      entry = { id: value };
      entries.push(entry);
      continue;
    }
    const line = text.slice(start, end);
    if (BLANK.test(line) || COMMENT.test(line)) continue;
    return undefined;
  }
  return entries.length ? root : undefined;
}

const ID = /^[a-z0-9][a-z0-9.-]*$/;
const KINDS: ReadonlySet<unknown> = new Set(ITEM_KINDS);
const CADENCE_SET: ReadonlySet<unknown> = new Set(CADENCES);
const SEVERITY_SET: ReadonlySet<unknown> = new Set(SEVERITIES);
const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
const stringArray = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const plainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/**
 * What `catalogSchema.safeParse(raw).data` is, for a raw catalog from parseCanonicalCatalog that
 * passes every rule of the schema; undefined on anything doubtful (then zod judges). Zod costs
 * ~0.5 s at 100,000 entries; test/unit/catalog-load-fast.test.ts proves the two agree.
 */
export function validateCanonical(raw: Record<string, unknown>): Catalog | undefined {
  const { version, checklist, entries } = raw;
  if (Object.keys(raw).length !== 3 || version !== 1 || typeof checklist !== 'string' || !checklist || !Array.isArray(entries)) return undefined;
  const out: CatalogEntry[] = new Array(entries.length);
  for (let index = 0; index < entries.length; index++) {
    const entry = validateEntry(entries[index]);
    if (!entry) return undefined;
    out[index] = entry;
  }
  return { version, checklist, entries: out };
}

function validateEntry(raw: unknown): CatalogEntry | undefined {
  if (!plainObject(raw)) return undefined;
  const e = raw as Record<string, unknown>;
  // Keys present with undefined values (never from YAML) keep zod's own handling.
  for (const key in e) if (!ENTRY_KEYS.has(key) || e[key] === undefined) return undefined;
  const { id, title, kind, source, phase, section, cadence, severity, probe, params, manual, why, attesters, remediation, tags, vanished } = e;
  if (typeof id !== 'string' || !ID.test(id) || typeof title !== 'string' || !title || typeof phase !== 'string' || !phase) return undefined;
  if ((kind !== undefined && !KINDS.has(kind)) || !optionalString(source) || !optionalString(section) || !CADENCE_SET.has(cadence) || !SEVERITY_SET.has(severity)) return undefined;
  if (!optionalString(probe) || !optionalString(remediation) || !optionalString(vanished) || (why !== undefined && (typeof why !== 'string' || !why)) || (manual !== undefined && manual !== true)) return undefined;
  if ((params !== undefined && (!plainObject(params) || Object.hasOwn(params, '__proto__'))) || (attesters !== undefined && !stringArray(attesters)) || (tags !== undefined && !stringArray(tags))) return undefined;
  // The schema's superRefine.
  if ((probe && manual) || (!probe && !manual) || (params && !probe) || (why && !manual)) return undefined;
  // Zod's output: keys in schema order, absent optionals left out, defaults filled in, containers copied.
  const out: Record<string, unknown> = { id, title, kind: kind ?? 'task' };
  if (source !== undefined) out.source = source;
  out.phase = phase;
  out.section = section ?? '';
  out.cadence = cadence;
  out.severity = severity;
  if (probe !== undefined) out.probe = probe;
  if (params !== undefined) out.params = { ...params };
  if (manual !== undefined) out.manual = manual;
  if (why !== undefined) out.why = why;
  if (attesters !== undefined) out.attesters = [...(attesters as string[])];
  if (remediation !== undefined) out.remediation = remediation;
  if (tags !== undefined) out.tags = [...(tags as string[])];
  if (vanished !== undefined) out.vanished = vanished;
  return out as CatalogEntry;
}
