/**
 * The signers file (`bazaarhub-signers`, committed beside the ledger): whose keys count, for which
 * roles, and when. The format follows git's `allowed_signers` (ssh-keygen(1) ALLOWED SIGNERS), so a
 * line made for git's SSH commit signing needs only a `roles=` option:
 *
 *   asha@bazaarhub.in name="Asha Rao",roles="release-manager,security",valid-after="2026-11-01" ssh-ed25519 AAAAC3Nza... asha@laptop
 *
 * principal (an email) · options (comma-separated, values may be quoted) · key type · base64 key ·
 * optional comment. Only Ed25519 keys are accepted: they are what the ledger signs with.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../util/errors.js';

export const SIGNERS_FILE = 'bazaarhub-signers';

export interface SignerListing {
  email: string;
  name: string | null;
  roles: string[];
  /** Inclusive start and exclusive end of the window in which the key may sign (ISO), or null. */
  validAfter: string | null;
  validBefore: string | null;
  key: KeyObject;
  /** The ledger's key id for this key (see keys.ts publicKeyId). */
  keyId: string;
  line: number;
}

export interface SignersFile {
  file: string;
  listings: SignerListing[];
}

export function signersBeside(ledgerFile: string): string {
  return join(dirname(ledgerFile), SIGNERS_FILE);
}

/** The ledger's key id: the first 16 hex digits of the SHA-256 of the SPKI DER. */
export function publicKeyId(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** `Name <email>` → `email`; a bare email stays as it is; lower-cased, since mail hosts ignore case. */
export function emailOf(identity: string): string | null {
  const bracketed = /<([^<>\s]+@[^<>\s]+)>/.exec(identity);
  const email = bracketed?.[1] ?? (/^[^\s<>@]+@[^\s<>@]+$/.test(identity.trim()) ? identity.trim() : null);
  return email ? email.toLowerCase() : null;
}

export function identityOf(listing: Pick<SignerListing, 'email' | 'name'>): string {
  return listing.name ? `${listing.name} <${listing.email}>` : listing.email;
}

/** An OpenSSH `ssh-ed25519 <base64>` public key as a KeyObject (the blob is string type + string key). */
export function parseSshEd25519(type: string, base64: string): KeyObject | string {
  if (type !== 'ssh-ed25519') return `key type ${type} is not supported (only ssh-ed25519)`;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length === 0 || blob.toString('base64').replace(/=+$/, '') !== base64.replace(/=+$/, '')) return 'the key is not valid base64';
  const typeLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  const name = typeLength > 0 && blob.length >= 4 + typeLength ? blob.subarray(4, 4 + typeLength).toString('latin1') : '';
  const keyStart = 4 + typeLength + 4;
  if (name !== 'ssh-ed25519' || blob.length < keyStart || blob.readUInt32BE(4 + typeLength) !== 32 || blob.length !== keyStart + 32) return 'the key is not an ssh-ed25519 public key blob';
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: blob.subarray(keyStart).toString('base64url') }, format: 'jwk' });
}

/** The OpenSSH one-line form of an Ed25519 public key (what goes in the signers file). */
export function sshPublicLine(key: KeyObject): string {
  const raw = Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
  const part = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  return `ssh-ed25519 ${Buffer.concat([part(Buffer.from('ssh-ed25519')), part(raw)]).toString('base64')}`;
}

/** Splits `a="x, y",b=z` at commas outside quotes into [key, value] pairs. */
function parseOptions(text: string, where: string): Map<string, string> {
  const options = new Map<string, string>();
  const pattern = /([a-z][a-z-]*)(?:=("(?:[^"\\]|\\.)*"|[^,"]*))?(?:,|$)/gy;
  let readTo = 0;
  for (let match = pattern.exec(text); match && readTo < text.length; match = pattern.exec(text)) {
    const [whole, name, raw] = match as unknown as [string, string, string | undefined];
    if (whole === '') break;
    const value = raw?.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : (raw ?? '');
    if (options.has(name)) throw new InputError(`${where}: option ${name} is given twice`);
    options.set(name, value);
    readTo = pattern.lastIndex;
  }
  if (readTo !== text.length) throw new InputError(`${where}: cannot read the options "${text}" (write name="value",name2="value")`);
  return options;
}

