/**
 * Who signed a ledger record. With a signers file, a record counts only when its key is listed for
 * the identity it claims (`by`), in the signers file as it stood when the record was committed (so
 * removing someone later keeps what they signed, and adding someone later does not vouch for what was
 * signed before), and inside the listing's validity window. Without one, the team key that verified
 * the signature is all we know: reports say so.
 */
import { relative } from 'node:path';
import { verify, type KeyObject } from 'node:crypto';
import { git } from './git.js';
import type { Verifier } from './keys.js';
import { emailOf, identityOf, parseSigners, readSigners, validAt, type SignerListing, type SignersFile } from './signers.js';

export type SignatureKind = 'personal' | 'team-ed25519' | 'shared-hmac';

export interface SignatureInfo {
  kind: SignatureKind;
  /** The listed identity (`Name <email>`) whose key signed; null without a signers file. */
  signer: string | null;
  roles: string[];
}

export interface SignersHistory {
  current: SignersFile;
  /** The signers file in force for a ledger line: as committed together with that line, or the working file for uncommitted lines. */
  forLine(line: number): { signers: SignersFile; committed: string | null };
  /** Every key any version lists, to verify signatures with. */
  verifiers(): Verifier[];
}

const KIND_LABEL: Record<SignatureKind, string> = {
  personal: 'a listed personal key',
  'team-ed25519': 'the team Ed25519 key',
  'shared-hmac': 'the shared HMAC team key (proves no identity)',
};

export function describeSignature(info: SignatureInfo): string {
  return info.signer ? `${KIND_LABEL[info.kind]} of ${info.signer}` : KIND_LABEL[info.kind];
}

function keyVerifier(key: KeyObject, keyId: string): Verifier {
  return {
    alg: 'ed25519',
    keyId,
    verify: (payload, signature) => {
      try {
        return verify(null, Buffer.from(payload), key, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

/** Which commit brought each ledger line (git blame), or null outside git. Uncommitted lines map to null. */
async function commitsByLine(ledgerFile: string, cwd: string): Promise<Map<number, string | null> | null> {
  const porcelain = await git(cwd, ['blame', '--porcelain', '--', relative(cwd, ledgerFile) || ledgerFile]);
  if (porcelain === null) return null;
  const byLine = new Map<number, string | null>();
  for (const line of porcelain.split('\n')) {
    const header = /^([0-9a-f]{40}) \d+ (\d+)/.exec(line);
    if (header) byLine.set(Number(header[2]), /^0+$/.test(header[1] as string) ? null : (header[1] as string));
  }
  return byLine;
}

/** The signers file and, in a git repository, its version at the commit of each ledger line. */
export async function loadSignersHistory(ledgerFile: string, signersFile: string, cwd: string): Promise<SignersHistory | null> {
  const current = await readSigners(signersFile);
  if (!current) return null;
  const byLine = await commitsByLine(ledgerFile, cwd);
  const versions = new Map<string, SignersFile>();
  const path = relative(cwd, signersFile) || signersFile;
  for (const commit of new Set([...(byLine?.values() ?? [])].filter((c): c is string => c !== null))) {
    const text = await git(cwd, ['show', `${commit}:./${path}`]);
    let version: SignersFile = { file: `${signersFile}@${commit.slice(0, 12)}`, listings: [] };
    if (text !== null) {
      try {
        version = parseSigners(text, version.file);
      } catch {
        // A version that did not parse vouched for no one.
      }
    }
    versions.set(commit, version);
  }
  return {
    current,
    forLine(line) {
      const commit = byLine?.get(line) ?? null;
      return { signers: (commit && versions.get(commit)) || current, committed: commit };
    },
    verifiers() {
      const seen = new Map<string, Verifier>();
      for (const listing of [current, ...versions.values()].flatMap((version) => version.listings)) if (!seen.has(listing.keyId)) seen.set(listing.keyId, keyVerifier(listing.key, listing.keyId));
      return [...seen.values()];
    },
  };
}

type Checked = SignatureInfo | { problem: 'unknown-signer' | 'signer-not-valid'; message: string };

/** The signer of a record whose signature already verified. */
export function checkSigner(record: { alg: string; keyId: string; by: string; at: string }, line: number, history: SignersHistory | null): Checked {
  if (!history) return { kind: record.alg === 'hmac-sha256' ? 'shared-hmac' : 'team-ed25519', signer: null, roles: [] };
  const file = history.current.file;
  if (record.alg === 'hmac-sha256') return { problem: 'unknown-signer', message: `unknown signer: signed with the shared HMAC team key, which proves no identity; ${file} lists who may sign, so only their keys count` };
  const { signers, committed } = history.forLine(line);
  const when = committed ? `when the record was committed (${committed.slice(0, 12)})` : 'now';
  const claimed = emailOf(record.by);
  const byKey = signers.listings.filter((listing) => listing.keyId === record.keyId);
  if (byKey.length === 0) {
    const later = history.current.listings.find((listing) => listing.keyId === record.keyId);
    if (later) return { problem: 'signer-not-valid', message: `signer not valid at ${record.at}: ${identityOf(later)} (${file}:${later.line}) was not listed ${when}; a signer added later does not vouch for earlier records` };
    return { problem: 'unknown-signer', message: `unknown signer: key ${record.keyId} is not listed in ${file} ${when}` };
  }
  const listing: SignerListing | undefined = byKey.find((candidate) => candidate.email === claimed);
  if (!listing) return { problem: 'unknown-signer', message: `unknown signer: the record claims to be by ${record.by}, but is signed with the key of ${byKey.map(identityOf).join(', ')}` };
  // The window comes from today's file while the key is still listed there: retiring or revoking a key
  // (valid-before) applies to what it signed after that time, whatever the file said back then.
  const window = history.current.listings.find((candidate) => candidate.keyId === listing.keyId && candidate.email === listing.email) ?? listing;
  if (!validAt(window, record.at)) {
    const span = `${window.validAfter ? `from ${window.validAfter}` : ''}${window.validAfter && window.validBefore ? ' ' : ''}${window.validBefore ? `until ${window.validBefore}` : ''}`;
    return { problem: 'signer-not-valid', message: `signer not valid at ${record.at}: ${identityOf(listing)} may sign only ${span} (${history.current.file}:${window.line})` };
  }
  return { kind: 'personal', signer: identityOf(listing), roles: listing.roles };
}
