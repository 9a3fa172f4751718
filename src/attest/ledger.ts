import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError, errorMessage } from '../util/errors.js';
import { committedText } from './git.js';
import { canonicalJson, type KeySet, type Signer } from './keys.js';
import { checkSigner, type SignatureInfo, type SignersHistory } from './signer-check.js';

/** The ledger's file name, beside the catalog; committed and append-only. */
export const LEDGER_FILE = 'bazaarhub-attestations.jsonl';
export const OUTCOMES = ['done', 'not-applicable', 'waived'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** `prev` of the first record. */
export const GENESIS = 'genesis';

export function ledgerBeside(catalogFile: string): string {
  return join(dirname(catalogFile), LEDGER_FILE);
}

const recordSchema = z
  .object({
    v: z.literal(1),
    seq: z.number().int().positive(),
    id: z.string().min(1),
    status: z.enum(OUTCOMES),
    by: z.string().min(1),
    at: z.string().datetime(),
    expires: z.string().datetime().nullable(),
    evidence: z.string().nullable(),
    note: z.string().nullable(),
    reason: z.string().nullable(),
    commit: z.string().nullable(),
    /** A waiver of an automated entry records the finding it accepts: a changed finding is not covered. */
    finding: z.object({ status: z.string().min(1), observed: z.string(), fingerprint: z.string().min(1) }).strict().optional(),
    prev: z.string().min(1),
    alg: z.enum(['hmac-sha256', 'ed25519']),
    keyId: z.string().min(1),
    sig: z.string().min(1),
  })
  .strict();

export type AttestationRecord = z.output<typeof recordSchema>;

/** A signed approval of one run's JSON report (`bazaarhub-check approve`), in the same chain. */
const approvalSchema = z
  .object({
    v: z.literal(1),
    seq: z.number().int().positive(),
    kind: z.literal('approval'),
    role: z.string().min(1),
    report: z
      .object({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        verdict: z.string().min(1),
        deployment: z.string().nullable(),
        catalogCommit: z.string().nullable(),
        generatedAt: z.string().nullable(),
      })
      .strict(),
    override: z.boolean(),
    justification: z.string().nullable(),
    by: z.string().min(1),
    at: z.string().datetime(),
    commit: z.string().nullable(),
    prev: z.string().min(1),
    alg: z.enum(['hmac-sha256', 'ed25519']),
    keyId: z.string().min(1),
    sig: z.string().min(1),
  })
  .strict();

export type ApprovalRecord = z.output<typeof approvalSchema>;
export type ApprovalInput = Pick<ApprovalRecord, 'kind' | 'role' | 'report' | 'override' | 'justification' | 'by' | 'at' | 'commit'>;
type AnyRecord = AttestationRecord | ApprovalRecord;

/** What the person attesting supplies; the ledger adds seq, prev, the key and the signature. */
export type AttestationInput = Pick<AttestationRecord, 'id' | 'status' | 'by' | 'at' | 'expires' | 'evidence' | 'note' | 'reason' | 'commit'> & Partial<Pick<AttestationRecord, 'finding'>>;

export type ProblemKind = 'truncated' | 'malformed' | 'sequence' | 'chain' | 'signature' | 'unknown-key' | 'rewritten' | 'unknown-signer' | 'signer-not-valid';

export interface LedgerProblem {
  /** 1-based line in the ledger file. */
  line: number;
  kind: ProblemKind;
  message: string;
}

export interface LedgerState {
  file: string;
  exists: boolean;
  /** Records before the first problem: the ones that may be trusted. */
  records: AttestationRecord[];
  /** Trusted approvals of run reports (bazaarhub-check approve). */
  approvals: ApprovalRecord[];
  /** Who signed each trusted record (by seq), and with what kind of key. */
  signatures: Map<number, SignatureInfo>;
  /** Whether a signers file decided identities and roles. */
  signersFile: string | null;
  /** Total lines with content, including untrusted ones. */
  lines: number;
  problems: LedgerProblem[];
}

export function lineHash(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

function payloadOf(record: Omit<AnyRecord, 'sig'> & { sig?: string }): string {
  const { sig: _sig, ...rest } = record;
  return canonicalJson(rest);
}

/** Splits ledger text into complete lines and a trailing fragment (non-empty when the last write was cut short). */
function splitLines(text: string): { lines: string[]; partial: string } {
  const parts = text.split('\n');
  const partial = parts.pop() ?? '';
  return { lines: parts.map((line) => line.replace(/\r$/, '')), partial };
}

/**
 * Verifies the whole ledger: JSON shape, sequence numbers, the hash chain and every signature,
 * a half-written last line, and (when `checkGit`) that the records committed at HEAD are still its prefix.
 */
export async function readLedger(file: string, keys: Pick<KeySet, 'verifiers'>, options: { checkGit?: boolean; signers?: SignersHistory | null } = {}): Promise<LedgerState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, exists: false, records: [], approvals: [], signatures: new Map(), signersFile: options.signers?.current.file ?? null, lines: 0, problems: [] };
    throw error;
  }
  const state = verifyLedgerText(text, file, keys, options.signers ?? null);
  if (options.checkGit) {
    const committed = await committedText(file);
    if (committed !== null && !text.startsWith(committed)) {
      const before = splitLines(committed).lines;
      const now = splitLines(text).lines;
      let line = 0;
      while (line < before.length && before[line] === now[line]) line++;
      state.problems.unshift({
        line: line + 1,
        kind: 'rewritten',
        message: `line ${line + 1} differs from the ledger committed at HEAD (${before.length} records there, ${now.length} now): committed records were removed or changed`,
      });
      state.records = state.records.filter((record) => record.seq <= line);
      state.approvals = state.approvals.filter((record) => record.seq <= line);
    }
  }
  return state;
}

