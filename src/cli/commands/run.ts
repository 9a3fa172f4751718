import { readEnvFile } from '../../target/env-file.js';
import { buildTarget } from '../../target/target.js';
import { KNOWN_VARIABLES } from '../../target/variables.js';
import { execute } from '../execute.js';
import { envFileFlag, parseSets, readCaFiles, type RunFlags } from '../options.js';

export async function runCommand(options: RunFlags): Promise<number> {
  const envPath = envFileFlag(options);
  const flags: RunFlags = { ...options, ...(envPath ? { envFile: envPath } : {}) };
  const overrides = parseSets(flags.set);
  const ca = await readCaFiles(flags.ca);
  const envFile = envPath ? await readEnvFile(envPath) : undefined;
  const target = buildTarget({
    ...(envPath ? { envFile: envPath } : {}),
    ...(envFile ? { fileValues: envFile.values, fileLines: envFile.lines } : {}),
    processEnv: process.env,
    overrides,
  });
  const empty = !flags.envFile && !KNOWN_VARIABLES.some((name) => target.get(name) !== undefined);
  const notice = empty ? "bazaarhub-check: no --env-file and none of the deployment's variables (APP_URL, DATABASE_URL, REDIS_URL, ...) are set: checks that need the deployment will be skipped and the run cannot be READY" : undefined;
  const [{ loadLedgerView }, { standingApprovals }] = await Promise.all([import('../../attest/load.js'), import('../../attest/approval.js')]);
  const { resolveManual, judgeAutomated, ledger } = await loadLedgerView(flags, process.env, (text) => process.stderr.write(text));
  const deployment = deploymentName(target, flags.envFile);
  const approvals = ledger ? standingApprovals(ledger, deployment) : [];
  // An override is said in every format, not only in the sign-off table.
  const notes = approvals.filter((approval) => approval.override).map((approval) => `Release approval OVERRIDE in force: ${approval.by} approved a ${approval.report.verdict.toUpperCase()} report (${approval.report.sha256.slice(0, 12)}) as ${approval.role} on ${approval.at}: ${approval.justification ?? ''}`);
  const report = await execute({ flags, target, ca, resolveManual, judgeAutomated, deployment, approvals, ...(notes.length ? { notes } : {}), ...(notice ? { notice } : {}) });
  const { githubAnnotations, onGithubActions } = await import('../../report/github.js');
  // Annotations go to stdout unless a machine-readable report is already there.
  if (onGithubActions()) (flags.out || flags.format === 'terminal' ? process.stdout : process.stderr).write(githubAnnotations(report));
  return report.exitCode;
}

/** What a report says it checked: the API's origin (never credentials), else the env file. */
function deploymentName(target: ReturnType<typeof buildTarget>, envFile: string | undefined): string | null {
  const url = target.get('APP_URL') ?? target.get('API_URL') ?? target.get('BACKEND_URL');
  if (url) {
    try {
      return new URL(url).origin;
    } catch {
      // Not a URL: fall back to the env file.
    }
  }
  return envFile ?? null;
}
