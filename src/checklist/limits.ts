import { InputError, at } from '../util/errors.js';

/** A checklist nested deeper than this is hostile, not a checklist: markdown parsers go quadratic or overflow the stack on it. */
export const MAX_INDENT_COLUMNS = 200;
export const MAX_QUOTE_DEPTH = 32;
export const MAX_CHECKLIST_BYTES = 16 * 1024 * 1024;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Rejects input no markdown parser should be made to chew on, naming the line. Linear, no regex backtracking. */
export function assertParsable(text: string, file: string): void {
  let fence: string | undefined;
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    const open = FENCE.exec(line);
    if (open?.[1]) {
      if (!fence) fence = open[1];
      else if (open[1][0] === fence[0] && open[1].length >= fence.length) fence = undefined;
      continue;
    }
    if (fence) continue;
    let columns = 0;
    let quotes = 0;
    for (const char of line) {
      if (char === '>') quotes++;
      else if (char !== ' ' && char !== '\t') break;
      else if (quotes === 0) columns += char === '\t' ? 4 - (columns % 4) : 1;
    }
    if (quotes > MAX_QUOTE_DEPTH) throw new InputError(at(file, lineNumber, `${quotes} nested block quotes; more than ${MAX_QUOTE_DEPTH} is not supported`));
    if (columns > MAX_INDENT_COLUMNS) throw new InputError(at(file, lineNumber, `indented ${columns} columns; nesting deeper than ${MAX_INDENT_COLUMNS} columns is not supported`));
  }
}
