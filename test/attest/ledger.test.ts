import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PUBLIC_KEY_FILE, loadKeys, type KeySet } from '../../src/attest/keys.js';
import { appendAttestation, readLedger, verifyLedgerText, LedgerError, LEDGER_FILE } from '../../src/attest/ledger.js';
import { HMAC_KEY, ed25519Pems, gitRepo, input, tempDir } from './helpers.js';

const tmp = tempDir('ledger');
afterAll(() => tmp.remove());
let counter = 0;
const freshLedger = () => join(tmp.dir, `ledger-${++counter}.jsonl`);
const hmac = (file: string): KeySet => loadKeys({ BAZAARHUB_ATTEST_KEY: HMAC_KEY }, file);

async function ledgerWith(count: number): Promise<{ file: string; keys: KeySet; lines: string[] }> {
  const file = freshLedger();
  const keys = hmac(file);
  for (let i = 1; i <= count; i++) await appendAttestation(file, input(`item.${i}`), keys.signer!);
  return { file, keys, lines: readFileSync(file, 'utf8').split('\n').slice(0, -1) };
}

describe('ledger appends and verification', () => {
  it('chains, signs and verifies a clean ledger', async () => {
    const { file, keys, lines } = await ledgerWith(3);
    expect(lines).toHaveLength(3);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ v: 1, seq: 1, prev: 'genesis', alg: 'hmac-sha256', id: 'item.1' });
    expect(JSON.parse(lines[1]!).prev).toMatch(/^[0-9a-f]{64}$/);
    const state = await readLedger(file, keys);
    expect(state.problems).toEqual([]);
    expect(state.records.map((r) => r.id)).toEqual(['item.1', 'item.2', 'item.3']);
  });

  it('detects an edited record by its signature', async () => {
    const { file, keys, lines } = await ledgerWith(3);
    lines[1] = lines[1]!.replace('"status":"done"', '"status":"waived"');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const state = await readLedger(file, keys);
    expect(state.problems.map((p) => [p.line, p.kind])).toContainEqual([2, 'signature']);
    // The edit also breaks the next record's link to it.
    expect(state.problems.map((p) => [p.line, p.kind])).toContainEqual([3, 'chain']);
    expect(state.records.map((r) => r.id)).toEqual(['item.1']);
  });

  it('detects any single-character edit anywhere in the ledger', async () => {
    const { file, keys } = await ledgerWith(3);
    const text = readFileSync(file, 'utf8');
    const positions = Array.from({ length: text.length }, (_, i) => i).filter((i) => text[i] !== '\n');
    for (const i of positions) {
      const c = text[i] as string;
      const replacement = c === 'A' ? 'B' : c === '0' ? '1' : c === 'a' ? 'b' : 'A';
      const state = verifyLedgerText(text.slice(0, i) + replacement + text.slice(i + 1), file, keys);
      expect(state.problems.length, `edit at ${i} (${c} -> ${replacement})`).toBeGreaterThan(0);
    }
  });

  it('detects a deleted record (middle and first)', async () => {
    const middle = await ledgerWith(3);
    writeFileSync(middle.file, `${[middle.lines[0], middle.lines[2]].join('\n')}\n`);
    const a = await readLedger(middle.file, middle.keys);
    expect(a.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['sequence', 'chain']));
    expect(a.problems[0]!.line).toBe(2);

    const head = await ledgerWith(2);
    writeFileSync(head.file, `${head.lines[1]}\n`);
    const b = await readLedger(head.file, head.keys);
    expect(b.problems.map((p) => [p.line, p.kind])).toEqual(expect.arrayContaining([[1, 'sequence'], [1, 'chain']]));
    expect(b.records).toEqual([]);
  });

  it('detects reordered records', async () => {
    const { file, keys, lines } = await ledgerWith(3);
    writeFileSync(file, `${[lines[0], lines[2], lines[1]].join('\n')}\n`);
    const state = await readLedger(file, keys);
    expect(state.problems.filter((p) => p.kind === 'chain').map((p) => p.line)).toEqual([2, 3]);
    expect(state.records).toHaveLength(1);
  });

  it('detects a deleted last record against the ledger committed at HEAD', async () => {
    const repo = tempDir('git-ledger');
    try {
      const git = gitRepo(repo.dir);
      const file = join(repo.dir, LEDGER_FILE);
      const keys = hmac(file);
      for (const id of ['a.one', 'a.two']) await appendAttestation(file, input(id), keys.signer!);
      git('add', LEDGER_FILE);
      git('commit', '-q', '-m', 'attest');
      const lines = readFileSync(file, 'utf8').split('\n');
      writeFileSync(file, `${lines[0]}\n`);
      expect((await readLedger(file, keys)).problems).toEqual([]); // the chain alone cannot see a cut tail
      const state = await readLedger(file, keys, { checkGit: true });
      expect(state.problems[0]).toMatchObject({ kind: 'rewritten', line: 2 });
      // Appending after the committed records is fine.
      writeFileSync(file, lines.join('\n'));
      await appendAttestation(file, input('a.three'), keys.signer!);
      expect((await readLedger(file, keys, { checkGit: true })).problems).toEqual([]);
    } finally {
      repo.remove();
    }
  });

  it('reports a half-written last line, keeps the records before it, and refuses to append after it', async () => {
    const { file, keys } = await ledgerWith(2);
    const record = JSON.stringify({ v: 1, seq: 3, id: 'cut' });
    appendFileSync(file, record.slice(0, 20));
    const state = await readLedger(file, keys);
    expect(state.problems).toEqual([expect.objectContaining({ line: 3, kind: 'truncated' })]);
    expect(state.records).toHaveLength(2);
    expect(state.lines).toBe(3);
    await expect(appendAttestation(file, input('after'), keys.signer!)).rejects.toThrow(LedgerError);
    await expect(appendAttestation(file, input('after'), keys.signer!)).rejects.toThrow(/half-written/);
    expect(readFileSync(file, 'utf8').endsWith(record.slice(0, 20))).toBe(true);
  });

  it('takes over a lock left by a crashed writer once it is stale, and waits for a live one', async () => {
    const { file, keys } = await ledgerWith(1);
    mkdirSync(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await appendAttestation(file, input('after.crash'), keys.signer!);
    expect((await readLedger(file, keys)).records.map((r) => r.id)).toEqual(['item.1', 'after.crash']);
    expect(existsSync(`${file}.lock`)).toBe(false);
    mkdirSync(`${file}.lock`); // fresh: someone is writing right now
    await expect(appendAttestation(file, input('blocked'), keys.signer!, { lockTimeoutMs: 300 })).rejects.toThrow(/could not lock the ledger/);
    rmdirSync(`${file}.lock`);
  });

  it('does not trust records signed with another key', async () => {
    const { file } = await ledgerWith(1);
    const other = loadKeys({ BAZAARHUB_ATTEST_KEY: `${HMAC_KEY}-other` }, file);
    const state = await readLedger(file, other);
    expect(state.problems).toEqual([expect.objectContaining({ kind: 'unknown-key', line: 1 })]);
    expect(state.records).toEqual([]);
  });

  it('signs with Ed25519 and verifies with only the public key', async () => {
    const { privatePem, publicPem } = ed25519Pems();
    const file = freshLedger();
    const signing = loadKeys({ BAZAARHUB_ATTEST_PRIVATE_KEY: privatePem }, file);
    expect(signing.signer?.alg).toBe('ed25519');
    await appendAttestation(file, input('ed.one'), signing.signer!);
    const publicFile = join(tmp.dir, 'attest.pub.pem');
    writeFileSync(publicFile, publicPem);
    const verifying = loadKeys({ BAZAARHUB_ATTEST_PUBLIC_KEY: publicFile }, file);
    expect(verifying.signer).toBeNull();
    expect((await readLedger(file, verifying)).problems).toEqual([]);
    // The committed public key file beside the ledger is found without any variable.
    writeFileSync(join(tmp.dir, PUBLIC_KEY_FILE), publicPem);
    try {
      expect((await readLedger(file, loadKeys({}, file))).problems).toEqual([]);
    } finally {
      rmSync(join(tmp.dir, PUBLIC_KEY_FILE));
    }
    const text = readFileSync(file, 'utf8').replace('ed.one', 'ed.two');
    writeFileSync(file, text);
    expect((await readLedger(file, verifying)).problems[0]?.kind).toBe('signature');
  });

  it('rejects short HMAC keys and non-Ed25519 keys without echoing them', () => {
    expect(() => loadKeys({ BAZAARHUB_ATTEST_KEY: 'short-secret' }, 'x')).toThrow(/at least 32/);
    try {
      loadKeys({ BAZAARHUB_ATTEST_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnot-a-key-secret\n-----END PRIVATE KEY-----' }, 'x');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toMatch(/not a PEM private key/);
      expect(String(error)).not.toContain('not-a-key-secret');
    }
  });
});
