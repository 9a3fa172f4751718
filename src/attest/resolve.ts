import { dirname } from 'node:path';
import type { CatalogEntry } from '../catalog/schema.js';
import type { ManualOutcome, ManualResolver } from '../engine/runner.js';
import type { AttestationSummary } from '../engine/result.js';
import { CADENCE_DAYS, daysLeft, formatInstant, isCurrent } from './dates.js';
import { mapConcurrent } from '../util/pool.js';
import { releaseTagsAfter } from './git.js';
import type { AttestationRecord, LedgerState } from './ledger.js';
import { describeSignature, type SignatureInfo } from './signer-check.js';

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

export function summarize(record: AttestationRecord, signature?: SignatureInfo): AttestationSummary {
  return { status: record.status, by: record.by, at: record.at, expires: record.expires, evidence: record.evidence, note: record.note, reason: record.reason, ...(signature ? { signedWith: describeSignature(signature) } : {}) };
}

/** Every trusted record per entry id, oldest first. */
function recordsById(records: readonly AttestationRecord[]): Map<string, AttestationRecord[]> {
  const byId = new Map<string, AttestationRecord[]>();
  for (const record of records) byId.set(record.id, [...(byId.get(record.id) ?? []), record]);
  return byId;
}

/**
 * The record that decides an entry: the latest one, or, when the entry names `attesters` and a signers
 * file vouches for roles, the latest one by a signer holding one of them. `refused` is the newest record
 * left out for want of the role, to say so in the finding.
 */
export function decidingRecord(entry: Pick<CatalogEntry, 'attesters'>, records: readonly AttestationRecord[], ledger: Pick<LedgerState, 'signatures' | 'signersFile'>): { record: AttestationRecord | undefined; refused: AttestationRecord | undefined } {
  const roles = entry.attesters ?? [];
  if (roles.length === 0 || ledger.signersFile === null) return { record: records.at(-1), refused: undefined };
  const holds = (record: AttestationRecord) => (ledger.signatures.get(record.seq)?.roles ?? []).some((role) => roles.includes(role));
  const qualifying = records.filter(holds);
  const record = qualifying.at(-1);
  const refused = records.filter((candidate) => !holds(candidate) && (!record || candidate.seq > record.seq)).at(-1);
  return { record, refused };
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
export function judgeAttestation(entry: CatalogEntry, record: AttestationRecord | undefined, options: Pick<ResolveOptions, 'now' | 'warnDays'>, supersededBy: string | null, ledgerNote = '', signing: { signature?: SignatureInfo; refused?: { record: AttestationRecord; roles: string[] }; rolesUnchecked?: boolean } = {}): ManualOutcome {
  const expected = expectation(entry) + (entry.attesters?.length ? ` by ${entry.attesters.join(' or ')}` : '');
  const refusal = signing.refused ? `; attested by a signer without the role: ${signing.refused.record.by} (line ${signing.refused.record.seq}) holds ${signing.refused.roles.join(', ') || 'no role'}, this item needs ${entry.attesters?.join(' or ')}` : '';
  if (!record) return { status: 'unattested', observed: `${signing.refused ? 'no attestation by a signer with the role' : 'no attestation recorded'}${refusal}${ledgerNote}`, expected };
  const attestation = summarize(record, signing.signature);
  const what = describe(record) + (signing.signature ? `, signed with ${describeSignature(signing.signature)}` : '') + (signing.rolesUnchecked ? ` (roles not verified: no signers file)` : '') + refusal;
  if (supersededBy) return { status: 'expired', observed: `${what}; expired: release ${supersededBy} came after the attested commit`, expected, attestation };
  if (!isCurrent(record.expires, options.now)) return { status: 'expired', observed: `${what}; expired ${formatInstant(record.expires as string)}`, expected, attestation };
  if (record.expires === null) return { status: 'attested', observed: `${what}; ${record.commit ? 'valid until the next release' : 'no end date (attested outside git: no release ends it)'}`, expected, attestation };
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
  const byId = recordsById(ledger.records);
  const cwd = options.cwd ?? dirname(ledger.file);
  const superseded = new Map<string, string | null>();
  const commits = new Set(ledger.records.filter((record) => record.expires === null && record.commit).map((record) => record.commit as string));
  await mapConcurrent([...commits], 8, async (commit) => {
    const tags = await releaseTagsAfter(cwd, commit, options.releaseTags);
    superseded.set(commit, tags?.[0] ?? null);
  });
  const fatal = ledger.problems.find((problem) => problem.kind !== 'unknown-signer' && problem.kind !== 'signer-not-valid');
  const ledgerNote = fatal ? ` (the ledger is damaged: ${fatal.message}; records from line ${fatal.line} on are not trusted)` : '';
  return (entry) => {
    const { record, refused } = decidingRecord(entry, byId.get(entry.id) ?? [], ledger);
    const tag = record?.commit && entry.cadence === 'per-release' && record.expires === null ? (superseded.get(record.commit) ?? null) : null;
    const signature = record ? ledger.signatures.get(record.seq) : undefined;
    return judgeAttestation(entry, record, options, tag, ledgerNote, {
      ...(signature ? { signature } : {}),
      ...(refused ? { refused: { record: refused, roles: ledger.signatures.get(refused.seq)?.roles ?? [] } } : {}),
      rolesUnchecked: Boolean(entry.attesters?.length) && ledger.signersFile === null,
    });
  };
}
