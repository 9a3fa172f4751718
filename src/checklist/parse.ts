import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Code, Heading, ListItem, Nodes, Paragraph, PhrasingContent, Root } from 'mdast';
import { InputError, at, errorMessage } from '../util/errors.js';
import { slugify } from '../util/slug.js';
import { fastParse, splitAtHeadings, type FastLine } from './chunks.js';
import type { Cadence, Checklist, ChecklistItem, ItemKind } from './types.js';

const CRITERION = /^\s*\u2705\s*(.+?)\s*$/u; // ✅ criterion
const FENCED_BULLET = /^\s*(?:(?:#|\/\/|--)\s*)?[-*]\s+(.+?)\s*$/;

interface Scope {
  phaseTitle: string;
  sectionTitle: string;
}

/**
 * Parses a markdown checklist into items. Pure: the caller reads the file. The document is split at
 * top-level headings and each chunk is parsed on its own (micromark, or the verified fast path for
 * chunks of plain task lines), which keeps large checklists linear; see chunks.ts.
 */
export function parseChecklist(markdown: string, file: string): Checklist {
  const text = markdown.replace(/^\uFEFF/, '');
  const builder = itemBuilder();
  const lines = text.split('\n');
  const chunks = /\r(?!\n)/.test(text) ? [{ startLine: 1, lines }] : splitAtHeadings(lines);
  for (const chunk of chunks) {
    builder.offset = chunk.startLine - 1;
    const fast = fastParse(chunk.lines);
    if (fast) applyFast(fast, chunk.startLine, builder);
    else parseChunk(chunk.lines.join('\n'), chunk.startLine, file, builder);
  }
  return { file, items: builder.items };
}

/**
 * The parser's own consistency checks can trip on odd input (the development builds that tests load
 * assert more than the shipped ones); that is bad input to report, never a crash.
 */
function parseChunk(text: string, startLine: number, file: string, builder: Builder): void {
  try {
    visitTree(text, builder);
  } catch (error) {
    throw new InputError(at(file, startLine, `the markdown parser could not read the section starting here (${errorMessage(error)})`));
  }
}

/** The reference semantics: one micromark pass over the whole document. Tests compare parseChecklist with it. */
export function parseChecklistWhole(markdown: string, file: string): Checklist {
  const builder = itemBuilder();
  visitTree(markdown.replace(/^\uFEFF/, ''), builder);
  return { file, items: builder.items };
}

interface Builder {
  items: ChecklistItem[];
  scope: Scope;
  /** Added to every line number: the chunk's position in the whole document. */
  offset: number;
  add: Add;
}

function itemBuilder(): Builder {
  const seen = new Map<string, number>();
  // Scope titles repeat for every item under them: slug and cadence once per distinct scope.
  let scopeKey = '';
  let scoped = { phase: 'general', section: '', cadence: 'per-release' as Cadence, prefix: 'general' };
  const builder: Builder = {
    items: [],
    scope: { phaseTitle: '', sectionTitle: '' },
    offset: 0,
    add: (kind, rawTitle, line, checked = false) => {
      const { scope } = builder;
      const title = rawTitle.replace(/\s+/g, ' ').trim();
      const textSlug = slugify(title);
      if (!textSlug) return;
      const key = `${scope.phaseTitle}\n${scope.sectionTitle}`;
      if (key !== scopeKey) {
        scopeKey = key;
        const phase = slugify(scope.phaseTitle) || 'general';
        const section = slugify(scope.sectionTitle);
        scoped = { phase, section, cadence: cadenceOf(scope), prefix: section ? `${phase}.${section}` : phase };
      }
      const base = `${scoped.prefix}.${textSlug}`;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      builder.items.push({
        id: count === 1 ? base : `${base}-${count}`,
        title,
        kind,
        line: line + builder.offset,
        phase: scoped.phase,
        phaseTitle: scope.phaseTitle || 'General',
        section: scoped.section,
        sectionTitle: scope.sectionTitle,
        cadence: scoped.cadence,
        checked,
      });
    },
  };
  return builder;
}

/** Built once: constructing the GFM extensions costs more than parsing a small chunk. */
let markdownOptions: { extensions: ReturnType<typeof gfm>[]; mdastExtensions: ReturnType<typeof gfmFromMarkdown>[] } | undefined;

function visitTree(text: string, builder: Builder): void {
  markdownOptions ??= { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] };
  const tree = fromMarkdown(text, markdownOptions);
  for (const node of (tree as Root).children) visit(node, builder.scope, builder.add);
}

function applyFast(lines: readonly FastLine[], startLine: number, builder: Builder): void {
  lines.forEach((line, index) => {
    if (line.kind === 'heading') enterTitle(line.depth, line.text.trim(), builder.scope);
    else if (line.kind === 'task') builder.add('task', line.text, startLine + index - builder.offset, line.checked);
  });
}

type Add = (kind: ItemKind, title: string, line: number, checked?: boolean) => void;

function visit(node: Nodes, scope: Scope, add: Add): void {
  switch (node.type) {
    case 'heading':
      enterHeading(node, scope);
      return;
    case 'listItem':
      visitListItem(node, scope, add);
      return;
    case 'paragraph':
      visitParagraph(node, add);
      return;
    case 'code':
      visitCode(node, add);
      return;
    default:
      if ('children' in node) for (const child of node.children as Nodes[]) visit(child, scope, add);
  }
}

function enterHeading(node: Heading, scope: Scope): void {
  enterTitle(node.depth, plainText(node).trim(), scope);
}

function enterTitle(depth: number, title: string, scope: Scope): void {
  if (depth === 2) {
    scope.phaseTitle = title;
    scope.sectionTitle = '';
  } else if (depth === 3) {
    scope.sectionTitle = title;
  }
}

function visitListItem(node: ListItem, scope: Scope, add: Add): void {
  const [first, ...rest] = node.children;
  if (typeof node.checked === 'boolean' && first?.type === 'paragraph') {
    add('task', plainText(first), line(node), node.checked);
  } else if (first) {
    visit(first, scope, add);
  }
  for (const child of rest) visit(child, scope, add);
}

function visitParagraph(node: Paragraph, add: Add): void {
  const lines = plainText(node).split('\n');
  const start = line(node);
  lines.forEach((text, offset) => {
    const match = CRITERION.exec(text);
    if (match?.[1]) add('criterion', match[1], start + offset);
  });
}

/** Bulleted lines inside a fence carry requirements (essential variables, alert thresholds); other fences are examples. */
function visitCode(node: Code, add: Add): void {
  const firstContentLine = line(node) + 1;
  node.value.split('\n').forEach((text, offset) => {
    const match = FENCED_BULLET.exec(text.replace(/\r$/, ''));
    if (match?.[1]) add('requirement', match[1], firstContentLine + offset);
  });
}

function cadenceOf(scope: Scope): Cadence {
  for (const title of [scope.sectionTitle, scope.phaseTitle]) {
    if (/\bdaily\b/i.test(title)) return 'daily';
    if (/\bweekly\b/i.test(title)) return 'weekly';
    if (/\bmonthly\b/i.test(title)) return 'monthly';
    if (/\bquarterly\b/i.test(title)) return 'quarterly';
  }
  return 'per-release';
}

function line(node: Nodes): number {
  return node.position?.start.line ?? 0;
}

function plainText(node: Nodes | PhrasingContent): string {
  if ('value' in node && typeof node.value === 'string') return node.type === 'inlineCode' ? node.value : node.value.replace(/\r/g, '');
  if (node.type === 'break') return '\n';
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return '';
}
