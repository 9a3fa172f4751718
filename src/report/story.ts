import { formatInstant } from '../attest/dates.js';
import type { EntryResult } from '../engine/result.js';
import type { GateCounts } from '../engine/verdict.js';
import { isWaived } from '../engine/verdict.js';
import { VERDICT_TEXT } from './labels.js';
import type { Report } from './model.js';
import type { RunCost } from '../engine/runner.js';
import type { TargetCost } from '../facts/wire.js';

/**
 * What every format says about the gate, built once from the report model so the terminal, markdown,
 * HTML, JUnit, SARIF, checklist and JSON reports tell the same story with the same numbers.
 */

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The gate's counts in one line, identical in every format. */
export function countsLine(counts: GateCounts): string {
  return [
    plural(counts.failures, 'automated failure'),
    plural(counts.attestations, 'missing or expired attestation'),
    `${counts.skippedBlocking} skipped but blocking`,
    plural(counts.errors, 'error'),
    plural(counts.waivers, 'waiver'),
  ].join(' · ');
}

/** `NOT READY (exit 1)`. */
export function verdictLine(report: Pick<Report, 'verdict' | 'exitCode'>): string {
  return `${VERDICT_TEXT[report.verdict]} (exit ${report.exitCode})`;
}

/** Why the verdict is what it is, in one sentence. */
export function verdictReason(report: Report): string {
  const c = report.counts;
  if (report.verdict === 'not-ready') return `${plural(c.failures + c.attestations, 'blocking item')} at or above ${report.options.failOn}: fix or attest them, or waive an accepted risk.`;
  if (report.verdict === 'incomplete') {
    if (report.interrupted) return 'The run was interrupted: this is a partial report.';
    if (c.verified === 0) return 'Nothing was verified: no check could look at the deployment (is the env file loaded?).';
    return `${plural(c.skippedBlocking + c.errors, 'check')} at or above ${report.options.failOn} could not look at the deployment: configure or fix them, or record why they do not apply.`;
  }
  return `Nothing blocks at or above ${report.options.failOn}${c.waivers ? `, with ${plural(c.waivers, 'waiver')} in force` : ''}.`;
}

export interface WaiverLine {
  id: string;
  title: string;
  /** The status the entry has (fail stays fail). */
  status: string;
  by: string;
  until: string;
  justification: string;
  /** What was waived (automated waivers). */
  finding: string | null;
  expiring: boolean;
}

/** Every waiver in force: automated findings a current waiver covers, and waived manual items. */
export function waiversInForce(results: readonly EntryResult[]): WaiverLine[] {
  return results.filter(isWaived).map((r) => {
    if (r.waiver) return { id: r.id, title: r.title, status: r.status, by: r.waiver.by, until: formatInstant(r.waiver.expires), justification: r.waiver.justification, finding: `${r.waiver.finding.status}: ${r.waiver.finding.observed}`, expiring: r.waiver.state === 'expiring' };
    const a = r.attestation;
    return { id: r.id, title: r.title, status: r.status, by: a?.by ?? '?', until: a?.expires ? formatInstant(a.expires) : 'next release', justification: a?.reason ?? '', finding: null, expiring: r.status === 'warn' };
  });
}

/** Waivers that no longer cover their entry: expired, or the finding changed. */
export function lapsedWaivers(results: readonly EntryResult[]): EntryResult[] {
  return results.filter((r) => r.waiver && (r.waiver.state === 'expired' || r.waiver.state === 'finding-changed'));
}

export function waiverStateText(result: EntryResult): string {
  const w = result.waiver;
  if (!w) return '';
  if (w.state === 'expired') return `waiver by ${w.by} expired ${formatInstant(w.expires)}`;
  if (w.state === 'finding-changed') return `waiver by ${w.by} covers a different finding (${w.finding.status}: ${w.finding.observed})`;
  return `waived by ${w.by} until ${formatInstant(w.expires)}: ${w.justification}`;
}

