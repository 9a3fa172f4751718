import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKeys } from '../../src/attest/keys.js';
import { LEDGER_FILE, readLedger } from '../../src/attest/ledger.js';
import { buildManualResolver, judgeAttestation } from '../../src/attest/resolve.js';
import { attest, prepareAttestation } from '../../src/attest/service.js';
import { runEntries } from '../../src/engine/runner.js';
import { decideVerdict } from '../../src/engine/verdict.js';
import { HMAC_KEY, gitRepo, manualEntry, tempDir } from './helpers.js';

const tmp = tempDir('resolve');
afterAll(() => tmp.remove());
const now = new Date('2026-11-26T12:00:00Z');
const record = (overrides: Record<string, unknown> = {}) => ({ v: 1 as const, seq: 1, id: 'x', status: 'done' as const, by: 'Asha', at: '2026-11-20T10:00:00.000Z', expires: null, evidence: 'https://e/1', note: null, reason: null, commit: null, prev: 'genesis', alg: 'hmac-sha256' as const, keyId: 'k', sig: 's', ...overrides });

describe('judging one manual entry', () => {
  const options = { now, warnDays: 7 };
  it('unattested without a record, attested when current, expired after its date', () => {
    expect(judgeAttestation(manualEntry('x'), undefined, options, null).status).toBe('unattested');
    const current = judgeAttestation(manualEntry('x', 'monthly'), record({ expires: '2026-12-20T10:00:00.000Z' }), options, null);
    expect(current).toMatchObject({ status: 'attested', attestation: { by: 'Asha', evidence: 'https://e/1' } });
    expect(current.observed).toContain('valid until 2026-12-20 10:00 UTC');
    const expired = judgeAttestation(manualEntry('x', 'weekly'), record({ expires: '2026-11-26T11:59:59.999Z' }), options, null);
    expect(expired.status).toBe('expired');
    expect(expired.observed).toMatch(/expired 2026-11-26 11:59 UTC/);
  });

  it('warns when an attestation expires within N days, on the last day too', () => {
    const soon = judgeAttestation(manualEntry('x', 'weekly'), record({ expires: '2026-11-28T23:59:59.999Z' }), options, null);
    expect(soon.status).toBe('warn');
    expect(soon.observed).toMatch(/expires in 2 days/);
    const today = judgeAttestation(manualEntry('x', 'weekly'), record({ expires: '2026-11-26T23:59:59.999Z' }), options, null);
    expect(today.observed).toMatch(/expires today/);
    expect(judgeAttestation(manualEntry('x', 'weekly'), record({ expires: '2026-11-28T23:59:59.999Z' }), { now, warnDays: 0 }, null).status).toBe('attested');
  });

  it('describes waivers and not-applicable items with their reasons', () => {
    const waived = judgeAttestation(manualEntry('x'), record({ status: 'waived', reason: 'vendor contract pending', expires: '2027-01-31T23:59:59.999Z' }), options, null);
    expect(waived.status).toBe('attested');
    expect(waived.observed).toMatch(/waived by Asha .*vendor contract pending.*valid until 2027-01-31/);
    expect(waived.attestation?.reason).toBe('vendor contract pending');
    const na = judgeAttestation(manualEntry('x'), record({ status: 'not-applicable', reason: 'no SMS in v1' }), options, null);
    expect(na.observed).toMatch(/not applicable \(no SMS in v1\)/);
  });

  it('expires a per-release attestation once a later release is tagged', () => {
    const outcome = judgeAttestation(manualEntry('x'), record({ commit: 'abc' }), options, 'v1.3.0');
    expect(outcome.status).toBe('expired');
    expect(outcome.observed).toMatch(/release v1.3.0 came after/);
  });
});