/**
 * With a signers file, the keys it lists (at any version) verify signatures, and a record whose key or
 * claimed identity it does not vouch for is reported and left out, without distrusting the records
 * after it: the chain still proves nothing was edited, only that this record proves nothing.
 */
export function verifyLedgerText(text: string, file: string, keys: Pick<KeySet, 'verifiers'>, signers: SignersHistory | null = null): LedgerState {
  const { lines, partial } = splitLines(text);
  const problems: LedgerProblem[] = [];
  const records: AttestationRecord[] = [];
  const approvals: ApprovalRecord[] = [];
  const signatures = new Map<number, SignatureInfo>();
  const verifiers = signers ? [...keys.verifiers, ...signers.verifiers().filter((v) => !keys.verifiers.some((known) => known.keyId === v.keyId))] : keys.verifiers;
  let trusted = true;
  const flag = (problem: LedgerProblem) => {
    problems.push(problem);
    trusted = false;
  };
  let prevLine: string | null = null;
  lines.forEach((line, index) => {
    const number = index + 1;
    const expectedPrev = prevLine === null ? GENESIS : lineHash(prevLine);
    prevLine = line;
    if (line.trim() === '') return flag({ line: number, kind: 'malformed', message: `line ${number} is blank` });
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return flag({ line: number, kind: 'malformed', message: `line ${number} is not valid JSON` });
    }
    const parsed = (raw as { kind?: unknown } | null)?.kind === 'approval' ? approvalSchema.safeParse(raw) : recordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return flag({ line: number, kind: 'malformed', message: `line ${number}: ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` });
    }
    const record: AnyRecord = parsed.data;
    const label = 'kind' in record ? `approval by ${record.by}` : record.id;
    if (record.seq !== number) flag({ line: number, kind: 'sequence', message: `line ${number} carries seq ${record.seq}: records were deleted, inserted or reordered` });
    if (record.prev !== expectedPrev) flag({ line: number, kind: 'chain', message: `line ${number} does not chain to line ${number - 1}: a record before it was edited, deleted or reordered` });
    const verifier = verifiers.find((candidate) => candidate.alg === record.alg && candidate.keyId === record.keyId);
    if (!verifier) {
      if (!signers) return flag({ line: number, kind: 'unknown-key', message: `line ${number} is signed with ${record.alg} key ${record.keyId}, which is not configured for verification` });
      problems.push({ line: number, kind: 'unknown-signer', message: `line ${number} (${label}): unknown signer: signed with ${record.alg} key ${record.keyId}, which ${signers.current.file} does not list; the record does not count` });
      return;
    }
    // A non-canonical base64 signature (other padding bits, same bytes) is an edit too.
    if (Buffer.from(record.sig, 'base64').toString('base64') !== record.sig || !verifier.verify(payloadOf(record), record.sig)) flag({ line: number, kind: 'signature', message: `line ${number} (${label}): signature does not match: the record was edited` });
    if (!trusted) return;
    const signer = checkSigner(record, number, signers);
    if ('problem' in signer) {
      problems.push({ line: number, kind: signer.problem, message: `line ${number} (${label}): ${signer.message}` });
      return;
    }
    signatures.set(record.seq, signer);
    if ('kind' in record) approvals.push(record);
    else records.push(record);
  });
  if (partial !== '') {
    const number = lines.length + 1;
    problems.push({ line: number, kind: 'truncated', message: `line ${number} is half-written (${Buffer.byteLength(partial)} bytes without a newline): an append was interrupted` });
  }
  return { file, exists: true, records, approvals, signatures, signersFile: signers?.current.file ?? null, lines: lines.length + (partial ? 1 : 0), problems };
}

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

