import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError, errorMessage } from '../util/errors.js';
import { publicKeyId } from './signers.js';
import { byCodeUnit } from '../util/order.js';

export type SignatureAlgorithm = 'hmac-sha256' | 'ed25519';

export const KEY_ENV = 'BAZAARHUB_ATTEST_KEY';
export const PRIVATE_KEY_ENV = 'BAZAARHUB_ATTEST_PRIVATE_KEY';
export const PUBLIC_KEY_ENV = 'BAZAARHUB_ATTEST_PUBLIC_KEY';
/** Committed beside the ledger so anyone can verify Ed25519 signatures without a secret. */
export const PUBLIC_KEY_FILE = 'bazaarhub-attest.pub.pem';
const MIN_HMAC_KEY = 32;

export interface Signer {
  alg: SignatureAlgorithm;
  keyId: string;
  /** ssh-agent signs asynchronously; file keys and HMAC at once. */
  sign(payload: string): string | Promise<string>;
  /** The Ed25519 public key, to print the signers-file line and find the signer's listing. */
  publicKey?: KeyObject;
  /** Where the key came from, for messages (never the key). */
  source?: string;
}

export interface Verifier {
  alg: SignatureAlgorithm;
  keyId: string;
  verify(payload: string, signature: string): boolean;
}

export interface KeySet {
  signer: Signer | null;
  verifiers: Verifier[];
  /** Why no signer is available (names the variable to set), for error messages. */
  missing: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function hmacSigner(key: string): Signer & Verifier {
  const keyId = createHmac('sha256', key).update('bazaarhub-attest key id').digest('hex').slice(0, 16);
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    alg: 'hmac-sha256',
    keyId,
    sign: (payload) => mac(payload).toString('base64'),
    verify: (payload, signature) => {
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}


function ed25519Verifier(key: KeyObject): Verifier {
  return {
    alg: 'ed25519',
    keyId: publicKeyId(key),
    verify: (payload, signature) => {
      try {
        return verify(null, Buffer.from(payload), key, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

/** A PEM given inline or as a path to a file holding it. */
function readPem(value: string, variable: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new InputError(`${variable}: cannot read key file: ${errorMessage(error)}`);
  }
}

function loadKey(value: string, variable: string, kind: 'private' | 'public'): KeyObject {
  const pem = readPem(value, variable);
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    // Never echo the key material: only say what was wrong with it.
    throw new InputError(`${variable}: not a PEM ${kind} key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new InputError(`${variable}: an Ed25519 key is required (got ${key.asymmetricKeyType ?? 'unknown'})`);
  return key;
}

/**
 * The keys from the environment: BAZAARHUB_ATTEST_KEY (HMAC-SHA256 shared secret) and/or
 * BAZAARHUB_ATTEST_PRIVATE_KEY (Ed25519, PEM or path) for signing; verification also accepts
 * BAZAARHUB_ATTEST_PUBLIC_KEY or `bazaarhub-attest.pub.pem` beside the ledger.
 */
export function loadKeys(env: Env, ledgerFile: string): KeySet {
  const verifiers: Verifier[] = [];
  let signer: Signer | null = null;
  const hmacKey = env[KEY_ENV];
  if (hmacKey !== undefined && hmacKey !== '') {
    if (hmacKey.length < MIN_HMAC_KEY) throw new InputError(`${KEY_ENV} must be at least ${MIN_HMAC_KEY} characters`);
    const hmac = hmacSigner(hmacKey);
    verifiers.push(hmac);
    signer = hmac;
  }
  const privateValue = env[PRIVATE_KEY_ENV];
  if (privateValue) {
    const privateKey = loadKey(privateValue, PRIVATE_KEY_ENV, 'private');
    const publicKey = createPublicKey(privateKey);
    const keyId = publicKeyId(publicKey);
    verifiers.push(ed25519Verifier(publicKey));
    // Ed25519 wins over HMAC when both are set: anyone holding the public key can verify it.
    signer = { alg: 'ed25519', keyId, publicKey, source: PRIVATE_KEY_ENV, sign: (payload) => sign(null, Buffer.from(payload), privateKey).toString('base64') };
  }
  const publicValue = env[PUBLIC_KEY_ENV] || (existsSync(join(dirname(ledgerFile), PUBLIC_KEY_FILE)) ? join(dirname(ledgerFile), PUBLIC_KEY_FILE) : '');
  if (publicValue) {
    const verifier = ed25519Verifier(loadKey(publicValue, env[PUBLIC_KEY_ENV] ? PUBLIC_KEY_ENV : PUBLIC_KEY_FILE, 'public'));
    if (!verifiers.some((known) => known.keyId === verifier.keyId)) verifiers.push(verifier);
  }
  return { signer, verifiers, missing: `create a personal key with \`bazaarhub-check attest --new-key\` (or name one: --ssh-key FILE, --ssh-agent), or set ${PRIVATE_KEY_ENV} (Ed25519 PEM, for CI) or ${KEY_ENV} (shared HMAC secret, ${MIN_HMAC_KEY}+ characters)` };
}

/** JSON with object keys sorted at every depth: the exact bytes a signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => byCodeUnit(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
