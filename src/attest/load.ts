import type { ManualResolver } from '../engine/runner.js';
import { InputError } from '../util/errors.js';
import { dirname } from 'node:path';
import { buildAutomatedJudge, type AutomatedJudge } from './automated.js';
import { loadKeys, type KeySet } from './keys.js';
import { ledgerBeside, readLedger, type LedgerState } from './ledger.js';
import { DEFAULT_RESOLVE, buildManualResolver } from './resolve.js';
import { loadSignersHistory } from './signer-check.js';
import { signersBeside } from './signers.js';

export interface LedgerFlags {
  catalog: string;
  /** Default: bazaarhub-attestations.jsonl beside the catalog. */
  ledger?: string;
  warnDays?: number;
  releaseTags?: string;
  /** false with --no-manual: the ledger is not read at all. */
  manual?: boolean;
}

export function ledgerPath(flags: Pick<LedgerFlags, 'catalog' | 'ledger'>): string {
  return flags.ledger ?? ledgerBeside(flags.catalog);
}

/** Every problem as one line for stderr; empty when the ledger is sound. */
export function describeProblems(ledger: LedgerState, options: { fromLint?: boolean } = {}): string {
  if (ledger.problems.length === 0) return '';
  const trusted = `${ledger.records.length + ledger.approvals.length} of ${ledger.lines} record(s) trusted`;
  // attest --lint is what prints this in the first place: it must not advise running itself.
  const advice = options.fromLint ? 'restore the ledger from git or remove the damaged lines by hand, then record again' : 'run `bazaarhub-check attest --lint`';
  return `${ledger.file}: attestation ledger is damaged (${trusted}; ${advice}):\n${ledger.problems.map((p) => `  ${ledger.file}:${p.line}: ${p.kind}: ${p.message}`).join('\n')}\n`;
}

/** Reads and verifies the ledger with every key that may verify it: the environment's and the signers file's (at each record's commit). */
export async function openLedger(file: string, env: Readonly<Record<string, string | undefined>>): Promise<{ ledger: LedgerState; keys: KeySet; canVerify: boolean }> {
  const keys = loadKeys(env, file);
  const signers = await loadSignersHistory(file, signersBeside(file), dirname(file));
  const ledger = await readLedger(file, keys, { checkGit: true, signers });
  return { ledger, keys, canVerify: keys.verifiers.length > 0 || signers !== null };
}

/**
 * The ManualResolver for `run`: reads and verifies the ledger (signatures need BAZAARHUB_ATTEST_KEY,
 * BAZAARHUB_ATTEST_PUBLIC_KEY or the committed public key file), warns on stderr when it is damaged.
 */
export async function loadManualResolver(flags: LedgerFlags, env: Readonly<Record<string, string | undefined>>, warn: (text: string) => void, now = new Date()): Promise<ManualResolver> {
  return (await loadLedgerView(flags, env, warn, now)).resolveManual;
}

/**
 * The resolver for manual items, the judge for automated entries (not-applicable attestations and
 * waivers, read with --no-manual too) and the verified ledger they were built from (approvals, signers).
 */
export async function loadLedgerView(flags: LedgerFlags, env: Readonly<Record<string, string | undefined>>, warn: (text: string) => void, now = new Date()): Promise<{ resolveManual: ManualResolver; judgeAutomated: AutomatedJudge; ledger: LedgerState | null }> {
  const file = ledgerPath(flags);
  const warnDays = flags.warnDays ?? DEFAULT_RESOLVE.warnDays;
  if (!Number.isInteger(warnDays) || warnDays < 0) throw new InputError('--warn-days expects a whole number of days (0 turns the warning off)');
  const { ledger, keys, canVerify } = await openLedger(file, env);
  const trusted = canVerify ? ledger : null;
  // --no-manual leaves the items out, not the ledger: its release approvals still fill the sign-off.
  const judgeAutomated = buildAutomatedJudge(ledger, { now, warnDays });
  if (flags.manual === false) return { resolveManual: () => ({ status: 'unattested', observed: 'manual items were left out (--no-manual)', expected: 'a current attestation' }), judgeAutomated, ledger: trusted };
  if (ledger.exists && ledger.lines > 0 && !canVerify) warn(`${file}: attestations cannot be verified, so none count: ${keys.missing}, or BAZAARHUB_ATTEST_PUBLIC_KEY\n`);
  else warn(describeProblems(ledger));
  return { resolveManual: await buildManualResolver(ledger, { now, warnDays, releaseTags: flags.releaseTags ?? DEFAULT_RESOLVE.releaseTags }), judgeAutomated, ledger: trusted };
}
