import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogEntry } from '../../src/catalog/schema.js';
import type { AttestationInput } from '../../src/attest/ledger.js';
import { ROOT } from '../helpers/cli.js';

export const HMAC_KEY = 'test-attest-key-0123456789abcdefghijklmnop';

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `bhc-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A project folder `dir` with the real catalog and checklist (a ledger lands beside the catalog). */
export function copyProject(dir: string): string {
  mkdirSync(join(dir, 'checklists'), { recursive: true });
  copyFileSync(join(ROOT, 'bazaarhub-checks.yaml'), join(dir, 'bazaarhub-checks.yaml'));
  copyFileSync(join(ROOT, 'checklists/deployment.md'), join(dir, 'checklists/deployment.md'));
  return dir;
}

export function ed25519Pems(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export function manualEntry(id: string, cadence: CatalogEntry['cadence'] = 'per-release', severity: CatalogEntry['severity'] = 'high'): CatalogEntry {
  return { id, title: `Item ${id}`, kind: 'task', phase: 'pre-deployment', section: 'compliance', cadence, severity, manual: true };
}

export function input(id: string, overrides: Partial<AttestationInput> = {}): AttestationInput {
  return { id, status: 'done', by: 'Asha <asha@example.com>', at: '2026-11-26T10:00:00.000Z', expires: null, evidence: 'https://wiki.example.com/x', note: null, reason: null, commit: null, ...overrides };
}

/** A throwaway git repository with a committer identity, for tag and HEAD tests. */
export function gitRepo(dir: string): (...args: string[]) => string {
  const run = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir, GIT_AUTHOR_DATE: '2026-11-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-11-01T00:00:00Z' } }).trim();
  run('init', '-q', '-b', 'main');
  run('config', 'user.name', 'Release Manager');
  run('config', 'user.email', 'rm@example.com');
  run('config', 'commit.gpgsign', 'false');
  run('config', 'tag.gpgsign', 'false');
  return run;
}
