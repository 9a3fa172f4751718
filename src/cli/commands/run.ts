import { readEnvFile } from '../../target/env-file.js';
import { buildTarget } from '../../target/target.js';
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
  const { loadManualResolver } = await import('../../attest/load.js');
  const resolveManual = await loadManualResolver(flags, process.env, (text) => process.stderr.write(text));
  const report = await execute({ flags, target, ca, resolveManual });
  const { githubAnnotations, onGithubActions } = await import('../../report/github.js');
  // Annotations go to stdout unless a machine-readable report is already there.
  if (onGithubActions()) (flags.out || flags.format === 'terminal' ? process.stdout : process.stderr).write(githubAnnotations(report));
  return report.exitCode;
}
