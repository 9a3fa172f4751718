import { dirname } from 'node:path';
import type { CatalogEntry } from '../catalog/schema.js';
import { InputError } from '../util/errors.js';
import { checkExpiryInput, defaultExpiry, parseExpiry } from './dates.js';
import { gitIdentity, headCommit } from './git.js';
import { loadKeys } from './keys.js';
import { OUTCOMES, appendAttestation, type AttestationRecord, type Outcome } from './ledger.js';

/** One attestation as a person states it (flags or prompts); strings are unvalidated. */
export interface AttestRequest {
  status?: string;
  by?: string;
  evidence?: string;
  note?: string;
  expires?: string;
  /** Reason (not-applicable) or justification (waived). */
  reason?: string;
  /** For a waiver of an automated entry: the finding it accepts. */
  finding?: { status: string; observed: string; fingerprint: string };
}

export interface AttestEnvironment {
  ledgerFile: string;
  env: Readonly<Record<string, string | undefined>>;
  now: Date;
  /** Where git identity and HEAD come from (default: the ledger's folder). */
  cwd?: string;
  /** A waiver may not end later than this many days from now (the catalog's `waiverMaxDays`, default 90). */
  waiverMaxDays?: number;
}

export const DEFAULT_WAIVER_MAX_DAYS = 90;

/** For prompts and flags: true, or why this cannot end a waiver (malformed, past, or beyond the limit). */
export function checkWaiverExpiry(input: string, now: Date, maxDays = DEFAULT_WAIVER_MAX_DAYS): true | string {
  const basic = checkExpiryInput(input, now);
  if (basic !== true) return basic;
  const parsed = parseExpiry(input) as { expires: string };
  const last = new Date(now.getTime() + maxDays * 86_400_000);
  // The limit is a UTC day: the waiver may hold through the end of the last allowed day.
  if (Date.parse(parsed.expires) > Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate(), 23, 59, 59, 999)) {
    return `a waiver may last at most ${maxDays} days (until ${last.toISOString().slice(0, 10)}); the catalog's waiverMaxDays sets the limit`;
  }
  return true;
}

export function parseOutcome(value: string | undefined): Outcome {
  if (value === undefined || value === '') throw new InputError(`--status is required: one of ${OUTCOMES.join(', ')}`);
  if (!(OUTCOMES as readonly string[]).includes(value)) throw new InputError(`--status must be one of ${OUTCOMES.join(', ')} (got "${value}")`);
  return value as Outcome;
}

/** Checks a request against the rules (reason for not-applicable, justification and date for waived) and fills defaults. */
export async function prepareAttestation(entry: CatalogEntry, request: AttestRequest, context: AttestEnvironment): Promise<Omit<AttestationRecord, 'v' | 'seq' | 'prev' | 'alg' | 'keyId' | 'sig'>> {
  const status = parseOutcome(request.status);
  const cwd = context.cwd ?? dirname(context.ledgerFile);
  const reason = request.reason?.trim() || null;
  if (status === 'not-applicable' && !reason) throw new InputError('--reason is required with --status not-applicable');
  if (status === 'waived' && !reason) throw new InputError('--justification (or --reason) is required with --status waived');
  if (status === 'waived' && !request.expires) throw new InputError('--expires YYYY-MM-DD is required with --status waived: a waiver ends on a date');
  let expires: string | null;
  if (request.expires) {
    const problem = checkExpiryInput(request.expires, context.now);
    if (problem !== true) throw new InputError(`--expires: ${problem}`);
    expires = (parseExpiry(request.expires) as { expires: string }).expires;
    const tooLong = status === 'waived' ? checkWaiverExpiry(request.expires, context.now, context.waiverMaxDays) : true;
    if (tooLong !== true) throw new InputError(`--expires ${request.expires}: ${tooLong}`);
  } else {
    expires = defaultExpiry(entry.cadence, context.now);
  }
  const by = request.by?.trim() || (await gitIdentity(cwd));
  if (!by) throw new InputError('--by is required: no git user.name/user.email is configured to default to');
  return {
    id: entry.id,
    status,
    by,
    at: context.now.toISOString(),
    expires,
    evidence: request.evidence?.trim() || null,
    note: request.note?.trim() || null,
    reason,
    commit: await headCommit(cwd),
    ...(request.finding ? { finding: request.finding } : {}),
  };
}

/** Validates, signs and appends one attestation; the key comes from the environment (see keys.ts). */
export async function attest(entry: CatalogEntry, request: AttestRequest, context: AttestEnvironment): Promise<AttestationRecord> {
  const keys = loadKeys(context.env, context.ledgerFile);
  if (!keys.signer) throw new InputError(`cannot sign the attestation: ${keys.missing}`);
  const input = await prepareAttestation(entry, request, context);
  return appendAttestation(context.ledgerFile, input, keys.signer);
}