describe('the attest service and the resolver over a real ledger and git repository', () => {
  it('validates requests: status, reason, justification, dates, identity', async () => {
    const file = join(tmp.dir, 'rules.jsonl');
    const context = { ledgerFile: file, env: {}, now, cwd: tmp.dir };
    const entry = manualEntry('rules.x', 'weekly');
    await expect(prepareAttestation(entry, {}, context)).rejects.toThrow(/--status is required/);
    await expect(prepareAttestation(entry, { status: 'ok' }, context)).rejects.toThrow(/--status must be one of/);
    await expect(prepareAttestation(entry, { status: 'not-applicable', by: 'a' }, context)).rejects.toThrow(/--reason is required/);
    await expect(prepareAttestation(entry, { status: 'waived', by: 'a', reason: 'r' }, context)).rejects.toThrow(/--expires/);
    await expect(prepareAttestation(entry, { status: 'waived', by: 'a', reason: 'r', expires: '2026-02-30' }, context)).rejects.toThrow(/--expires: "2026-02-30" is not a calendar date/);
    await expect(prepareAttestation(entry, { status: 'done', by: 'a', expires: '2026-11-25' }, context)).rejects.toThrow(/already past/);
    await expect(prepareAttestation(entry, { status: 'done', by: 'a', expires: '2026-11-26' }, context)).resolves.toMatchObject({ expires: '2026-11-26T23:59:59.999Z' });
    await expect(prepareAttestation(entry, { status: 'done', by: 'a' }, context)).resolves.toMatchObject({ expires: '2026-12-03T12:00:00.000Z', at: now.toISOString() });
    await expect(attest(entry, { status: 'done', by: 'a' }, context)).rejects.toThrow(/BAZAARHUB_ATTEST_KEY/);
  });

  it('folds the ledger into run: attested, unattested, expired by date and by release tag, damaged ledger', async () => {
    const repo = tempDir('resolve-git');
    try {
      const git = gitRepo(repo.dir);
      writeFileSync(join(repo.dir, 'README'), 'x');
      git('add', 'README');
      git('commit', '-q', '-m', 'one');
      const ledgerFile = join(repo.dir, LEDGER_FILE);
      const env = { BAZAARHUB_ATTEST_KEY: HMAC_KEY };
      const entries = [manualEntry('r.release'), manualEntry('r.tagged'), manualEntry('r.weekly', 'weekly'), manualEntry('r.missing', 'per-release', 'low'), manualEntry('r.daily', 'daily')];
      const context = { ledgerFile, env, now: new Date('2026-11-20T12:00:00Z') };
      const byGit = await prepareAttestation(entries[0]!, { status: 'done' }, context);
      expect(byGit.by).toBe('Release Manager <rm@example.com>');
      expect(byGit.commit).toMatch(/^[0-9a-f]{40}$/);
      await attest(entries[0]!, { status: 'done', evidence: 'https://ci/1' }, context);
      await attest(entries[2]!, { status: 'done', by: 'ops' }, context);
      await attest(entries[4]!, { status: 'done', by: 'ops' }, context);
      git('tag', 'v1.0.0'); // tagging the attested commit itself does not end the attestation
      writeFileSync(join(repo.dir, 'README'), 'y');
      git('commit', '-qam', 'two');
      await attest(entries[1]!, { status: 'done', by: 'qa' }, context);
      git('commit', '-q', '--allow-empty', '-m', 'three');
      git('tag', 'v1.1.0'); // a release after r.tagged's commit (and r.release's)

      const keys = loadKeys(env, ledgerFile);
      const ledger = await readLedger(ledgerFile, keys, { checkGit: true });
      expect(ledger.problems).toEqual([]);
      const resolver = await buildManualResolver(ledger, { now: new Date('2026-11-26T12:00:00Z'), warnDays: 3, releaseTags: 'v*' });
      const outcome = await runEntries({ entries, registry: new Map(), target: undefined as never, options: { timeoutMs: 1000, insecure: false, ca: [] }, concurrency: 2, signal: new AbortController().signal, resolveManual: resolver });
      const status = Object.fromEntries(outcome.results.map((r) => [r.id, r.status]));
      expect(status).toEqual({ 'r.release': 'expired', 'r.tagged': 'expired', 'r.weekly': 'warn', 'r.missing': 'unattested', 'r.daily': 'expired' });
      const onlyNewTag = await buildManualResolver(ledger, { now: new Date('2026-11-26T12:00:00Z'), warnDays: 3, releaseTags: 'release-*' });
      expect(onlyNewTag(entries[1]!).status).toBe('attested');
      expect(outcome.results.find((r) => r.id === 'r.release')?.attestation).toMatchObject({ evidence: 'https://ci/1', by: 'Release Manager <rm@example.com>' });
      const verdict = decideVerdict(outcome.results, 'high');
      expect(verdict.verdict).toBe('not-ready');
      expect(verdict.blocking.map((r) => r.id).sort()).toEqual(['r.daily', 'r.release', 'r.tagged']);

      writeFileSync(ledgerFile, '{"half');
      const damaged = await readLedger(ledgerFile, keys);
      const fromDamaged = await buildManualResolver(damaged, { now, warnDays: 3, releaseTags: 'v*' });
      expect(fromDamaged(entries[0]!).observed).toMatch(/ledger is damaged: line 1 is half-written/);
    } finally {
      repo.remove();
    }
  });
});