/** Current attestations and waivers that end within --warn-days. */
export function expiringSoon(results: readonly EntryResult[]): Array<{ id: string; title: string; what: string; until: string }> {
  const out: Array<{ id: string; title: string; what: string; until: string }> = [];
  for (const r of results) {
    if (r.probe === null && r.status === 'warn' && r.attestation) out.push({ id: r.id, title: r.title, what: r.attestation.status === 'waived' ? 'waiver' : 'attestation', until: r.attestation.expires ? formatInstant(r.attestation.expires) : 'next release' });
    else if (r.waiver?.state === 'expiring') out.push({ id: r.id, title: r.title, what: 'waiver', until: formatInstant(r.waiver.expires) });
  }
  return out;
}

/** Skipped entries that keep the run from READY. */
export function skippedBlocking(results: readonly EntryResult[]): EntryResult[] {
  return results.filter((r) => r.status === 'skipped' && r.blocking);
}

/** For a skipped entry: exactly what to set so it can look, and how to say it does not apply (`many`: for a cause of several entries). */
export function whatToSet(result: EntryResult, many = false): string {
  if (budgetRefused(result)) return `${result.remediation || 'raise --max-requests (or leave it off)'}; or, when it does not apply: bazaarhub-check attest ${many ? 'ID' : result.id} --status not-applicable --reason TEXT`;
  const param = /\bparam (\w+)/.exec(result.observed)?.[1];
  const observed = result.observed.replace(/^skipped: /, '');
  const where = many ? 'each entry' : `entry ${result.id}`;
  // A variable of the deployment (UPPER_CASE) is set in the env file; anything else named a param lives in the catalog.
  const variable = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/.test(observed);
  const set = param && !variable
    ? `set \`params: { ${param}: ... }\` on ${where} in the catalog`
    : !variable && /\bparams?\b/.test(observed)
      ? `${observed} (the params of ${where} in the catalog)`
      : /\bset\b/.test(observed)
        ? `${observed} (in the --env-file, or with --set)`
        : `set ${observed.replace(/ (is|are) not set$/, '')} in the --env-file (or with --set)`;
  return `${set}; or, when it does not apply: bazaarhub-check attest ${many ? 'ID' : result.id} --status not-applicable --reason TEXT`;
}

/** Marks for a result in any format: waived, flaky, retried. */
export function resultMarks(result: EntryResult): string[] {
  const marks: string[] = [];
  if (result.waived) marks.push('waived');
  if (result.flaky) marks.push(`flaky: needed ${result.attempts ?? 2} attempts`);
  else if ((result.attempts ?? 1) > 1) marks.push(`failed ${result.attempts} attempts`);
  if (result.status === 'skipped' && result.attestation?.status === 'not-applicable') marks.push(`not applicable: ${result.attestation.reason ?? ''}`);
  return marks;
}

/** The run's cost to the deployment in one line, identical in every format. */
export function costLine(cost: RunCost): string {
  const t = cost.totals;
  const line = `Cost to the deployment: ${plural(t.requests, 'request')}, ${plural(t.connections, 'connection')}, ${plural(t.handshakes, 'TLS handshake')} to ${plural(cost.targets.length, 'target')}`;
  if (!cost.budget) return line;
  const b = cost.budget;
  return `${line} · --max-requests ${b.maxRequests}: ${b.granted} deliberate granted, ${plural(b.skipped.length, 'entry', 'entries')} skipped`;
}

/** One target's share of the cost, the same text in every format that lists targets. */
export function targetCostText(row: TargetCost): string {
  return `${row.target}${row.names?.length ? ` ${row.names.join(', ')}` : ''} (${row.protocols.join(', ')}): ${plural(row.requests, 'request')}, ${plural(row.connections, 'connection')}, ${plural(row.handshakes, 'handshake')}`;
}

/** For a skipped entry: whether --max-requests refused it its deliberate traffic. */
export function budgetRefused(result: EntryResult): boolean {
  return result.status === 'skipped' && result.observed.startsWith('--max-requests ');
}
