import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { InputError } from '../util/errors.js';

/** Where `init` keeps the signing key: the user's config directory, never the repository. */
export function defaultKeyDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'bazaarhub-check', 'keys');
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/**
 * A new Ed25519 pair for signing attestations: the public key (PEM) for the repository, the private
 * key written to `keyDir` (mode 0600, directory 0700). Refuses a key directory inside the repository.
 */
export function createSigningKey(repo: string, keyDir: string): { publicPem: string; privateFile: string; keyId: string } {
  if (isInside(keyDir, repo)) throw new InputError(`--key-dir ${keyDir}: inside the repository; the private signing key must not be committed (choose a directory outside ${repo})`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const privateFile = join(keyDir, `${basename(resolve(repo))}-${keyId}.pem`);
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600, flag: 'wx' });
  chmodSync(privateFile, 0o600);
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, privateFile, keyId };
}
