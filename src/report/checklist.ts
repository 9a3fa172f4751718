import { basename } from 'node:path';
import { formatInstant } from '../attest/dates.js';
import type { EntryResult } from '../engine/result.js';
import { InputError } from '../util/errors.js';
import { INSECURE_WARNING, inputsLine, type Reporter } from './model.js';
import { isSatisfied, parseSource } from './outcome.js';

const TASK_BOX = /^(\uFEFF?\s*(?:[-*+]|\d+[.)])\s+\[)([ xX])(\]\s)/;
const CRITERION = /^\uFEFF?\s*✅/u;

/** Markdown-inert note text: no emphasis, links, HTML or line breaks can leak out of it. */
function inert(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1').trim();
}

function shorten(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The short evidence note put beside an item. */
export function evidenceNote(result: EntryResult): string {
  const a = result.attestation;
  let note: string;
  if (isSatisfied(result) && a) {
    const what = a.status === 'waived' ? `waived by ${a.by} until ${a.expires ? formatInstant(a.expires) : '?'}` : a.status === 'not-applicable' ? `not applicable (${a.reason ?? ''}), ${a.by}` : `attested by ${a.by}, ${formatInstant(a.at)}`;
    note = `✔ ${what}${a.evidence ? `; evidence: ${a.evidence}` : ''}`;
  } else if (isSatisfied(result)) {
    note = `✔ verified by ${result.probe ?? 'check'}: ${shorten(result.observed)}`;
  } else {
    note = `✘ ${result.status}: ${shorten(result.observed)}`;
  }
  return `_(bazaarhub-check: ${inert(note)})_`;
}

function sameFile(source: string, checklistFile: string): boolean {
  const a = source.split('\\').join('/');
  const b = checklistFile.split('\\').join('/');
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`) || basename(a) === basename(b);
}

/**
 * Re-renders the checklist markdown the catalog came from: each task box an entry maps to is ticked when its
 * check passed or its attestation is current (and unticked otherwise), with a short note at the end of the line.
 * Success-criteria lines get the note only. Every other byte (line endings, BOM, code fences, unmapped lines) is kept.
 */
export function renderChecklist(text: string, file: string, results: readonly EntryResult[]): string {
  const byLine = new Map<number, EntryResult>();
  for (const result of results) {
    const source = parseSource(result.source);
    if (source && sameFile(source.file, file) && result.kind !== 'requirement' && !byLine.has(source.line)) byLine.set(source.line, result);
  }
  const lines = text.split('\n');
  return lines
    .map((raw, index) => {
      const result = byLine.get(index + 1);
      if (!result) return raw;
      const cr = raw.endsWith('\r') ? '\r' : '';
      const line = cr ? raw.slice(0, -1) : raw;
      const box = TASK_BOX.exec(line);
      if (box) return `${line.replace(TASK_BOX, `$1${isSatisfied(result) ? 'x' : ' '}$3`)} ${evidenceNote(result)}${cr}`;
      if (CRITERION.test(line)) return `${line} ${evidenceNote(result)}${cr}`;
      return raw; // the line moved since the catalog was synced: leave it as written
    })
    .join('\n');
}

export const checklistReporter: Reporter = (report, context) => {
  if (!context.checklist) throw new InputError('--format checklist needs the checklist markdown: pass --checklist <file> (a readable markdown file)');
  const rendered = renderChecklist(context.checklist.text, context.checklist.file, report.results);
  // An HTML comment renders as nothing; "--" cannot appear inside one.
  const named = report.inputs ? `${rendered}${rendered.endsWith('\n') ? '' : '\n'}<!-- bazaarhub-check: ${inputsLine(report.inputs).replace(/--/g, '- -')} -->\n` : rendered;
  return report.options.insecure ? `> **Warning:** ${INSECURE_WARNING}\n\n${named}` : named;
};
