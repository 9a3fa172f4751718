import { severityRank, type Severity } from '../catalog/schema.js';
import { ExitCode } from '../util/errors.js';
import type { EntryResult } from './result.js';
import { STATUSES, type Status } from './types.js';

export type Verdict = 'ready' | 'not-ready' | 'incomplete';

/** Why an entry keeps the run from READY: the first two make it not-ready (1), the others incomplete (3). */
export type GateReason = 'failure' | 'attestation' | 'skipped' | 'error';

/** The counts every format prints, in this order. */
export interface GateCounts {
  /** Entries that keep the run from READY (the sum of the four below). */
  blocking: number;
  /** Automated checks that failed at or above --fail-on, not waived. */
  failures: number;
  /** Manual items at or above --fail-on without a current attestation (unattested or expired). */
  attestations: number;
  /** Automated checks at or above --fail-on that could not look (not configured), with no not-applicable attestation or waiver. */
  skippedBlocking: number;
  /** Probes that could not run (unreachable, timed out, crashed), not waived. */
  errors: number;
  /** Entries a current waiver covers (automated waivers and waived manual items). */
  waivers: number;
  /** Results that needed a retry. */
  flaky: number;
  /** Entries that were actually looked at (a probe's pass/warn/fail, or a current attestation). */
  verified: number;
}

export interface VerdictSummary {
  verdict: Verdict;
  exitCode: number;
  summary: Record<Status, number>;
  counts: GateCounts;
  blocking: EntryResult[];
  incomplete: EntryResult[];
}

const reaches = (result: EntryResult, failOn: Severity) => severityRank(result.severity) >= severityRank(failOn);

/** A skipped probe does not count against the gate when someone attested that it does not apply. */
export function notApplicable(result: EntryResult): boolean {
  return result.probe !== null && result.attestation?.status === 'not-applicable';
}

/** True for a waived manual item whose waiver is current, or an automated finding a current waiver covers. */
export function isWaived(result: EntryResult): boolean {
  if (result.waived) return true;
  return result.probe === null && result.attestation?.status === 'waived' && (result.status === 'attested' || result.status === 'warn');
}

/** Why this entry keeps the run from READY, or null when it does not. */
export function gateReason(result: EntryResult, failOn: Severity): GateReason | null {
  if (result.waived) return null;
  switch (result.status) {
    case 'fail':
      return reaches(result, failOn) ? 'failure' : null;
    case 'unattested':
    case 'expired':
      return reaches(result, failOn) ? 'attestation' : null;
    case 'skipped':
      return reaches(result, failOn) && !notApplicable(result) ? 'skipped' : null;
    case 'error':
      return 'error';
    default:
      return null;
  }
}

export function isBlocking(result: EntryResult, failOn: Severity): boolean {
  return gateReason(result, failOn) !== null;
}

function isVerified(result: EntryResult): boolean {
  if (result.probe !== null) return result.status === 'pass' || result.status === 'warn' || result.status === 'fail';
  return result.status === 'attested' || result.status === 'warn';
}

export function gateCounts(results: readonly EntryResult[], failOn: Severity): GateCounts {
  const counts: GateCounts = { blocking: 0, failures: 0, attestations: 0, skippedBlocking: 0, errors: 0, waivers: 0, flaky: 0, verified: 0 };
  for (const result of results) {
    const reason = gateReason(result, failOn);
    if (reason) counts.blocking++;
    if (reason === 'failure') counts.failures++;
    if (reason === 'attestation') counts.attestations++;
    if (reason === 'skipped') counts.skippedBlocking++;
    if (reason === 'error') counts.errors++;
    if (isWaived(result)) counts.waivers++;
    if (result.flaky) counts.flaky++;
    if (isVerified(result)) counts.verified++;
  }
  return counts;
}

/**
 * ready (0) · not-ready (1): a blocking failure or missing attestation · incomplete (3): a probe could not
 * run, a blocking entry was skipped, the run was interrupted, or nothing at all was verified.
 */
export function decideVerdict(results: readonly EntryResult[], failOn: Severity, interrupted = false): VerdictSummary {
  const summary = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>;
  for (const result of results) summary[result.status]++;
  const counts = gateCounts(results, failOn);
  const blocking = results.filter((result) => {
    const reason = gateReason(result, failOn);
    return reason === 'failure' || reason === 'attestation';
  });
  const incomplete = results.filter((result) => {
    const reason = gateReason(result, failOn);
    return reason === 'skipped' || reason === 'error';
  });
  const base = { summary, counts, blocking, incomplete };
  if (blocking.length > 0) return { verdict: 'not-ready', exitCode: ExitCode.NotReady, ...base };
  if (incomplete.length > 0 || interrupted || counts.verified === 0) return { verdict: 'incomplete', exitCode: ExitCode.Incomplete, ...base };
  return { verdict: 'ready', exitCode: ExitCode.Ready, ...base };
}
