import type { ManualResolver } from '../engine/runner.js';
import { InputError } from '../util/errors.js';
import { buildAutomatedJudge, type AutomatedJudge } from './automated.js';
import { loadKeys } from './keys.js';
import { ledgerBeside, readLedger, type LedgerState } from './ledger.js';
import { DEFAULT_RESOLVE, buildManualResolver } from './resolve.js';

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
  const trusted = `${ledger.records.length} of ${ledger.lines} record(s) trusted`;
  // attest --lint is what prints this in the first place: it must not advise running itself.
  const advice = options.fromLint ? 'restore the ledger from git or remove the damaged lines by hand, then record again' : 'run `bazaarhub-check attest --lint`';
  return `${ledger.file}: attestation ledger is damaged (${trusted}; ${advice}):\n${ledger.problems.map((p) => `  ${ledger.file}:${p.line}: ${p.kind}: ${p.message}`).join('\n')}\n`;
}

/**
 * The ManualResolver for `run`: reads and verifies the ledger (signatures need BAZAARHUB_ATTEST_KEY,
 * BAZAARHUB_ATTEST_PUBLIC_KEY or the committed public key file), warns on stderr when it is damaged.
 */
export async function loadManualResolver(flags: LedgerFlags, env: Readonly<Record<string, string | undefined>>, warn: (text: string) => void, now = new Date()): Promise<ManualResolver> {
  return (await loadLedgerJudges(flags, env, warn, now)).resolveManual;
}

/**
 * Both judges from one verified ledger: manual entries' attestations, and automated entries'
 * not-applicable attestations and waivers (read with --no-manual too: waivers are for automated entries).
 */
export async function loadLedgerJudges(flags: LedgerFlags, env: Readonly<Record<string, string | undefined>>, warn: (text: string) => void, now = new Date()): Promise<{ resolveManual: ManualResolver; judgeAutomated: AutomatedJudge }> {
  const file = ledgerPath(flags);
  const warnDays = flags.warnDays ?? DEFAULT_RESOLVE.warnDays;
  if (!Number.isInteger(warnDays) || warnDays < 0) throw new InputError('--warn-days expects a whole number of days (0 turns the warning off)');
  const keys = loadKeys(env, file);
  const ledger = await readLedger(file, keys, { checkGit: true });
  if (ledger.exists && ledger.lines > 0 && keys.verifiers.length === 0) warn(`${file}: attestations cannot be verified, so none count: ${keys.missing}, or BAZAARHUB_ATTEST_PUBLIC_KEY\n`);
  else warn(describeProblems(ledger));
  const judgeAutomated = buildAutomatedJudge(ledger, { now, warnDays });
  if (flags.manual === false) return { resolveManual: () => ({ status: 'unattested', observed: 'manual items were left out (--no-manual)', expected: 'a current attestation' }), judgeAutomated };
  return { resolveManual: await buildManualResolver(ledger, { now, warnDays, releaseTags: flags.releaseTags ?? DEFAULT_RESOLVE.releaseTags }), judgeAutomated };
}
