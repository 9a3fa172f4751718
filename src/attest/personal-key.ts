/**
 * A person's own signing key: an Ed25519 key in the user's config directory (created on request,
 * mode 0600), an existing OpenSSH Ed25519 key file, or a key held by ssh-agent. Which one to use is
 * remembered in `config.json` beside the personal key, so `attest --ssh-key FILE` is said once.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, errorMessage } from '../util/errors.js';
import { agentSigner } from './ssh-agent.js';
import { publicKeyId } from './signers.js';

type Env = Readonly<Record<string, string | undefined>>;

export const PERSONAL_KEY_FILE = 'attest-ed25519.pem';
const CONFIG_FILE = 'config.json';

/** What signs: `sign` may be asynchronous (ssh-agent answers over a socket). */
export interface KeySigner {
  alg: 'ed25519';
  keyId: string;
  publicKey: KeyObject;
  /** Where the key lives, for messages: never the key itself. */
  source: string;
  sign(payload: string): Promise<string>;
}

export function configDir(env: Env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'bazaarhub-check');
}

export function personalKeyPath(env: Env): string {
  return join(configDir(env), PERSONAL_KEY_FILE);
}

/** A private key file anyone else can read is not personal any more: refuse it with the fix. */
export function assertPrivate(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    throw new InputError(`${file}: cannot read the key file: ${errorMessage(error)}`);
  }
  if ((mode & 0o077) !== 0) throw new InputError(`${file}: the private key is readable by others (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}`);
}

function fileSigner(privateKey: KeyObject, source: string): KeySigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new InputError(`${source}: an Ed25519 key is required (got ${privateKey.asymmetricKeyType ?? 'unknown'})`);
  const publicKey = createPublicKey(privateKey);
  return { alg: 'ed25519', keyId: publicKeyId(publicKey), publicKey, source, sign: async (payload) => sign(null, Buffer.from(payload), privateKey).toString('base64') };
}

/** Creates the personal key; refuses to overwrite one. Returns its signer. */
export function createPersonalKey(env: Env): KeySigner {
  const file = personalKeyPath(env);
  if (existsSync(file)) throw new InputError(`${file}: a personal key already exists; it is used as it is`);
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return fileSigner(privateKey, file);
}

/** An Ed25519 private key file: PKCS#8 PEM, or OpenSSH's own format (read with sshpk). */
export async function keyFileSigner(file: string, passphrase?: string): Promise<KeySigner> {
  const path = resolve(file);
  assertPrivate(path);
  const text = readFileSync(path, 'utf8');
  if (!text.includes('OPENSSH PRIVATE KEY')) {
    try {
      return fileSigner(createPrivateKey(passphrase ? { key: text, passphrase } : text), path);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${path}: not a readable Ed25519 private key`);
    }
  }
  const sshpk = (await import('sshpk')).default;
  let parsed;
  try {
    parsed = sshpk.parsePrivateKey(text, 'ssh', passphrase ? { passphrase } : {});
  } catch (error) {
    if (/encrypted/i.test(errorMessage(error))) throw new InputError(`${path}: the key is protected by a passphrase: add it to ssh-agent (ssh-add ${path}) and use --ssh-agent`);
    throw new InputError(`${path}: not a readable OpenSSH private key`);
  }
  if (parsed.type !== 'ed25519') throw new InputError(`${path}: an Ed25519 key is required (got ${parsed.type})`);
  // sshpk holds the seed (k) and public point (A); Node takes them as a JWK.
  const part = (name: string) => (parsed.part as unknown as Record<string, { data: Buffer }>)[name]?.data;
  const [seed, point] = [part('k'), part('A')];
  if (!seed || !point) throw new InputError(`${path}: not a readable OpenSSH Ed25519 key`);
  return fileSigner(createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.subarray(0, 32).toString('base64url'), x: point.toString('base64url') }, format: 'jwk' }), path);
}

interface KeyConfig {
  /** `ssh-agent`, or a path to a key file. */
  key?: string;
  /** Who this person is (`Name <email>`), said once with --by. */
  identity?: string;
}

function readConfig(env: Env): KeyConfig {
  try {
    return JSON.parse(readFileSync(join(configDir(env), CONFIG_FILE), 'utf8')) as KeyConfig;
  } catch {
    return {};
  }
}

function writeConfig(env: Env, update: KeyConfig): void {
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  writeFileSync(join(configDir(env), CONFIG_FILE), `${JSON.stringify({ ...readConfig(env), ...update }, null, 2)}\n`, { mode: 0o600 });
}

/** Remembers the key the user named, so later `attest` runs use it without the flag. */
export function rememberKey(env: Env, key: string): void {
  writeConfig(env, { key });
}

export function rememberIdentity(env: Env, identity: string): void {
  writeConfig(env, { identity });
}

export function rememberedIdentity(env: Env): string | undefined {
  return readConfig(env).identity;
}

export interface PersonalChoice {
  /** --ssh-key FILE (OpenSSH or PEM Ed25519 private key). */
  sshKey?: string;
  /** --ssh-agent: sign with the agent's Ed25519 key (SSH_AUTH_SOCK). */
  sshAgent?: boolean;
}

/** The person's signer: a named key (remembered), else the remembered one, else the personal key file; null when there is none. */
export async function personalSigner(env: Env, choice: PersonalChoice = {}): Promise<KeySigner | null> {
  if (choice.sshAgent) {
    const signer = await agentSigner(env);
    rememberKey(env, 'ssh-agent');
    return signer;
  }
  if (choice.sshKey) {
    const signer = await keyFileSigner(choice.sshKey);
    rememberKey(env, resolve(choice.sshKey));
    return signer;
  }
  const remembered = readConfig(env).key;
  if (remembered === 'ssh-agent') return agentSigner(env);
  if (remembered) return keyFileSigner(remembered);
  const file = personalKeyPath(env);
  return existsSync(file) ? keyFileSigner(file) : null;
}
