import type { Finding, FindingDetail, ProbeStatus } from './types.js';

const ORDER: readonly ProbeStatus[] = ['skipped', 'pass', 'warn', 'error', 'fail'];

/** The most serious of several statuses (fail > error > warn > pass > skipped). */
export function worst(statuses: Iterable<ProbeStatus>): ProbeStatus {
  let result: ProbeStatus = 'skipped';
  for (const status of statuses) if (ORDER.indexOf(status) > ORDER.indexOf(result)) result = status;
  return result;
}

/**
 * Folds per-subject details (one per host, table, bucket, variable) into one finding: the worst
 * status, and an observed text that leads with what is wrong.
 */
export function combine(details: FindingDetail[], expected: string, remediation?: string): Finding {
  if (details.length === 0) return { status: 'skipped', observed: 'nothing to check', expected };
  const status = worst(details.map((detail) => detail.status));
  const relevant = status === 'pass' || status === 'skipped' ? details : details.filter((detail) => detail.status === status);
  const observed = relevant.map((detail) => `${detail.subject}: ${detail.observed}`).join('; ');
  return { status, observed, expected, details, ...(remediation && status !== 'pass' ? { remediation } : {}) };
}

export function skipped(observed: string, expected: string): Finding {
  return { status: 'skipped', observed, expected };
}
