import { severityRank, type Severity } from '../catalog/schema.js';
import { ExitCode } from '../util/errors.js';
import type { EntryResult } from './result.js';
import { STATUSES, type Status } from './types.js';

export type Verdict = 'ready' | 'not-ready' | 'incomplete';

export interface VerdictSummary {
  verdict: Verdict;
  exitCode: number;
  summary: Record<Status, number>;
  blocking: EntryResult[];
  incomplete: EntryResult[];
}

const BLOCKING_STATUSES: ReadonlySet<Status> = new Set(['fail', 'unattested', 'expired']);

export function isBlocking(result: EntryResult, failOn: Severity): boolean {
  return BLOCKING_STATUSES.has(result.status) && severityRank(result.severity) >= severityRank(failOn);
}

/** ready (0) · not-ready (1): a blocking failure or missing attestation · incomplete (3): a probe could not run. */
export function decideVerdict(results: readonly EntryResult[], failOn: Severity, interrupted = false): VerdictSummary {
  const summary = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>;
  for (const result of results) summary[result.status]++;
  const blocking = results.filter((result) => isBlocking(result, failOn));
  const incomplete = results.filter((result) => result.status === 'error');
  if (blocking.length > 0) return { verdict: 'not-ready', exitCode: ExitCode.NotReady, summary, blocking, incomplete };
  if (incomplete.length > 0 || interrupted) return { verdict: 'incomplete', exitCode: ExitCode.Incomplete, summary, blocking, incomplete };
  return { verdict: 'ready', exitCode: ExitCode.Ready, summary, blocking, incomplete };
}