export interface AppendOptions {
  /** Bound on waiting for other writers (ms). */
  lockTimeoutMs?: number;
}

/**
 * Appends one signed record. Under an exclusive lock (`<ledger>.lock`, stale after 10 s), it reads the
 * ledger, refuses a half-written last line, computes `seq` and `prev` from what is on disk, then writes the
 * line with one O_APPEND write and fsyncs: concurrent writers never interleave or lose records.
 */
export function appendAttestation(file: string, input: AttestationInput, signer: Signer, options: AppendOptions = {}): Promise<AttestationRecord> {
  return appendRecord(file, input, signer, options) as Promise<AttestationRecord>;
}

export function appendApproval(file: string, input: ApprovalInput, signer: Signer, options: AppendOptions = {}): Promise<ApprovalRecord> {
  return appendRecord(file, input, signer, options) as Promise<ApprovalRecord>;
}

async function appendRecord(file: string, input: AttestationInput | ApprovalInput, signer: Signer, options: AppendOptions): Promise<AnyRecord> {
  try {
    await (await open(file, 'a')).close();
  } catch (error) {
    throw new InputError(`${file}: cannot open the ledger for appending: ${errorMessage(error)}`);
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  let compromised: Error | null = null;
  let release: () => Promise<void>;
  try {
    // Loaded here: only writers lock, and every run reads the ledger.
    const { default: lockfile } = await import('proper-lockfile');
    release = await lockfile.lock(file, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: Math.ceil(lockTimeoutMs / 25), factor: 1, minTimeout: 5, maxTimeout: 45, randomize: true },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    throw new LedgerError(`${file}: could not lock the ledger within ${lockTimeoutMs / 1000}s: ${errorMessage(error)}`);
  }
  try {
    const text = await readFile(file, 'utf8');
    const { lines, partial } = splitLines(text);
    if (partial !== '') {
      throw new LedgerError(`${file}:${lines.length + 1}: the last line is half-written (an earlier append was interrupted); nothing was appended. Inspect it with \`bazaarhub-check attest --lint\` and remove the partial line by hand.`);
    }
    const last = lines[lines.length - 1];
    const unsigned = { v: 1 as const, seq: lines.length + 1, ...input, prev: last === undefined ? GENESIS : lineHash(last), alg: signer.alg, keyId: signer.keyId } as Omit<AnyRecord, 'sig'>;
    const record = { ...unsigned, sig: await signer.sign(payloadOf(unsigned)) } as AnyRecord;
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    if (compromised) throw new LedgerError(`${file}: lost the ledger lock: ${errorMessage(compromised)}`);
    const handle = await open(file, 'a');
    try {
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
      if (bytesWritten !== bytes.length) throw new LedgerError(`${file}: short write (${bytesWritten} of ${bytes.length} bytes)`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return record;
  } finally {
    await release().catch(() => undefined);
  }
}
