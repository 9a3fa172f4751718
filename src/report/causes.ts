import { createHash } from 'node:crypto';
import { severityRank, type Severity } from '../catalog/schema.js';
import type { EntryResult } from '../engine/result.js';
import type { Status } from '../engine/types.js';
import { gateReason, type GateReason } from '../engine/verdict.js';
import { byCodeUnit } from '../util/order.js';

/** Entries that fail for one reason, shown once with one fix (JSON: `causes`, and `cause` on each result). */
export interface Cause {
  key: string;
  /** The reason, in a sentence. */
  title: string;
  fix: string;
  /** The most severe entry's severity. */
  severity: Severity;
  /** The worst status among its entries (fail before a missing attestation, an error, a skip, a warning). */
  status: Status;
  /** How the cause holds the release back (the worst of its entries), or null when it does not. */
  blocks: GateReason | null;
  /** Entry ids, in report order. */
  entries: string[];
}

const NETWORK = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ETIMEDOUT|socket hang up|no answer within|timed out|connection closed)/i;
const NO_TLS = /\b(wrong version number|EPROTO|packet length too long|ssl3_get_record|unknown protocol|not (?:speak|speaking) TLS)/i;
const ENDPOINT = /(?:\b(?:https?|postgres(?:ql)?|rediss?|smtp):\/\/)?(\[[0-9a-f:]+\]|\d{1,3}(?:\.\d{1,3}){3}|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+|localhost):(\d{1,5})\b/i;

/** Text with numbers folded, so "expires in 23 days" and "in 22 days" read as the same finding. */
export function normalizeFinding(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\d+(?:\.\d+)?/g, '#').trim();
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

const STATUS_RANK: Readonly<Record<Status, number>> = { fail: 7, expired: 6, unattested: 5, error: 4, skipped: 3, warn: 2, attested: 1, pass: 0 };

const GATE_RANK: Readonly<Record<GateReason, number>> = { failure: 4, attestation: 3, error: 2, skipped: 1 };

function causeOf(result: EntryResult): { key: string; title: string; fix?: string } {
  const endpoint = ENDPOINT.exec(result.observed);
  const where = endpoint ? `${endpoint[1]}:${endpoint[2]}` : undefined;
  if (where && NO_TLS.test(result.observed)) {
    return { key: `no-tls ${where}`, title: `${where} does not speak TLS`, fix: `Serve TLS on ${where} (terminate HTTPS at the proxy with a CA-issued certificate), or point the URL in the env file at the TLS port` };
  }
  const network = NETWORK.exec(result.observed);
  if (where && network) {
    const why = network[1] ?? 'no answer';
    return { key: `unreachable ${where}`, title: `${where} unreachable (${why})`, fix: `Make ${where} reachable from where the check runs: is the service up, is the host and port in the env file right, does a firewall drop it? Then run again.` };
  }
  const budget = result.status === 'skipped' ? /^--max-requests (\d+):/.exec(result.observed) : null;
  if (budget) return { key: 'max-requests', title: `--max-requests ${budget[1]} left no room for their deliberate requests`, fix: 'Raise --max-requests (or leave it off): the budget is spent in catalog order, whole entries at a time' };
  if (result.status === 'unattested') return { key: 'unattested', title: 'Manual items without an attestation', fix: 'Verify each item and record it: bazaarhub-check attest (walks them on a terminal) or bazaarhub-check attest ID --status done --evidence URL' };
  const text = normalizeFinding(result.observed);
  return { key: `${result.status} ${hash(text)}`, title: result.observed };
}

/** The fix shared by most entries of a cause. */
function commonFix(results: readonly EntryResult[]): string {
  const votes = new Map<string, number>();
  for (const result of results) if (result.remediation) votes.set(result.remediation, (votes.get(result.remediation) ?? 0) + 1);
  return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** A result that is not fine (and not a current waived manual item) belongs to a cause. */
export function needsCause(result: EntryResult): boolean {
  return !['pass', 'attested'].includes(result.status) && !(result.probe === null && result.status === 'warn');
}

/**
 * Groups the results that are not fine by reason: the same unreachable endpoint or TLS-less port, the
 * same finding text (numbers folded) and status, or a missing attestation. Sets `cause` on each grouped
 * result. Order: blocking causes first, then by severity (critical first), then by how many entries they affect.
 */
export function groupCauses(results: EntryResult[], failOn: Severity): Cause[] {
  const byKey = new Map<string, { cause: { key: string; title: string; fix?: string }; members: EntryResult[] }>();
  for (const result of results) {
    if (!needsCause(result)) continue;
    const found = causeOf(result);
    result.cause = found.key;
    const group = byKey.get(found.key);
    if (group) group.members.push(result);
    else byKey.set(found.key, { cause: found, members: [result] });
  }
  const causes = [...byKey.values()].map(({ cause, members }): Cause => {
    const severity = members.reduce<Severity>((worst, r) => (severityRank(r.severity) > severityRank(worst) ? r.severity : worst), 'low');
    const reasons = members.map((r) => gateReason(r, failOn)).filter((r): r is GateReason => r !== null);
    const blocks = reasons.sort((a, b) => GATE_RANK[b] - GATE_RANK[a])[0] ?? null;
    const fix = cause.fix ?? commonFix(members);
    // Under a cause: what blocks first, then by severity.
    const ordered = [...members].sort((a, b) => Number(Boolean(b.blocking)) - Number(Boolean(a.blocking)) || severityRank(b.severity) - severityRank(a.severity));
    const status = members.reduce<Status>((worst, r) => (STATUS_RANK[r.status] > STATUS_RANK[worst] ? r.status : worst), 'pass');
    return { key: cause.key, title: cause.title, fix, severity, status, blocks, entries: ordered.map((r) => r.id) };
  });
  return causes.sort(
    (a, b) =>
      Number(b.blocks !== null) - Number(a.blocks !== null) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      b.entries.length - a.entries.length ||
      byCodeUnit(a.title, b.title),
  );
}
