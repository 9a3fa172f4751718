import type { EntryResult } from '../engine/result.js';
import type { Status } from '../engine/types.js';

/** How each status reads in CI formats: ok, problem (a failed check or a missing/expired attestation), error, skipped. */
export type OutcomeGroup = 'ok' | 'warn' | 'problem' | 'error' | 'skipped';

export const STATUS_GROUP: Readonly<Record<Status, OutcomeGroup>> = {
  pass: 'ok',
  attested: 'ok',
  warn: 'warn',
  fail: 'problem',
  unattested: 'problem',
  expired: 'problem',
  error: 'error',
  skipped: 'skipped',
};

/** A box may be ticked: the probe passed, or the attestation is current (an attestation about to expire still is). */
export function isSatisfied(result: EntryResult): boolean {
  if (result.status === 'pass' || result.status === 'attested') return true;
  return result.status === 'warn' && result.probe === null && result.attestation !== undefined;
}

/** `file` and `line` from an EntryResult's `source` (`checklists/deployment.md:15`). */
export function parseSource(source: string | null): { file: string; line: number } | null {
  const match = source ? /^(.*):(\d+)$/.exec(source) : null;
  return match ? { file: match[1] as string, line: Number(match[2]) } : null;
}

/** Results grouped by phase, in first-seen order. */
export function byPhase(results: readonly EntryResult[]): Map<string, EntryResult[]> {
  const phases = new Map<string, EntryResult[]>();
  for (const result of results) {
    const list = phases.get(result.phase) ?? [];
    list.push(result);
    phases.set(result.phase, list);
  }
  return phases;
}
