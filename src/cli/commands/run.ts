import { selectEnvironments, type SelectedEnvironment } from '../../catalog/environments.js';
import { loadCatalog } from '../../catalog/load.js';
import { loadRegistry } from '../../engine/registry.js';
import { readEnvFile } from '../../target/env-file.js';
import { buildTarget, type Target } from '../../target/target.js';
import { InputError } from '../../util/errors.js';
import { execute, runReport } from '../execute.js';
import { parseSets, readCaFiles, type RunFlags } from '../options.js';

export async function runCommand(flags: RunFlags): Promise<number> {
  const overrides = parseSets(flags.set);
  const ca = await readCaFiles(flags.ca);
  const names = flags.environment ?? [];
  const environments = names.length ? selectEnvironments((await loadCatalog(flags.catalog, await loadRegistry())).catalog, flags.catalog, names) : [];
  if (environments.length > 1) {
    // Each deployment's values come from its own env file and variables only: a process variable or
    // --set would make both environments the same on that point and hide the difference.
    if (flags.envFile || flags.set?.length) throw new InputError(`${flags.envFile ? '--env-file' : '--set'}: not with several --environment (each environment names its env file and variables in the catalog)`);
    const { compareCommand } = await import('./compare.js');
    return compareCommand(flags, environments, ca);
  }
  const environment = environments[0];
  if (environment && flags.envFile && environment.envFile) throw new InputError(`--env-file: environment ${environment.name} already names its env file (${environment.environment.envFile})`);
  const target = await targetFor(flags.envFile ?? environment?.envFile, environment, { processEnv: process.env, overrides });
  const { loadManualResolver } = await import('../../attest/load.js');
  const resolveManual = await loadManualResolver(flags, process.env, (text) => process.stderr.write(text));
  const report = await execute({ flags, target, ca, resolveManual, ...(environment ? { environment } : {}) });
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
