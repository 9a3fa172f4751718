import { basename } from 'node:path';
import { formatInstant } from '../attest/dates.js';
import type { EntryResult } from '../engine/result.js';
import { InputError } from '../util/errors.js';
import { STATUS_ICON } from './labels.js';
import { INSECURE_WARNING, inputsLine, type Report, type Reporter } from './model.js';
import { STATUS_GROUP, isSatisfied, parseSource } from './outcome.js';
import { costLine, countsLine, resultMarks, targetCostText, verdictLine, verdictReason, waiverStateText, waiversInForce } from './story.js';

const TASK_BOX = /^(\uFEFF?\s*(?:[-*+]|\d+[.)])\s+\[)([ xX])(\]\s)/;
const CRITERION = /^\uFEFF?\s*\u2705/u; // ✅

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
    // Only a failure (or a missing attestation) gets the ✘; a warning, a skipped check or one that could not run says what it is.
    const icon = STATUS_GROUP[result.status] === 'problem' ? '✘' : STATUS_ICON[result.status];
    note = `${icon} ${result.status}${result.blocking && result.status === 'skipped' ? ' (blocking)' : ''}: ${shorten(result.observed)}`;
  }
  const marks = [...resultMarks(result), ...(result.waiver && !result.waived ? [waiverStateText(result)] : [])];
  if (result.waived && result.waiver) marks.unshift(`waived by ${result.waiver.by} until ${formatInstant(result.waiver.expires)}`);
  if (marks.length) note += ` [${marks.filter((m) => m !== 'waived').join('; ')}]`;
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

/** The gate at the end of the document (so every checklist line keeps its line number): verdict, counts, waivers. */
export function checklistFooter(report: Report): string {
  const waivers = waiversInForce(report.results);
  const lines = ['', '---', '', `**bazaarhub-check verdict:** ${verdictLine(report)}. ${inert(verdictReason(report))}`, '', `**Blocking (${report.counts.blocking}):** ${countsLine(report.counts)}`, '', `**Waivers (${waivers.length}):**${waivers.length ? '' : ' none in force.'}`];
  if (waivers.length) lines.push('', ...waivers.map((w) => `- \`${w.id}\`: ${w.status}${w.finding ? ` (${inert(w.finding)})` : ''}, waived by ${inert(w.by)} until ${w.until}: ${inert(w.justification)}`));
  if (report.cost) lines.push('', `**${inert(costLine(report.cost))}**`, ...(report.cost.targets.length ? ['', ...report.cost.targets.map((row) => `- ${inert(targetCostText(row))}`)] : []));
  return `${lines.join('\n')}\n`;
}

export const checklistReporter: Reporter = (report, context) => {
  if (!context.checklist) throw new InputError('--format checklist needs the checklist markdown: pass --checklist <file> (a readable markdown file)');
  const rendered = renderChecklist(context.checklist.text, context.checklist.file, report.results);
  // An HTML comment renders as nothing; "--" cannot appear inside one.
  const named = report.inputs ? `<!-- bazaarhub-check: ${inputsLine(report.inputs).replace(/--/g, '- -')} -->\n` : '';
  const body = `${rendered}${rendered.endsWith('\n') ? '' : '\n'}${checklistFooter(report)}${named}`;
  return report.options.insecure ? `> **Warning:** ${INSECURE_WARNING}\n\n${body}` : body;
};
