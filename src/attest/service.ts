import { dirname } from 'node:path';
import type { CatalogEntry } from '../catalog/schema.js';
import { InputError } from '../util/errors.js';
import { checkExpiryInput, defaultExpiry, parseExpiry } from './dates.js';
import { gitIdentity, headCommit } from './git.js';
import { loadKeys, PRIVATE_KEY_ENV, type Signer } from './keys.js';
import { OUTCOMES, appendAttestation, type AttestationRecord, type Outcome } from './ledger.js';
import { createPersonalKey, personalSigner, rememberIdentity, rememberedIdentity, type PersonalChoice } from './personal-key.js';
import { emailOf, identityOf, readSigners, signersBeside, sshPublicLine, validAt, type SignerListing, type SignersFile } from './signers.js';

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
  /** The key to sign with, when the person named one (--ssh-key, --ssh-agent) or asked for a new one (--new-key). */
  choice?: SignerChoice;
  /** Messages that are not the result (warnings, the signers line to add). */
  warn?: (text: string) => void;
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

export interface SignerChoice extends PersonalChoice {
  newKey?: boolean;
}

/** Who signs, in order: a key named by flag, the CI key from the environment, the personal key, the shared HMAC key. */
export async function chooseSigner(env: AttestEnvironment['env'], ledgerFile: string, choice: SignerChoice = {}): Promise<{ signer: Signer | null; created: boolean; missing: string }> {
  const keys = loadKeys(env, ledgerFile);
  if (choice.newKey) return { signer: createPersonalKey(env), created: true, missing: keys.missing };
  if (choice.sshKey || choice.sshAgent) return { signer: await personalSigner(env, choice), created: false, missing: keys.missing };
  if (env[PRIVATE_KEY_ENV]) return { signer: keys.signer, created: false, missing: keys.missing };
  const personal = await personalSigner(env);
  return { signer: personal ?? keys.signer, created: false, missing: keys.missing };
}

/** The signers-file line a person adds (and commits) so their key counts. */
export function signersLine(identity: string, signer: Signer, roles = 'engineering'): string {
  const email = emailOf(identity) ?? 'you@example.com';
  const name = identity.replace(/\s*<[^>]*>\s*$/, '').trim();
  const options = [name && name !== email ? `name="${name.replace(/"/g, '')}"` : '', `roles="${roles}"`].filter(Boolean).join(',');
  return `${email} ${options} ${sshPublicLine(signer.publicKey as NonNullable<Signer['publicKey']>)}`;
}

export interface SignerIdentity {
  signer: Signer;
  /** The identity records are made under. */
  by: string;
  listing: SignerListing | null;
  signers: SignersFile | null;
}

/**
 * The identity a record is signed under. A key listed in the signers file signs as its listed identity
 * (a contradicting --by is refused); an unlisted key signs, with a warning that its records count only
 * once the printed line is committed with them.
 */
export async function signingIdentity(context: AttestEnvironment, requestedBy: string | undefined): Promise<SignerIdentity> {
  const { signer, created, missing } = await chooseSigner(context.env, context.ledgerFile, context.choice);
  if (!signer) throw new InputError(`cannot sign: no signing key: ${missing}`);
  const warn = context.warn ?? (() => undefined);
  const signers = await readSigners(signersBeside(context.ledgerFile));
  const listing = signer.publicKey && signers ? (signers.listings.find((candidate) => candidate.keyId === signer.keyId) ?? null) : null;
  const cwd = context.cwd ?? dirname(context.ledgerFile);
  if (listing) {
    if (!validAt(listing, context.now.toISOString())) throw new InputError(`${signers?.file}:${listing.line}: ${identityOf(listing)} may sign only${listing.validAfter ? ` from ${listing.validAfter.slice(0, 10)}` : ''}${listing.validBefore ? ` until ${listing.validBefore.slice(0, 10)}` : ''}`);
    if (requestedBy && emailOf(requestedBy) !== listing.email) throw new InputError(`--by ${requestedBy}: the signing key (${signer.source ?? signer.alg}) is listed in ${signers?.file} for ${identityOf(listing)}; one key signs as one person`);
    return { signer, by: identityOf(listing), listing, signers };
  }
  const by = requestedBy?.trim() || (signer.publicKey ? rememberedIdentity(context.env) : undefined) || (await gitIdentity(cwd));
  if (!by) throw new InputError('--by is required: no git user.name/user.email is configured to default to');
  if (created || (requestedBy && signer.publicKey && signer.source !== PRIVATE_KEY_ENV)) rememberIdentity(context.env, by);
  if (created) warn(`Created a personal Ed25519 key: ${signer.source} (mode 0600; keep it private)\n`);
  if (signer.publicKey && (created || signers)) {
    warn(`${signers ? `Your key is not listed in ${signers.file}: what you sign counts once this line is added there and committed with the ledger` : `Add this line to ${signersBeside(context.ledgerFile)} (commit it) so your signatures count once the repository lists its signers`}:\n  ${signersLine(by, signer)}\n  (set roles= to what you may attest: release-manager, security, finance, operations, engineering, ...)\n`);
  } else if (signers && signer.alg === 'hmac-sha256') {
    warn(`${signers.file} lists the repository's signers, so records signed with the shared HMAC key do not count: use a personal key (bazaarhub-check attest --new-key)\n`);
  }
  return { signer, by, listing: null, signers };
}

export function parseOutcome(value: string | undefined): Outcome {
  if (value === undefined || value === '') throw new InputError(`--status is required: one of ${OUTCOMES.join(', ')}`);
  if (!(OUTCOMES as readonly string[]).includes(value)) throw new InputError(`--status must be one of ${OUTCOMES.join(', ')} (got "${value}")`);
  return value as Outcome;
}

/** Checks a request against the rules (reason for not-applicable, justification and date for waived) and fills defaults. */
export async function prepareAttestation(entry: CatalogEntry, request: AttestRequest, context: Omit<AttestEnvironment, 'choice' | 'warn'>): Promise<Omit<AttestationRecord, 'v' | 'seq' | 'prev' | 'alg' | 'keyId' | 'sig'>> {
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

/** Refuses a record that would not count: the entry names attesters and the listed signer holds none of those roles. */
export function checkRole(entry: Pick<CatalogEntry, 'id' | 'attesters'>, identity: SignerIdentity): void {
  if (!entry.attesters?.length || !identity.listing) return;
  if (entry.attesters.some((role) => identity.listing?.roles.includes(role))) return;
  throw new InputError(`${entry.id}: may be attested only by ${entry.attesters.join(' or ')}; ${identityOf(identity.listing)} holds ${identity.listing.roles.join(', ') || 'no role'} in ${identity.signers?.file}`);
}

/** Validates, signs and appends one attestation, signed as the person whose key signs (see chooseSigner). */
export async function attest(entry: CatalogEntry, request: AttestRequest, context: AttestEnvironment, identity?: SignerIdentity): Promise<AttestationRecord> {
  const who = identity ?? (await signingIdentity(context, request.by));
  checkRole(entry, who);
  const input = await prepareAttestation(entry, { ...request, by: who.by }, context);
  return appendAttestation(context.ledgerFile, input, who.signer);
}
