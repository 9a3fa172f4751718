import { InputError, at } from '../util/errors.js';

/** A checklist nested deeper than this is hostile, not a checklist: markdown parsers go quadratic or overflow the stack on it. */
export const MAX_INDENT_COLUMNS = 200;
export const MAX_QUOTE_DEPTH = 32;
export const MAX_CHECKLIST_BYTES = 16 * 1024 * 1024;
/** One paragraph (a run of lines that continue each other) this long makes micromark's inline parsing quadratic: minutes for a few MB. */
export const MAX_PARAGRAPH_BYTES = 64 * 1024;

/** Lines that start a block of their own (heading, list item, quote), so they end the paragraph before them. */
const BLOCK_START = /^\s{0,3}(?:#{1,6}(?:\s|$)|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>)/;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Rejects input no markdown parser should be made to chew on, naming the line. Linear, no regex backtracking. */
export function assertParsable(text: string, file: string): void {
  let fence: string | undefined;
  let lineNumber = 0;
  let paragraphBytes = 0;
  let paragraphStart = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    const open = FENCE.exec(line);
    if (open?.[1]) {
      if (!fence) fence = open[1];
      else if (open[1][0] === fence[0] && open[1].length >= fence.length) fence = undefined;
      continue;
    }
    if (fence) continue;
    if (line.trim() === '') {
      paragraphBytes = 0;
    } else {
      if (paragraphBytes === 0 || BLOCK_START.test(line)) {
        paragraphBytes = 0;
        paragraphStart = lineNumber;
      }
      paragraphBytes += line.length + 1;
      if (paragraphBytes > MAX_PARAGRAPH_BYTES) throw new InputError(at(file, paragraphStart, `a paragraph of more than ${MAX_PARAGRAPH_BYTES / 1024} KiB without a blank line; split it (a checklist item is one line)`));
    }
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
