import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Code, Heading, ListItem, Nodes, Paragraph, PhrasingContent, Root } from 'mdast';
import { slugify } from '../util/slug.js';
import type { Cadence, Checklist, ChecklistItem, ItemKind } from './types.js';

const CRITERION = /^\s*✅\s*(.+?)\s*$/u;
const FENCED_BULLET = /^\s*(?:(?:#|\/\/|--)\s*)?[-*]\s+(.+?)\s*$/;

interface Scope {
  phaseTitle: string;
  sectionTitle: string;
}

/** Parses a markdown checklist into items. Pure: the caller reads the file. */
export function parseChecklist(markdown: string, file: string): Checklist {
  const text = markdown.replace(/^\uFEFF/, '');
  const tree = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const items: ChecklistItem[] = [];
  const seen = new Map<string, number>();
  const scope: Scope = { phaseTitle: '', sectionTitle: '' };

  const add = (kind: ItemKind, rawTitle: string, line: number, checked = false): void => {
    const title = rawTitle.replace(/\s+/g, ' ').trim();
    const textSlug = slugify(title);
    if (!textSlug) return;
    const phase = slugify(scope.phaseTitle) || 'general';
    const section = slugify(scope.sectionTitle);
    const base = [phase, section, textSlug].filter(Boolean).join('.');
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    items.push({
      id: count === 1 ? base : `${base}-${count}`,
      title,
      kind,
      line,
      phase,
      phaseTitle: scope.phaseTitle || 'General',
      section,
      sectionTitle: scope.sectionTitle,
      cadence: cadenceOf(scope),
      checked,
    });
  };

  for (const node of (tree as Root).children) visit(node, scope, add);
  return { file, items };
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
  const title = plainText(node).trim();
  if (node.depth === 2) {
    scope.phaseTitle = title;
    scope.sectionTitle = '';
  } else if (node.depth === 3) {
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
