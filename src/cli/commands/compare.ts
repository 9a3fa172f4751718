import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SelectedEnvironment } from '../../catalog/environments.js';
import { compareReports, renderComparisonMarkdown, renderComparisonTerminal, type Comparison } from '../../report/compare.js';
import { colorsEnabled } from '../../util/colors.js';
import { InputError, errorMessage } from '../../util/errors.js';
import { redactor } from '../../util/redact.js';
import { runReport } from '../execute.js';
import type { RunFlags } from '../options.js';
import { deploymentName, targetFor } from './run.js';

const COMPARISON_FORMATS = ['terminal', 'json', 'markdown'];

function render(comparison: Comparison, format: string, color: boolean): string {
  const text = format === 'json' ? `${JSON.stringify(comparison, null, 2)}\n` : format === 'markdown' ? renderComparisonMarkdown(comparison) : renderComparisonTerminal(comparison, color);
  return redactor.redact(text);
}

/**
 * Runs each environment in turn in this process, each against its own target and its own FactStore
 * (runEntries makes one per run), and reports them side by side.
 */
export async function compareCommand(flags: RunFlags, environments: readonly SelectedEnvironment[], ca: string[]): Promise<number> {
  const extra = (flags.report ?? []).map((value) => {
    const eq = value.indexOf('=');
    return { format: value.slice(0, eq), file: value.slice(eq + 1) };
  });
  for (const format of [flags.format, ...extra.map((report) => report.format)]) {
    if (!COMPARISON_FORMATS.includes(format)) throw new InputError(`--format ${format}: with several --environment the formats are ${COMPARISON_FORMATS.join(', ')} (run one --environment at a time for the others)`);
  }
  const { loadLedgerView } = await import('../../attest/load.js');
  const { resolveManual, judgeAutomated } = await loadLedgerView(flags, process.env, (text) => process.stderr.write(text));
  const named = [];
  for (const environment of environments) {
    const target = await targetFor(environment.envFile, environment, {});
    if (!flags.quiet) process.stderr.write(`environment ${environment.name}\n`);
    named.push({ name: environment.name, report: await runReport({ flags, target, ca, resolveManual, judgeAutomated, environment, deployment: deploymentName(target, environment.envFile) }) });
  }
  const comparison = compareReports(named);
  const write = async (file: string, text: string, flag: string) => {
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    } catch (error) {
      throw new InputError(`${flag} ${file}: cannot write: ${errorMessage(error)}`);
    }
  };
  if (flags.out) {
    await write(flags.out, render(comparison, flags.format, false), '--out');
    if (flags.format !== 'terminal') process.stdout.write(render(comparison, 'terminal', colorsEnabled(process.stdout, flags.color)));
  } else {
    process.stdout.write(render(comparison, flags.format, flags.format === 'terminal' && colorsEnabled(process.stdout, flags.color)));
  }
  for (const { format, file } of extra) await write(file, render(comparison, format, false), `--report ${format}`);
  return comparison.exitCode;
}
