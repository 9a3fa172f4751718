/**
 * Splitting a checklist into independently parsable chunks, and a verified fast path for the
 * common chunk shape. Both exist for speed only: the semantics stay micromark's (mdast + GFM), and
 * test/unit/checklist-fast-path.test.ts proves on generated documents that the chunked, fast-pathed
 * parse yields exactly what one micromark pass over the whole document yields.
 */

export interface Chunk {
  /** 1-based line number of the chunk's first line in the whole document. */
  startLine: number;
  lines: string[];
}

/** A top-level ATX heading at column 0: CommonMark lets it interrupt any block but a fence or an HTML block. */
const ATX_START = /^#{1,6}(?:[ \t]|$)/;
/** A top-level HTML block can only start on a line beginning with `<` (an HTML block inside a list item or quote ends at the heading that ends its container). */
const HTML_START = /^ {0,3}</;
const INDENTED_FENCE = /^[ \t]+(?:`{3,}|~{3,})/;
const BACKTICK_FENCE = /^(`{3,})([^`]*)$/;
const TILDE_FENCE = /^(~{3,})([^]*)$/;
const CLOSING_FENCE = /^(`{3,}|~{3,})[ \t]*\r?$/;

/**
 * Splits before each top-level ATX heading that lies outside a fenced code block. Falls back to one
 * chunk when the document has anything that makes the split unsafe to decide line by line: HTML
 * (HTML blocks swallow headings), link or footnote definitions (they resolve across the whole
 * document), or a fence not at column 0 (its extent depends on the container around it).
 */
export function splitAtHeadings(lines: readonly string[]): Chunk[] {
  const whole = [{ startLine: 1, lines: [...lines] }];
  for (const line of lines) {
    if (HTML_START.test(line) || line.includes(']:') || INDENTED_FENCE.test(line)) return whole;
  }
  const chunks: Chunk[] = [];
  let current: Chunk = { startLine: 1, lines: [] };
  let fence: string | undefined;
  lines.forEach((line, index) => {
    if (fence) {
      const close = CLOSING_FENCE.exec(line);
      if (close?.[1] && close[1][0] === fence[0] && close[1].length >= fence.length) fence = undefined;
    } else {
      const open = BACKTICK_FENCE.exec(line) ?? TILDE_FENCE.exec(line);
      if (open?.[1]) fence = open[1];
      else if (ATX_START.test(line) && current.lines.length > 0) {
        chunks.push(current);
        current = { startLine: index + 1, lines: [] };
      }
    }
    current.lines.push(line);
  });
  chunks.push(current);
  return chunks;
}

export type FastLine = { kind: 'blank' } | { kind: 'heading'; depth: number; text: string } | { kind: 'task'; text: string; checked: boolean };

const HEADING = /^(#{1,6}) (\S.*)$/;
const TASK = /^[-*+] \[([ xX])\] (\S.*)$/;
const BLANK = /^[ ]*$/;
const ALNUM = /[A-Za-z0-9]/;
/** Characters that may start inline markup (emphasis, links, HTML, entities, escapes, strikethrough, tables) or be line structure. */
const UNSAFE = /[\\*[\]<&~|\t\r\u0000-\u001f\u007f]/;

/**
 * The plain text of a line of inline content made only of literal characters and simple code
 * spans, or undefined when the line could hold any other inline construct. Intraword `_` between
 * ASCII letters or digits can neither open nor close emphasis, so it stays literal.
 */
export function plainInline(text: string): string | undefined {
  if (UNSAFE.test(text)) return undefined;
  if (/\s$/.test(text)) return undefined;
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '`') {
      const end = text.indexOf('`', index + 1);
      if (end < 0 || text[end + 1] === '`') return undefined;
      const content = text.slice(index + 1, end);
      if (!content || /^\s|\s$/.test(content)) return undefined;
      out += content;
      index = end + 1;
      continue;
    }
    if (char === '_' && !(ALNUM.test(text[index - 1] ?? '') && ALNUM.test(text[index + 1] ?? ''))) return undefined;
    out += char;
    index++;
  }
  return out;
}

/** The chunk as fast lines, or undefined when any line is outside the fast grammar (then micromark parses it). */
export function fastParse(lines: readonly string[]): FastLine[] | undefined {
  const out: FastLine[] = [];
  for (const line of lines) {
    if (BLANK.test(line)) {
      out.push({ kind: 'blank' });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading?.[1] && heading[2] !== undefined) {
      if (heading[2].endsWith('#')) return undefined;
      const text = plainInline(heading[2]);
      if (text === undefined) return undefined;
      out.push({ kind: 'heading', depth: heading[1].length, text });
      continue;
    }
    const task = TASK.exec(line);
    if (task?.[1] && task[2] !== undefined) {
      const text = plainInline(task[2]);
      if (text === undefined) return undefined;
      out.push({ kind: 'task', text, checked: task[1] !== ' ' });
      continue;
    }
    return undefined;
  }
  return out;
}
