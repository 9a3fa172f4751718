import { loadCatalog } from '../../catalog/load.js';
import type { CatalogEntry } from '../../catalog/schema.js';
import { formatInstant } from '../../attest/dates.js';
import { LedgerError, OUTCOMES, type AttestationRecord } from '../../attest/ledger.js';
import { describeProblems, ledgerPath, openLedger } from '../../attest/load.js';
import { DEFAULT_RESOLVE, buildManualResolver } from '../../attest/resolve.js';
import { attest, checkRole, checkWaiverExpiry, signingIdentity, type AttestRequest, type SignerChoice, type SignerIdentity } from '../../attest/service.js';
import { personalKeyPath } from '../../attest/personal-key.js';
import { loadRegistry } from '../../engine/registry.js';
import { selectEntries } from '../../engine/select.js';
import { ExitCode, InputError } from '../../util/errors.js';
import { toSelection, type GlobalOptions, type SelectionOptions } from '../options.js';

export interface AttestFlags extends GlobalOptions, Pick<SelectionOptions, 'phase' | 'section' | 'cadence'>, AttestRequest {
  ledger?: string;
  /** Same as --reason, the word for waivers. */
  justification?: string;
  lint?: boolean;
  /** Interactive: also offer items whose attestation is still current. */
  all?: boolean;
  /** Create a personal Ed25519 key in the config directory. */
  newKey?: boolean;
  /** Sign with this OpenSSH/PEM Ed25519 private key (remembered). */
  sshKey?: string;
  /** Sign with ssh-agent's Ed25519 key (remembered). */
  sshAgent?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;
interface Io {
  env: Env;
  interactive: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Prompts only with a terminal on both ends and outside CI. */
export function canPrompt(env: Env = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !env.CI;
}

const STD_IO: Io = { env: process.env, interactive: canPrompt(), out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Exit 0 recorded (or lint clean) · 1 the ledger is damaged (tampered, truncated) · 2 bad input or a missing flag. */
export async function attestCommand(ids: string[], flags: AttestFlags, io: Io = STD_IO): Promise<number> {
  try {
    return await attestOrLint(ids, flags, io);
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    io.err(`bazaarhub-check: ${error.message}\n`);
    return ExitCode.NotReady;
  }
}

async function attestOrLint(ids: string[], flags: AttestFlags, io: Io): Promise<number> {
  const file = ledgerPath(flags);
  if (flags.lint) return lint(file, io);
  const { catalog } = await loadCatalog(flags.catalog, await loadRegistry());
  const manual = selectEntries(catalog.entries, toSelection({ ...flags, manual: true })).filter((entry) => entry.manual);
  const byId = new Map(catalog.entries.map((entry) => [entry.id, entry]));
  const chosen = ids.map((id) => {
    const entry = byId.get(id);
    const renamed = entry ? undefined : catalog.entries.find((candidate) => candidate.previousIds?.includes(id));
    if (renamed) throw new InputError(`${id}: renamed to ${renamed.id} (its earlier attestations still count); attest ${renamed.id}`);
    if (!entry) throw new InputError(`${id}: no such catalog entry (see \`bazaarhub-check list --only <prefix>\`)`);
    // An automated entry takes only `not-applicable` (the deployment has no such thing); a risk accepted on its finding is a waiver.
    if (!entry.manual && (flags.status !== undefined || !io.interactive) && flags.status !== 'not-applicable') {
      throw new InputError(`${id}: verified by probe ${entry.probe}; an automated entry is attested only --status not-applicable --reason TEXT (an accepted failure is a waiver: bazaarhub-check waive ${id} --justification TEXT --expires DATE)`);
    }
    return entry;
  });
  const request: AttestRequest = { ...pick(flags), reason: flags.justification ?? flags.reason };
  const choice: SignerChoice = { ...(flags.newKey ? { newKey: true } : {}), ...(flags.sshKey ? { sshKey: flags.sshKey } : {}), ...(flags.sshAgent ? { sshAgent: true } : {}) };
  const context = { ledgerFile: file, env: io.env, now: new Date(), choice, warn: io.err, ...(catalog.waiverMaxDays ? { waiverMaxDays: catalog.waiverMaxDays } : {}) };
  if (flags.newKey && chosen.length === 0) {
    // Only the key was asked for: make it and say what to add to the signers file.
    await signingIdentity(context, request.by);
    return ExitCode.Ready;
  }
  if (!io.interactive) {
    // No terminal or CI: everything comes from flags, and nothing is ever asked.
    if (chosen.length === 0) throw new InputError('give the id(s) to attest: bazaarhub-check attest <ID...> --status done|not-applicable|waived (no terminal to prompt on, or CI is set)');
    const identity = await signingIdentity(context, request.by);
    for (const entry of chosen) checkRole(entry, identity);
    for (const entry of chosen) {
      const record = await attest(entry, request, context, identity);
      io.out(`${describe(record)}\n`);
    }
    return ExitCode.Ready;
  }
  return walk(chosen.length ? chosen : manual, { explicit: chosen.length > 0, all: Boolean(flags.all) }, request, context, io);
}

/** A waiver from the walk: the finding comes from a JSON report (running probes is `waive`'s job). */
async function walkWaiver(entry: CatalogEntry, preset: AttestRequest, context: Parameters<typeof signingIdentity>[0], io: Io, input: (config: { message: string; required?: boolean; validate?: (value: string) => true | string }) => Promise<string>): Promise<number> {
  const { describeWaiver, findingFromReport, recordWaiver } = await import('./waive.js');
  const from = await input({ message: 'JSON report holding the finding to waive (run --format json --out FILE)', required: true });
  const finding = await findingFromReport(from, entry.id);
  io.out(`  finding: ${finding.status}: ${finding.observed}\n`);
  const justification = preset.reason ?? (await input({ message: 'Justification', required: true }));
  const expires = preset.expires ?? (await input({ message: 'Waived until (YYYY-MM-DD, UTC, inclusive)', required: true, validate: (v) => checkWaiverExpiry(v, new Date(), context.waiverMaxDays) }));
  const record = await recordWaiver(entry, finding, { justification, expires, ...(preset.by ? { by: preset.by } : {}) }, context);
  io.out(`  ${describeWaiver(record)}\n`);
  return 1;
}

/** On a terminal with no key at all: offer to create the personal key rather than fail. */
async function identityForWalk(context: Parameters<typeof signingIdentity>[0], by: string | undefined): Promise<SignerIdentity> {
  try {
    return await signingIdentity(context, by);
  } catch (error) {
    if (!(error instanceof InputError) || !/no signing key/.test(error.message)) throw error;
    const { confirm } = await import('@inquirer/prompts');
    if (!(await confirm({ message: `No signing key yet. Create a personal Ed25519 key in ${personalKeyPath(context.env)}?`, default: true }))) throw error;
    return signingIdentity({ ...context, choice: { ...context.choice, newKey: true } }, by);
  }
}

function pick(flags: AttestFlags): AttestRequest {
  const { status, by, evidence, note, expires } = flags;
  return Object.fromEntries(Object.entries({ status, by, evidence, note, expires }).filter(([, v]) => v !== undefined));
}

function describe(record: AttestationRecord): string {
  // Outside git (no commit recorded) nothing ends an undated attestation but a later one.
  const until = record.expires ? `until ${formatInstant(record.expires)}` : record.commit ? 'until the next release' : 'with no end date (outside git no release ends it: give --expires)';
  return `recorded ${record.id}: ${record.status} by ${record.by}, ${until} (line ${record.seq})`;
}

async function lint(file: string, io: Io): Promise<number> {
  const { ledger, keys, canVerify } = await openLedger(file, io.env);
  if (!canVerify) throw new InputError(`attest --lint cannot verify signatures: commit a bazaarhub-signers file beside the ledger, set BAZAARHUB_ATTEST_PUBLIC_KEY (Ed25519 public key), or ${keys.missing}`);
  if (!ledger.exists) {
    io.out(`${file}: no ledger yet (nothing attested)\n`);
    return ExitCode.Ready;
  }
  if (ledger.problems.length) {
    io.err(describeProblems(ledger, { fromLint: true }));
    return ExitCode.NotReady;
  }
  const who = ledger.signersFile ? `every signer listed in ${ledger.signersFile}` : 'signed with the team key (no signers file: identities are not verified)';
  io.out(`${file}: ${ledger.records.length + ledger.approvals.length} record(s), hash chain intact, every signature verified, ${who}\n`);
  return ExitCode.Ready;
}

/** The interactive walk: each manual item that is unattested or expired (or every chosen one), one at a time. */
async function walk(entries: CatalogEntry[], choice: { explicit: boolean; all: boolean }, preset: AttestRequest, context: Parameters<typeof signingIdentity>[0], io: Io): Promise<number> {
  const { select, input } = await import('@inquirer/prompts');
  const identity = await identityForWalk(context, preset.by);
  const { ledger } = await openLedger(context.ledgerFile, io.env);
  if (ledger.problems.some((problem) => problem.kind !== 'unknown-signer' && problem.kind !== 'signer-not-valid')) {
    io.err(describeProblems(ledger));
    return ExitCode.NotReady;
  }
  const resolve = await buildManualResolver(ledger, { now: context.now, ...DEFAULT_RESOLVE });
  const mayAttest = (entry: CatalogEntry) => {
    try {
      checkRole(entry, identity);
      return true;
    } catch {
      return false;
    }
  };
  const due = entries.filter((entry) => choice.explicit || choice.all || ['unattested', 'expired', 'warn'].includes(resolve(entry).status));
  const todo = due.filter(mayAttest);
  if (todo.length < due.length) io.out(`${due.length - todo.length} item(s) need a role ${identity.by} does not hold; they are left for their attesters (see \`bazaarhub-check list\`).\n`);
  if (todo.length === 0) {
    io.out('Every selected manual item has a current attestation (use --all to revisit them).\n');
    return ExitCode.Ready;
  }
  let recorded = 0;
  try {
    for (const [index, entry] of todo.entries()) {
      const state = resolve(entry);
      io.out(`\n[${index + 1}/${todo.length}] ${entry.title}\n  ${entry.id} · ${entry.phase}${entry.section ? ` / ${entry.section}` : ''} · ${entry.cadence} · ${entry.severity}\n${entry.why ? `  manual because: ${entry.why}\n` : ''}  now: ${state.status}: ${state.observed}\n`);
      // --status answers for the ids named on the command line; a walk over many items still asks each time.
      const status = (choice.explicit ? preset.status : undefined) ?? (await select({
        message: 'Outcome',
        ...(preset.status ? { default: preset.status } : {}),
        choices: [
          ...(entry.manual ? OUTCOMES : (['not-applicable'] as const)).map((value) => ({ value, name: value })),
          ...(entry.manual ? [] : [{ value: 'waive', name: `waive the current finding (bazaarhub-check waive ${entry.id})` }]),
          { value: 'skip', name: 'skip for now' },
          { value: 'quit', name: 'stop here' },
        ],
      }));
      if (status === 'quit') break;
      if (status === 'skip') continue;
      if (status === 'waive') {
        recorded += await walkWaiver(entry, preset, context, io, input);
        continue;
      }
      const reason = status === 'done' ? undefined : (preset.reason ?? (await input({ message: status === 'waived' ? 'Justification' : 'Why is it not applicable?', required: true })));
      const expires = preset.expires ?? (status === 'waived' ? await input({ message: 'Waived until (YYYY-MM-DD, UTC, inclusive)', required: true, validate: (v) => checkWaiverExpiry(v, new Date(), context.waiverMaxDays) }) : undefined);
      const evidence = preset.evidence ?? (await input({ message: 'Evidence (URL or file path, optional)' }));
      const note = preset.note ?? (await input({ message: 'Note (optional)' }));
      const request: AttestRequest = { status, by: identity.by, ...(reason ? { reason } : {}), ...(expires ? { expires } : {}), ...(evidence ? { evidence } : {}), ...(note ? { note } : {}) };
      const record = await attest(entry, request, { ...context, now: new Date() }, identity);
      recorded++;
      io.out(`  ${describe(record)}\n`);
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      io.err(`\nStopped: ${recorded} attestation(s) recorded.\n`);
      return ExitCode.Ready;
    }
    throw error;
  }
  io.out(`\n${recorded} attestation(s) recorded in ${context.ledgerFile}\n`);
  return ExitCode.Ready;
}
