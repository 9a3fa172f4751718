import { dirname } from 'node:path';
import type { CatalogEntry } from '../catalog/schema.js';
import type { ManualOutcome, ManualResolver } from '../engine/runner.js';
import type { AttestationSummary } from '../engine/result.js';
import { CADENCE_DAYS, daysLeft, formatInstant, isCurrent } from './dates.js';
import { mapConcurrent } from '../util/pool.js';
import { releaseTagsAfter } from './git.js';
import type { AttestationRecord, LedgerState } from './ledger.js';

export interface ResolveOptions {
  now: Date;
  /** Current attestations that expire within this many days become `warn` (0 turns it off). */
  warnDays: number;
  /** Git glob of release tags that end a per-release attestation. */
  releaseTags: string;
  /** Where to ask git about tags (the repository holding the ledger). */
  cwd?: string;
}

export const DEFAULT_RESOLVE: Omit<ResolveOptions, 'now'> = { warnDays: 7, releaseTags: 'v*' };

/** The latest trusted record per entry id. */
export function latestById(records: readonly AttestationRecord[]): Map<string, AttestationRecord> {
  const latest = new Map<string, AttestationRecord>();
  for (const record of records) latest.set(record.id, record);
  return latest;
}

/**
 * The latest record for an entry under its id or any id it had before a checklist rename
 * (`previousIds`): the ledger is never rewritten, so old attestations keep counting.
 */
export function latestFor(entry: Pick<CatalogEntry, 'id' | 'previousIds'>, latest: ReadonlyMap<string, AttestationRecord>, order: ReadonlyMap<AttestationRecord, number>): AttestationRecord | undefined {
  let best = latest.get(entry.id);
  for (const id of entry.previousIds ?? []) {
    const record = latest.get(id);
    if (record && (!best || (order.get(record) ?? -1) > (order.get(best) ?? -1))) best = record;
  }
  return best;
}

export function summarize(record: AttestationRecord): AttestationSummary {
  return { status: record.status, by: record.by, at: record.at, expires: record.expires, evidence: record.evidence, note: record.note, reason: record.reason };
}

function expectation(entry: CatalogEntry): string {
  const every = entry.cadence === 'per-release' ? 'for this release' : `within the last ${CADENCE_DAYS[entry.cadence]} day(s) (${entry.cadence})`;
  return `a current attestation ${every}: bazaarhub-check attest ${entry.id}`;
}

function describe(record: AttestationRecord): string {
  const day = formatInstant(record.at);
  const evidence = record.evidence ? `; evidence: ${record.evidence}` : '';
  switch (record.status) {
    case 'done':
      return `done, attested by ${record.by} on ${day}${evidence}`;
    case 'not-applicable':
      return `not applicable (${record.reason ?? 'no reason given'}), attested by ${record.by} on ${day}${evidence}`;
    case 'waived':
      return `waived by ${record.by} on ${day}: ${record.reason ?? 'no justification given'}${evidence}`;
  }
}

/** The pure judgement of one manual entry from its latest record; `supersededBy` is the release tag that ended a per-release one. */
export function judgeAttestation(entry: CatalogEntry, record: AttestationRecord | undefined, options: Pick<ResolveOptions, 'now' | 'warnDays'>, supersededBy: string | null, ledgerNote = ''): ManualOutcome {
  const expected = expectation(entry);
  if (!record) return { status: 'unattested', observed: `no attestation recorded${ledgerNote}`, expected };
  const attestation = summarize(record);
  const what = describe(record);
  if (supersededBy) return { status: 'expired', observed: `${what}; expired: release ${supersededBy} came after the attested commit`, expected, attestation };
  if (!isCurrent(record.expires, options.now)) return { status: 'expired', observed: `${what}; expired ${formatInstant(record.expires as string)}`, expected, attestation };
  if (record.expires === null) return { status: 'attested', observed: `${what}; valid until the next release`, expected, attestation };
  const left = daysLeft(record.expires, options.now);
  const until = `valid until ${formatInstant(record.expires)}`;
  if (options.warnDays > 0 && left < options.warnDays) {
    const when = left === 0 ? 'expires today' : `expires in ${left} day${left === 1 ? '' : 's'}`;
    return { status: 'warn', observed: `${what}; ${until} (${when})`, expected: `${expected}, not expiring within ${options.warnDays} days`, attestation };
  }
  return { status: 'attested', observed: `${what}; ${until}`, expected, attestation };
}

/**
 * Builds the runner's ManualResolver from a verified ledger. Git is asked once per distinct commit of
 * undated attestations (release tags after that commit end a per-release one); the rest is pure.
 */
export async function buildManualResolver(ledger: LedgerState, options: ResolveOptions): Promise<ManualResolver> {
  const latest = latestById(ledger.records);
  const order = new Map(ledger.records.map((record, index) => [record, index]));
  const cwd = options.cwd ?? dirname(ledger.file);
  const superseded = new Map<string, string | null>();
  const commits = new Set([...latest.values()].filter((record) => record.expires === null && record.commit).map((record) => record.commit as string));
  await mapConcurrent([...commits], 8, async (commit) => {
    const tags = await releaseTagsAfter(cwd, commit, options.releaseTags);
    superseded.set(commit, tags?.[0] ?? null);
  });
  const first = ledger.problems[0];
  const ignored = ledger.lines - ledger.records.length;
  const ledgerNote = first ? ` (the ledger is damaged: ${first.message}; ${ignored} record(s) from line ${ledger.records.length + 1} on are not trusted)` : '';
  return (entry) => {
    const record = latestFor(entry, latest, order);
    const tag = record?.commit && entry.cadence === 'per-release' && record.expires === null ? (superseded.get(record.commit) ?? null) : null;
    return judgeAttestation(entry, record, options, tag, ledgerNote);
  };
}
