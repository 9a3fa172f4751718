import { readEnvFile } from '../../target/env-file.js';
import { buildTarget } from '../../target/target.js';
import { KNOWN_VARIABLES } from '../../target/variables.js';
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
  const empty = !flags.envFile && !KNOWN_VARIABLES.some((name) => target.get(name) !== undefined);
  const notice = empty ? "bazaarhub-check: no --env-file and none of the deployment's variables (APP_URL, DATABASE_URL, REDIS_URL, ...) are set: checks that need the deployment will be skipped and the run cannot be READY" : undefined;
  const { loadLedgerJudges } = await import('../../attest/load.js');
  const { resolveManual, judgeAutomated } = await loadLedgerJudges(flags, process.env, (text) => process.stderr.write(text));
  const report = await execute({ flags, target, ca, resolveManual, judgeAutomated, ...(notice ? { notice } : {}) });
  const { githubAnnotations, onGithubActions } = await import('../../report/github.js');
  // Annotations go to stdout unless a machine-readable report is already there.
  if (onGithubActions()) (flags.out || flags.format === 'terminal' ? process.stdout : process.stderr).write(githubAnnotations(report));
  return report.exitCode;
}
