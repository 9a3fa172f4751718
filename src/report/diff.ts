import type { EntryResult } from '../engine/result.js';
import type { Status } from '../engine/types.js';
import type { Report } from './model.js';

/** How bad a status is: a move up is a regression, a move down a fix. Losing coverage (skipped) counts as worse than passing. */
const RANK: Readonly<Record<Status, number>> = { pass: 0, attested: 0, warn: 1, skipped: 1, error: 2, fail: 3, unattested: 3, expired: 3 };

export interface Change {
  id: string;
  title: string;
  severity: EntryResult['severity'];
  from: Status | null;
  to: Status | null;
  observed: string;
}

export interface ReportDiff {
  verdict: { from: Report['verdict']; to: Report['verdict'] };
  regressed: Change[];
  fixed: Change[];
  /** Same rank, different status (e.g. fail → expired). */
  changed: Change[];
  added: Change[];
  removed: Change[];
  unchanged: number;
}

/** Compares two JSON reports entry by entry, keyed by the stable entry id. */
export function diffReports(before: Report, after: Report): ReportDiff {
  const old = new Map(before.results.map((r) => [r.id, r]));
  const now = new Map(after.results.map((r) => [r.id, r]));
  const diff: ReportDiff = { verdict: { from: before.verdict, to: after.verdict }, regressed: [], fixed: [], changed: [], added: [], removed: [], unchanged: 0 };
  const change = (r: EntryResult, from: Status | null, to: Status | null): Change => ({ id: r.id, title: r.title, severity: r.severity, from, to, observed: r.observed });
  for (const [id, next] of now) {
    const prev = old.get(id);
    if (!prev) diff.added.push(change(next, null, next.status));
    else if (prev.status === next.status) diff.unchanged++;
    else if (RANK[next.status] > RANK[prev.status]) diff.regressed.push(change(next, prev.status, next.status));
    else if (RANK[next.status] < RANK[prev.status]) diff.fixed.push(change(next, prev.status, next.status));
    else diff.changed.push(change(next, prev.status, next.status));
  }
  for (const [id, prev] of old) if (!now.has(id)) diff.removed.push(change(prev, prev.status, null));
  return diff;
}

/** Exit 1 when anything regressed or a new entry is failing; 0 otherwise. */
export function diffExitCode(diff: ReportDiff): number {
  return diff.regressed.length > 0 || diff.added.some((c) => c.to !== null && RANK[c.to] >= 2) ? 1 : 0;
}

const arrow = (c: Change) => `${c.from ?? 'new'} → ${c.to ?? 'removed'}`;

export function renderDiffText(diff: ReportDiff): string {
  const out = [`verdict: ${diff.verdict.from} → ${diff.verdict.to}`];
  const section = (name: string, list: Change[], detail: boolean) => {
    if (!list.length) return;
    out.push('', `${name} (${list.length}):`);
    for (const c of list) out.push(`  ${arrow(c).padEnd(24)} ${c.severity.padEnd(8)} ${c.id}${detail ? `\n      ${c.observed}` : ''}`);
  };
  section('regressed', diff.regressed, true);
  section('fixed', diff.fixed, false);
  section('changed', diff.changed, false);
  section('new', diff.added, true);
  section('removed', diff.removed, false);
  out.push('', `${diff.regressed.length} regressed, ${diff.fixed.length} fixed, ${diff.changed.length} changed, ${diff.added.length} new, ${diff.removed.length} removed, ${diff.unchanged} unchanged`);
  return `${out.join('\n')}\n`;
}

export function renderDiffMarkdown(diff: ReportDiff): string {
  const esc = (t: string) => t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  const out = [`# Readiness diff: ${diff.verdict.from} → ${diff.verdict.to}`, '', `${diff.regressed.length} regressed · ${diff.fixed.length} fixed · ${diff.changed.length} changed · ${diff.added.length} new · ${diff.removed.length} removed · ${diff.unchanged} unchanged`];
  for (const [name, list] of [['Regressed', diff.regressed], ['Fixed', diff.fixed], ['Changed', diff.changed], ['New', diff.added], ['Removed', diff.removed]] as const) {
    if (!list.length) continue;
    out.push('', `## ${name}`, '', '| Item | Severity | Status | Observed |', '| --- | --- | --- | --- |');
    for (const c of list) out.push(`| ${esc(c.title)} (\`${c.id}\`) | ${c.severity} | ${arrow(c)} | ${esc(c.observed)} |`);
  }
  return `${out.join('\n')}\n`;
}
