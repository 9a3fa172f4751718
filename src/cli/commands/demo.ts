import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDemoDeployment } from '../../demo/deployment.js';
import { toEnvFile } from '../../demo/env.js';
import { readEnvFile } from '../../target/env-file.js';
import { buildTarget } from '../../target/target.js';
import { ExitCode } from '../../util/errors.js';
import { VERDICT_TEXT } from '../../report/labels.js';
import { execute } from '../execute.js';
import { readCaFiles, type RunFlags } from '../options.js';

/**
 * Starts the stand-in deployment, writes its .env.production, and runs the full catalog against it
 * through the same path as `run`. Exits 0 when the demo ran; the verdict is printed, not returned.
 */
export async function demoCommand(flags: RunFlags): Promise<number> {
  const extraCa = await readCaFiles(flags.ca);
  process.stderr.write('Starting the stand-in BazaarHub deployment on 127.0.0.1 ...\n');
  const deployment = await startDemoDeployment();
  try {
    const envPath = join(deployment.dir, '.env.production');
    await writeFile(envPath, toEnvFile(deployment.env));
    const envFile = await readEnvFile(envPath);
    const target = buildTarget({ envFile: envPath, fileValues: envFile.values, fileLines: envFile.lines });
    const services = target.services().map((service) => `${service.name} ${service.url.origin}`);
    if (services.length) process.stderr.write(`services: ${services.join(', ')}\n`);
    const report = await execute({ flags: { ...flags, ledger: undefined }, target, ca: [deployment.caPem, ...extraCa], notes: deployment.notes, inProcessDeployment: true });
    process.stderr.write(`\nDemo finished: verdict ${VERDICT_TEXT[report.verdict]}; \`bazaarhub-check run\` would exit ${report.exitCode} for this deployment.\n`);
    return ExitCode.Ready;
  } finally {
    await deployment.close();
  }
}
