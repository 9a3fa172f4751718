import { dirname } from 'node:path';
import { DEFAULT_APPROVER_ROLES, checkApprovals, readReportFacts } from '../../attest/approval.js';
import { headCommit } from '../../attest/git.js';
import { appendApproval } from '../../attest/ledger.js';
import { ledgerPath, openLedger, describeProblems } from '../../attest/load.js';
import { signingIdentity } from '../../attest/service.js';
import { identityOf } from '../../attest/signers.js';
import { loadCatalog } from '../../catalog/load.js';
import { loadRegistry } from '../../engine/registry.js';
import { ExitCode, InputError } from '../../util/errors.js';
import type { GlobalOptions } from '../options.js';

export interface ApproveFlags extends GlobalOptions {
  role?: string[];
  verify?: boolean;
  override?: boolean;
  justification?: string;
  by?: string;
  ledger?: string;
  sshKey?: string;
  sshAgent?: boolean;
}

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** `approve REPORT --role R`: exit 0 recorded, 2 bad input. `approve --verify REPORT`: exit 0 approved by every required role and unchanged, 1 otherwise. */
export async function approveCommand(reportFile: string, flags: ApproveFlags): Promise<number> {
  const ledgerFile = ledgerPath(flags);
  const facts = await readReportFacts(reportFile);
  if (flags.verify) return verify(facts, flags, ledgerFile);
  const roles = flags.role ?? [];
  if (roles.length !== 1) throw new InputError('--role is required, once: the role you approve in (e.g. --role release-manager)');
  const [role] = roles as [string];
  if (facts.verdict !== 'ready' && !flags.override) throw new InputError(`${reportFile}: the verdict is ${facts.verdict.toUpperCase()}; approving it anyway needs --override --justification TEXT`);
  if (flags.override && !flags.justification?.trim()) throw new InputError('--override needs --justification TEXT: why the release goes ahead anyway');
  const identity = await signingIdentity({ ledgerFile, env: process.env, now: new Date(), choice: { ...(flags.sshKey ? { sshKey: flags.sshKey } : {}), ...(flags.sshAgent ? { sshAgent: true } : {}) }, warn: err }, flags.by);
  if (identity.listing && !identity.listing.roles.includes(role)) throw new InputError(`--role ${role}: ${identityOf(identity.listing)} holds ${identity.listing.roles.join(', ') || 'no role'} in ${identity.signers?.file}`);
  const record = await appendApproval(
    ledgerFile,
    {
      kind: 'approval',
      role,
      report: { sha256: facts.sha256, verdict: facts.verdict, deployment: facts.deployment, catalogCommit: await headCommit(dirname(flags.catalog)), generatedAt: facts.generatedAt },
      override: Boolean(flags.override),
      justification: flags.justification?.trim() || null,
      by: identity.by,
      at: new Date().toISOString(),
      commit: await headCommit(dirname(ledgerFile)),
    },
    identity.signer,
  );
  out(`approved ${reportFile} (sha256 ${facts.sha256.slice(0, 12)}, ${facts.verdict}${record.override ? ', OVERRIDE' : ''}) as ${role} by ${record.by} (line ${record.seq})\n`);
  return ExitCode.Ready;
}

async function verify(facts: Awaited<ReturnType<typeof readReportFacts>>, flags: ApproveFlags, ledgerFile: string): Promise<number> {
  const roles = flags.role?.length ? flags.role : await requiredRoles(flags.catalog);
  const { ledger, canVerify } = await openLedger(ledgerFile, process.env);
  if (!canVerify) throw new InputError('approve --verify cannot verify signatures: commit bazaarhub-signers beside the ledger or set BAZAARHUB_ATTEST_PUBLIC_KEY');
  const problems = describeProblems(ledger);
  if (problems) err(problems);
  const checks = checkApprovals(facts, ledger, roles);
  for (const check of checks) {
    const approval = check.approval;
    if (!approval) {
      out(`✗ ${check.role}: ${check.reason}\n`);
      continue;
    }
    const unproven = ledger.signersFile === null ? ` (identity not proven: ${approval.signedWith}; no signers file)` : '';
    out(`✓ ${check.role}: ${approval.by} on ${approval.at}, signed with ${approval.signedWith}${unproven}${approval.override ? `; OVERRIDE of a ${approval.report.verdict.toUpperCase()} report: ${approval.justification}` : ''}\n`);
  }
  const ok = checks.every((check) => check.approval);
  out(`${facts.file} (sha256 ${facts.sha256.slice(0, 12)}, ${facts.verdict}): ${ok ? 'approved' : 'NOT approved'} by ${roles.join(', ')}\n`);
  return ok ? ExitCode.Ready : ExitCode.NotReady;
}

async function requiredRoles(catalogFile: string): Promise<string[]> {
  try {
    const { catalog } = await loadCatalog(catalogFile, await loadRegistry());
    return catalog.approvals?.roles?.length ? catalog.approvals.roles : DEFAULT_APPROVER_ROLES;
  } catch (error) {
    if (error instanceof InputError && /ENOENT|cannot read|no such file/i.test(error.message)) return DEFAULT_APPROVER_ROLES;
    throw error;
  }
}
