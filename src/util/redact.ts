/**
 * Keeps secrets out of every byte the tool writes, without touching anything else. Secret values
 * are registered when the target is loaded; the tool's own text (entry ids, probe ids, titles,
 * remediation, checklist lines, variable names) is registered as protected.
 *
 * A secret is masked where it stands as a value:
 * - a value that could also be a word or part of an identifier (shorter than 16 characters, or made
 *   of letters and separators only: `password`, `dev-secret-change-in-production`) is masked only as
 *   a whole token, not glued to letters, digits, `_` or `-`: `redis://:password@host`,
 *   `key=password`, `"password"` are masked, `default-passwords` is not, nor is a letters-only
 *   secret used as a word between spaces ("password authentication failed");
 * - a long random value is masked wherever it occurs (it cannot collide with text by chance);
 * - never inside an occurrence of protected text (an id like `env.password.x` keeps its `password`).
 * Each secret is also matched in the escaped forms the reporters write (JSON, URL, HTML/XML, markdown
 * and checklist escapes), and the stream redactor holds back a write's tail that could be the start
 * of a secret, so a secret split across two writes is masked too.
 */
const MASK = '***';
const TOKEN_CHAR = /[A-Za-z0-9_-]/;
/** Protected text is kept as context this far back in a stream (longer texts lose protection at a write boundary, never a mask). */
const MAX_CONTEXT = 4096;

interface Secret {
  value: string;
  wholeToken: boolean;
  /** Letters only, so it can be a word of a sentence. */
  word: boolean;
  /** Protected texts containing the value, with each offset at which they contain it. */
  guards: Array<{ text: string; offsets: number[] }>;
}

interface Mask {
  start: number;
  end: number;
}

const ESCAPES: Array<(value: string) => string> = [
  // A lone surrogate cannot be percent-encoded (URIError); such a value has no URL form to mask.
  (value) => {
    try {
      return encodeURIComponent(value);
    } catch {
      return value;
    }
  },
  (value) => JSON.stringify(value).slice(1, -1),
  (value) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string),
  (value) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string),
  (value) => value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|'),
  (value) => value.replace(/([\\`*_[\]<>|#])/g, '\\$1'),
];

/** Every character one of ESCAPES.slice(1) (JSON, HTML, table, markdown) rewrites; surrogates for JSON's lone-surrogate escapes. */
const ESCAPED_CHARACTER = /[\u0000-\u001f"\\&<>'|`*_[\]#\uD800-\uDFFF]/;

/** Values that could be a word or part of an identifier, and so need token boundaries to count as the secret. */
export function collisionProne(value: string): boolean {
  return value.length < 16 || /^[A-Za-z_.\- ]+$/.test(value);
}

export class Redactor {
  private readonly values = new Set<string>();
  private readonly protectedTexts = new Set<string>();
  private compiled: { secrets: Secret[]; maxLength: number; context: number } | undefined;

  add(value: string | undefined): void {
    if (!value) return;
    const trimmed = value.trim();
    // Short values and flags ("1", "true", "3600") would mangle unrelated text and are not secrets.
    if (trimmed.length < 4 || /^(true|false|yes|no|on|off|none|null|\d+)$/i.test(trimmed)) return;
    for (const variant of [trimmed, ...ESCAPES.map((escape) => escape(trimmed))]) this.values.add(variant);
    this.compiled = undefined;
  }

  /** Text the tool itself writes (ids, titles, remediation): never altered, whatever secrets it contains. */
  protect(...texts: Array<string | undefined>): void {
    for (const text of texts) {
      if (!text) continue;
      this.protectedTexts.add(text);
      // Most of the tool's text has nothing the escapes change: skip computing five copies of it.
      if (ESCAPED_CHARACTER.test(text)) for (const escape of ESCAPES.slice(1)) this.protectedTexts.add(escape(text));
    }
    this.compiled = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (this.values.size === 0) return text;
    return this.scan(text, 0, true).out;
  }

  /** A redactor for one stream: `write` returns what may be written now, `end` the rest. */
  stream(): { write(chunk: string): string; end(): string } {
    let history = '';
    let pending = '';
    const step = (final: boolean): string => {
      if (this.values.size === 0) {
        const out = pending;
        pending = '';
        return out;
      }
      const text = history + pending;
      const { out, upTo } = this.scan(text, history.length, final);
      history = text.slice(0, upTo).slice(-this.compile().context);
      pending = text.slice(upTo);
      return out;
    };
    return {
      write: (chunk) => {
        pending += chunk;
        return step(false);
      },
      end: () => step(true),
    };
  }

  private compile(): { secrets: Secret[]; maxLength: number; context: number } {
    if (this.compiled) return this.compiled;
    const protectedTexts = [...this.protectedTexts];
    // One haystack of every protected text, so finding the texts that contain a secret is one indexOf scan per secret.
    const starts: number[] = [];
    let length = 0;
    for (const text of protectedTexts) {
      starts.push(length);
      length += text.length + 1;
    }
    const haystack = protectedTexts.join('\u0000');
    const containing = (value: string): string[] => {
      const found = new Set<number>();
      for (let at = haystack.indexOf(value); at !== -1; at = haystack.indexOf(value, at + 1)) found.add(lastAtOrBefore(starts, at));
      return [...found].map((index) => protectedTexts[index] as string);
    };
    // Longest first, so a secret containing another secret is masked whole.
    const secrets = [...this.values]
      .sort((a, b) => b.length - a.length)
      .map((value): Secret => ({
        value,
        wholeToken: collisionProne(value),
        word: /^[A-Za-z]+$/.test(value),
        guards: containing(value).map((text) => ({ text, offsets: offsetsOf(text, value) })),
      }));
    const context = Math.min(MAX_CONTEXT, Math.max(0, ...secrets.flatMap((secret) => secret.guards.map((guard) => guard.text.length))) + 1);
    this.compiled = { secrets, maxLength: secrets[0]?.value.length ?? 0, context };
    return this.compiled;
  }

  /**
   * Masks the secrets in text[from..]; text[..from] is context already written. Unless final, stops
   * (`upTo`) before anything that later text could still change: a tail that could start a secret,
   * or an occurrence whose token boundary or protected context lies beyond the end.
   */
  private scan(text: string, from: number, final: boolean): { out: string; upTo: number } {
    const { secrets } = this.compile();
    let hold = final ? text.length : Math.max(from, holdForPrefixes(text, from, secrets));
    let masks: Mask[] = [];
    for (;;) {
      const chosen: Mask[] = [];
      let newHold = hold;
      for (const secret of secrets) {
        for (let start = text.indexOf(secret.value, from); start !== -1; start = text.indexOf(secret.value, start + 1)) {
          const end = start + secret.value.length;
          if (start >= newHold) break;
          if (chosen.some((mask) => start < mask.end && end > mask.start)) continue;
          const decision = decide(text, start, end, secret, final);
          if (decision === 'later' || end > newHold) {
            newHold = Math.min(newHold, start);
            break;
          }
          if (decision === 'mask') chosen.push({ start, end });
        }
      }
      masks = chosen.filter((mask) => mask.end <= newHold);
      if (newHold === hold) break;
      hold = newHold;
    }
    masks.sort((a, b) => a.start - b.start);
    let out = '';
    let at = from;
    for (const mask of masks) {
      out += text.slice(at, mask.start) + MASK;
      at = mask.end;
    }
    return { out: out + text.slice(at, hold), upTo: hold };
  }
}

/** The index of the last start at or before `at` (starts ascending). */
function lastAtOrBefore(starts: number[], at: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] as number) <= at) low = middle;
    else high = middle - 1;
  }
  return low;
}

