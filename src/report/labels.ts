import type { Status } from '../engine/types.js';
import type { Verdict } from '../engine/verdict.js';

export const STATUS_ICON: Record<Status, string> = {
  pass: '✓',
  warn: '!',
  fail: '✗',
  error: '⚠',
  skipped: '-',
  attested: '✓',
  unattested: '?',
  expired: '⌛',
};

export const VERDICT_TEXT: Record<Verdict, string> = {
  ready: 'READY',
  'not-ready': 'NOT READY',
  incomplete: 'INCOMPLETE',
};

/** Readable phase headings in checklist order of first appearance. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const list = groups.get(name);
    if (list) list.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

export function summaryLine(summary: Record<Status, number>): string {
  return (Object.entries(summary) as Array<[Status, number]>)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(' · ');
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