/** git's YYYYMMDD[HHMM[SS]][Z], or YYYY-MM-DD, or an ISO date-time: a UTC instant. */
function parseWhen(value: string, where: string, option: string): string {
  const compact = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(value);
  const dashed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const parts = compact ?? dashed;
  const instant = parts ? Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]), Number(parts[4] ?? 0), Number(parts[5] ?? 0), Number(parts[6] ?? 0)) : Date.parse(value);
  if (Number.isNaN(instant) || (!parts && !/[zZ]|[+-]\d{2}:\d{2}$/.test(value))) throw new InputError(`${where}: ${option}="${value}" is not a date (YYYY-MM-DD, YYYYMMDD or an ISO date-time with a zone)`);
  return new Date(instant).toISOString();
}

const KNOWN_OPTIONS = new Set(['name', 'roles', 'valid-after', 'valid-before', 'namespaces']);

/** Splits a line into whitespace-separated fields, keeping quoted runs (which may hold spaces) whole. */
function fields(line: string): string[] {
  return line.match(/(?:"(?:[^"\\]|\\.)*"|[^\s"])+/g) ?? [];
}

export function parseSigners(text: string, file: string): SignersFile {
  const listings: SignerListing[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${index + 1}`;
    const parts = fields(line);
    const typeAt = parts.findIndex((part) => /^(ssh-|ecdsa-|sk-)/.test(part));
    if (typeAt < 1 || typeAt > 2 || parts[typeAt + 1] === undefined) throw new InputError(`${where}: expected <email> [options] ssh-ed25519 <key> [comment]`);
    const [principal] = parts as [string];
    const email = emailOf(principal);
    if (!email || principal.includes(',')) throw new InputError(`${where}: "${principal}" is not one email address (one signer per line)`);
    const options = typeAt === 2 ? parseOptions(parts[1] as string, where) : new Map<string, string>();
    for (const name of options.keys()) if (!KNOWN_OPTIONS.has(name)) throw new InputError(`${where}: unknown option ${name} (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    const key = parseSshEd25519(parts[typeAt] as string, parts[typeAt + 1] as string);
    if (typeof key === 'string') throw new InputError(`${where}: ${key}`);
    const roles = (options.get('roles') ?? '').split(',').map((role) => role.trim()).filter(Boolean);
    if (roles.some((role) => !/^[a-z][a-z0-9-]*$/.test(role))) throw new InputError(`${where}: roles must be lower-case words with dashes, e.g. roles="release-manager,security"`);
    const validAfter = options.has('valid-after') ? parseWhen(options.get('valid-after') as string, where, 'valid-after') : null;
    const validBefore = options.has('valid-before') ? parseWhen(options.get('valid-before') as string, where, 'valid-before') : null;
    if (validAfter && validBefore && validAfter >= validBefore) throw new InputError(`${where}: valid-after must come before valid-before`);
    listings.push({ email, name: options.get('name') || null, roles, validAfter, validBefore, key, keyId: publicKeyId(key), line: index + 1 });
  });
  return { file, listings };
}

/** The signers file, or null when the repository has none (then identities and roles are not enforced). */
export async function readSigners(file: string): Promise<SignersFile | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`${file}: cannot read the signers file: ${(error as Error).message}`);
  }
  return parseSigners(text, file);
}

/** Whether `at` (ISO) falls in the listing's window. */
export function validAt(listing: Pick<SignerListing, 'validAfter' | 'validBefore'>, at: string): boolean {
  return (listing.validAfter === null || at >= listing.validAfter) && (listing.validBefore === null || at < listing.validBefore);
}
