import { readFile } from 'node:fs/promises';
import { InputError, at, errorMessage } from '../util/errors.js';

const MAX_BYTES = 4 * 1024 * 1024;
const KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * Parses a dotenv file the way BazaarHub's own loader (dotenv) reads it: `KEY=value`, optional
 * `export `, `#` comments, single/double/backtick quotes, double-quoted escapes and multi-line
 * quoted values. Anything else is an error naming the file and line.
 */
export interface EnvFile {
  values: Map<string, string>;
  lines: Map<string, number>;
}

export function parseEnvFile(text: string, file: string): EnvFile {
  const values = new Map<string, string>();
  const lines_ = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = (lines[index] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.indexOf('=');
    if (eq <= 0) throw new InputError(at(file, lineNumber, 'expected KEY=VALUE'));
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) throw new InputError(at(file, lineNumber, 'invalid variable name (letters, digits and _ only)'));
    let rest = body.slice(eq + 1).trimStart();
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      let closing = findClosingQuote(rest, quote, 1);
      const startLine = lineNumber;
      // Multi-line values: scan only what each new line adds (rescanning the whole value made an
      // unterminated quote quadratic: minutes for a 2 MB file). The resumed scan starts at the
      // newline, which is never a quote, so it agrees with a scan from the start.
      let scanned = rest;
      while (closing < 0 && index + 1 < lines.length) {
        index++;
        const added = `\n${lines[index] ?? ''}`;
        const found = findClosingQuote(added, quote, 0);
        if (found >= 0) closing = scanned.length + found;
        scanned += added;
      }
      rest = scanned;
      if (closing < 0) throw new InputError(at(file, startLine, `unterminated ${quote} quote in ${key}`));
      const trailing = rest.slice(closing + 1).trim();
      if (trailing && !trailing.startsWith('#')) throw new InputError(at(file, startLine, `unexpected text after the closing quote of ${key}`));
      const inner = rest.slice(1, closing);
      values.set(key, quote === '"' ? unescapeDouble(inner) : inner);
      lines_.set(key, startLine);
      continue;
    }
    const comment = rest.search(/\s#/);
    if (comment >= 0) rest = rest.slice(0, comment);
    values.set(key, rest.trim());
    lines_.set(key, lineNumber);
  }
  return { values, lines: lines_ };
}

function findClosingQuote(text: string, quote: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

function unescapeDouble(value: string): string {
  return value.replace(/\\([nrt"\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' })[c] ?? c);
}

export async function readEnvFile(file: string): Promise<EnvFile> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    throw new InputError(at(file, undefined, `cannot read env file: ${errorMessage(error)}`));
  }
  if (buffer.length > MAX_BYTES) throw new InputError(at(file, undefined, `env file is ${buffer.length} bytes, over the ${MAX_BYTES}-byte limit`));
  if (buffer.includes(0)) throw new InputError(at(file, undefined, 'not an env file (binary content)'));
  return parseEnvFile(buffer.toString('utf8'), file);
}
