import { selectEnvironments, type SelectedEnvironment } from '../../catalog/environments.js';
import { loadCatalog } from '../../catalog/load.js';
import { loadRegistry, PROBE_IDS } from '../../engine/registry.js';
import { readEnvFile } from '../../target/env-file.js';
import { buildTarget, type Target } from '../../target/target.js';
import { KNOWN_VARIABLES } from '../../target/variables.js';
import { InputError } from '../../util/errors.js';
import { execute, runReport } from '../execute.js';
import { envFileFlag, parseSets, readCaFiles, type RunFlags } from '../options.js';

export async function runCommand(options: RunFlags): Promise<number> {
  const envPath = envFileFlag(options);
  const flags: RunFlags = { ...options, ...(envPath ? { envFile: envPath } : {}) };
  const overrides = parseSets(flags.set);
  const ca = await readCaFiles(flags.ca);
  const names = flags.environment ?? [];
  const environments = names.length ? selectEnvironments((await loadCatalog(flags.catalog, new Map(), PROBE_IDS, loadRegistry)).catalog, flags.catalog, names) : [];
  if (environments.length > 1) {
    // Each deployment's values come from its own env file and variables only: a process variable or
    // --set would make both environments the same on that point and hide the difference.
    if (flags.envFile || flags.set?.length) throw new InputError(`${flags.envFile ? '--env-file' : '--set'}: not with several --environment (each environment names its env file and variables in the catalog)`);
    const { compareCommand } = await import('./compare.js');
    return compareCommand(flags, environments, ca);
  }
  const environment = environments[0];
  if (environment && flags.envFile && environment.envFile) throw new InputError(`--env-file: environment ${environment.name} already names its env file (${environment.environment.envFile})`);
  const envFilePath = flags.envFile ?? environment?.envFile;
  const target = await targetFor(envFilePath, environment, { processEnv: process.env, overrides });
  const empty = !envFilePath && !KNOWN_VARIABLES.some((name) => target.get(name) !== undefined);
  const notice = empty ? "bazaarhub-check: no --env-file and none of the deployment's variables (APP_URL, DATABASE_URL, REDIS_URL, ...) are set: checks that need the deployment will be skipped and the run cannot be READY" : undefined;
  const [{ loadLedgerView }, { standingApprovals }] = await Promise.all([import('../../attest/load.js'), import('../../attest/approval.js')]);
  const { resolveManual, judgeAutomated, ledger } = await loadLedgerView(flags, process.env, (text) => process.stderr.write(text));
  const deployment = deploymentName(target, envFilePath);
  const approvals = ledger ? standingApprovals(ledger, deployment) : [];
  // An override is said in every format, not only in the sign-off table.
  const notes = approvals.filter((approval) => approval.override).map((approval) => `Release approval OVERRIDE in force: ${approval.by} approved a ${approval.report.verdict.toUpperCase()} report (${approval.report.sha256.slice(0, 12)}) as ${approval.role} on ${approval.at}: ${approval.justification ?? ''}`);
  const report = await execute({ flags, target, ca, resolveManual, judgeAutomated, deployment, approvals, ...(notes.length ? { notes } : {}), ...(notice ? { notice } : {}), ...(environment ? { environment } : {}) });
  const { githubAnnotations, onGithubActions } = await import('../../report/github.js');
  // Annotations go to stdout unless a machine-readable report is already there.
  if (onGithubActions()) (flags.out || flags.format === 'terminal' ? process.stdout : process.stderr).write(githubAnnotations(report));
  return report.exitCode;
}

/** The env file, then the environment's variables, then (for one deployment) the process env and --set. */
export async function targetFor(envFilePath: string | undefined, environment: SelectedEnvironment | undefined, extra: { processEnv?: NodeJS.ProcessEnv; overrides?: ReadonlyMap<string, string> }): Promise<Target> {
  const envFile = envFilePath ? await readEnvFile(envFilePath) : undefined;
  const fileValues = new Map(envFile?.values ?? []);
  const fileLines = new Map(envFile?.lines ?? []);
  const variables = environment?.environment.variables ?? {};
  for (const [name, value] of Object.entries(variables)) fileValues.set(name, value);
  const origins = new Map(Object.keys(variables).map((name) => [name, `catalog environments.${environment?.name}.variables.${name}`]));
  return buildTarget({
    ...(envFilePath ? { envFile: envFilePath } : {}),
    fileValues,
    fileLines,
    origins,
    ...(extra.processEnv ? { processEnv: extra.processEnv } : {}),
    ...(extra.overrides ? { overrides: extra.overrides } : {}),
  });
}

export { runReport };

/** What a report says it checked: the API's origin (never credentials), else the env file. */
export function deploymentName(target: Target, envFile: string | undefined): string | null {
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
