import { readEnvFile } from '../../target/env-file.js';
import { buildTarget } from '../../target/target.js';
import { execute } from '../execute.js';
import { parseSets, readCaFiles, type RunFlags } from '../options.js';

export async function runCommand(flags: RunFlags): Promise<number> {
  const overrides = parseSets(flags.set);
  const ca = await readCaFiles(flags.ca);
  const envFile = flags.envFile ? await readEnvFile(flags.envFile) : undefined;
  const target = buildTarget({
    ...(flags.envFile ? { envFile: flags.envFile } : {}),
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