function offsetsOf(text: string, value: string): number[] {
  const offsets: number[] = [];
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) offsets.push(at);
  return offsets;
}

/** The earliest position from which the text's tail could still grow into a secret. */
function holdForPrefixes(text: string, from: number, secrets: Secret[]): number {
  let hold = text.length;
  for (const { value } of secrets) {
    const first = value[0] as string;
    for (let at = Math.max(from, text.length - value.length + 1); at < text.length; at++) {
      if (text[at] === first && value.startsWith(text.slice(at))) {
        hold = Math.min(hold, at);
        break;
      }
    }
  }
  return hold;
}

function decide(text: string, start: number, end: number, secret: Secret, final: boolean): 'mask' | 'keep' | 'later' {
  for (const guard of secret.guards) {
    for (const offset of guard.offsets) {
      const begins = start - offset;
      if (begins < 0) continue;
      if (text.startsWith(guard.text, begins)) return 'keep';
      if (!final && begins + guard.text.length > text.length && guard.text.startsWith(text.slice(begins))) return 'later';
    }
  }
  if (!secret.wholeToken) return 'mask';
  const before = start > 0 ? (text[start - 1] as string) : '';
  if (TOKEN_CHAR.test(before)) return 'keep';
  if (end === text.length) return final ? 'mask' : 'later';
  const after = text[end] as string;
  if (TOKEN_CHAR.test(after)) return 'keep';
  // A letters-only secret used as a word of a sentence ("password authentication failed") is not
  // standing as a value; next to `=`, `:`, `@`, a quote or a line edge it is.
  if (secret.word && /[ \t(]/.test(before) && /[ \t.,;)]/.test(after)) return 'keep';
  return 'mask';
}

/** The process-wide redactor: the CLI's writers and error printer pass everything through it. */
export const redactor = new Redactor();

/** Marks a fixed text of the tool's own (an example DSN in a remediation) as never to be altered. */
export function toolText(text: string): string {
  redactor.protect(text);
  return text;
}

let flushers: Array<() => void> = [];
let wrapped = false;

/**
 * Passes every write to stdout and stderr through the redactor, holding back a write's tail that
 * could be the start of a secret until the next write (or `flushRedactedStreams`) decides it.
 */
export function redactStandardStreams(secrets: Redactor = redactor): void {
  if (wrapped) return;
  wrapped = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const redacting = secrets.stream();
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk)) return write(chunk, ...rest);
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined;
      const text = typeof chunk === 'string' ? (encoding && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding).toString('utf8') : chunk) : chunk.toString('utf8');
      const callback = rest.find((item) => typeof item === 'function');
      return write(redacting.write(text), 'utf8', ...(callback ? [callback] : []));
    }) as typeof stream.write;
    flushers.push(() => {
      const rest = redacting.end();
      if (rest) write(rest);
    });
  }
  process.once('exit', flushRedactedStreams);
}

/** Writes what the stream redactors still hold (the end of output: nothing more can complete a secret). */
export function flushRedactedStreams(): void {
  const pending = flushers;
  flushers = [];
  for (const flush of pending) flush();
}
