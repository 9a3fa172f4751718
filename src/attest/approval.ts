/**
 * Signed release approvals: `approve report.json --role release-manager` records that a person in a
 * role approved exactly these report bytes (their SHA-256), with the verdict, deployment and catalog
 * commit they saw; `approve --verify report.json` tells a deploy job whether the report it is about to
 * act on is unchanged and approved by every required role.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Report } from '../report/model.js';
import { InputError, errorMessage } from '../util/errors.js';
import type { ApprovalRecord, LedgerState } from './ledger.js';
import { describeSignature } from './signer-check.js';

export const DEFAULT_APPROVER_ROLES = ['release-manager'];

export interface ReportFacts {
  file: string;
  sha256: string;
  verdict: string;
  /** What the report checked: the env file and the API's origin, as far as the report says. */
  deployment: string | null;
  generatedAt: string | null;
}

export async function readReportFacts(file: string): Promise<ReportFacts> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`${file}: cannot read the report: ${errorMessage(error)}`);
  }
  let report: Partial<Report>;
  try {
    report = JSON.parse(bytes.toString('utf8')) as Partial<Report>;
  } catch {
    throw new InputError(`${file}: not a JSON report; write one with \`bazaarhub-check run --format json --out ${file}\``);
  }
  if (report?.schemaVersion !== 1 || typeof report.verdict !== 'string' || !Array.isArray(report.results)) throw new InputError(`${file}: not a bazaarhub-check JSON report (schemaVersion 1 with a verdict and results)`);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), verdict: report.verdict, deployment: deploymentOf(report), generatedAt: report.generatedAt ?? null };
}

export function deploymentOf(report: Partial<Report>): string | null {
  const target = report.target as { envFile?: string | null; deployment?: string | null } | undefined;
  return target?.deployment ?? target?.envFile ?? null;
}

export interface ApprovalSummary {
  role: string;
  by: string;
  at: string;
  /** A listed personal key of …, the team key, … */
  signedWith: string;
  /** Whether the signers file vouches that the signer holds the role (false: no signers file, so unverified). */
  roleVerified: boolean;
  report: ApprovalRecord['report'];
  override: boolean;
  justification: string | null;
  line: number;
}

export function summarizeApproval(record: ApprovalRecord, ledger: Pick<LedgerState, 'signatures' | 'signersFile'>): ApprovalSummary {
  const signature = ledger.signatures.get(record.seq);
  return {
    role: record.role,
    by: record.by,
    at: record.at,
    signedWith: signature ? describeSignature(signature) : 'unknown key',
    roleVerified: ledger.signersFile !== null && Boolean(signature?.roles.includes(record.role)),
    report: record.report,
    override: record.override,
    justification: record.justification,
    line: record.seq,
  };
}

export interface RoleCheck {
  role: string;
  approval: ApprovalSummary | null;
  /** Why there is none, when there is none. */
  reason: string | null;
}

/** For each required role: the latest approval of exactly these bytes by a signer who holds it. */
export function checkApprovals(facts: Pick<ReportFacts, 'sha256' | 'deployment'>, ledger: LedgerState, roles: readonly string[]): RoleCheck[] {
  const approvals = ledger.approvals.map((record) => summarizeApproval(record, ledger));
  return roles.map((role) => {
    const forRole = approvals.filter((approval) => approval.role === role && (ledger.signersFile === null || approval.roleVerified));
    const approval = forRole.filter((candidate) => candidate.report.sha256 === facts.sha256).at(-1) ?? null;
    if (approval) return { role, approval, reason: null };
    const other = forRole.filter((candidate) => candidate.report.deployment === facts.deployment).at(-1);
    const unverified = approvals.find((candidate) => candidate.role === role && candidate.report.sha256 === facts.sha256 && !candidate.roleVerified);
    const reason = unverified
      ? `${unverified.by} approved it as ${role} (line ${unverified.line}), but ${ledger.signersFile} does not give them that role`
      : other
        ? `approved as ${other.report.sha256.slice(0, 12)} by ${other.by} on ${other.at}; this file's SHA-256 is ${facts.sha256.slice(0, 12)}: the report changed since, or it is another run`
        : 'no approval of this report';
    return { role, approval: null, reason };
  });
}

/** The standing approvals shown in a run's sign-off: the latest per role for the same deployment. */
export function standingApprovals(ledger: LedgerState, deployment: string | null): ApprovalSummary[] {
  const latest = new Map<string, ApprovalSummary>();
  for (const record of ledger.approvals) {
    if (record.report.deployment !== deployment) continue;
    latest.set(record.role, summarizeApproval(record, ledger));
  }
  return [...latest.values()];
}
