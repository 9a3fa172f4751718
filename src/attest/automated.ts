import { createHash } from 'node:crypto';
import type { EntryResult, WaiverSummary } from '../engine/result.js';
import { normalizeFinding } from '../report/causes.js';
import { redactor } from '../util/redact.js';
import { daysLeft, isCurrent } from './dates.js';
import type { AttestationRecord, LedgerState } from './ledger.js';
import { latestById, summarize } from './resolve.js';

/** Folds the ledger into an automated entry's result: a not-applicable attestation, or a waiver. */
export type AutomatedJudge = (result: EntryResult) => EntryResult;

/**
 * What a waiver is bound to: the status and the observed text as reports print it (secrets masked),
 * with whitespace and numbers folded so "expires in 23 days" and "in 22 days" stay the same finding,
 * while "max-age 300" and "no Strict-Transport-Security header" do not.
 */
export function findingFingerprint(status: string, observed: string): string {
  return createHash('sha256').update(`${status}\n${normalizeFinding(redactor.redact(observed))}`).digest('hex').slice(0, 32);
}

export function waiverSummary(record: AttestationRecord, result: Pick<EntryResult, 'status' | 'observed'>, now: Date, warnDays: number): WaiverSummary | undefined {
  if (record.status !== 'waived' || !record.finding || !record.expires) return undefined;
  const base = { by: record.by, at: record.at, expires: record.expires, justification: record.reason ?? '', finding: record.finding };
  if (findingFingerprint(result.status, result.observed) !== record.finding.fingerprint) return { ...base, state: 'finding-changed' };
  if (!isCurrent(record.expires, now)) return { ...base, state: 'expired' };
  return { ...base, state: warnDays > 0 && daysLeft(record.expires, now) < warnDays ? 'expiring' : 'in-force' };
}

export function judgeAutomated(result: EntryResult, record: AttestationRecord | undefined, now: Date, warnDays: number): EntryResult {
  if (!record || result.probe === null) return result;
  if (record.status === 'not-applicable') {
    // It says the deployment has no such thing: it covers a probe that found nothing to look at, never a finding.
    return result.status === 'skipped' && isCurrent(record.expires, now) ? { ...result, attestation: summarize(record) } : result;
  }
  if (result.status === 'pass') return result;
  const waiver = waiverSummary(record, result, now, warnDays);
  if (!waiver) return result;
  return { ...result, waiver, ...(waiver.state === 'in-force' || waiver.state === 'expiring' ? { waived: true } : {}) };
}

export function buildAutomatedJudge(ledger: LedgerState, options: { now: Date; warnDays: number }): AutomatedJudge {
  const latest = latestById(ledger.records);
  return (result) => judgeAutomated(result, latest.get(result.id), options.now, options.warnDays);
}
