import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { dueItems, renderDueIcs, renderDueText } from '../../attest/due.js';
import { ledgerPath, openLedger, describeProblems } from '../../attest/load.js';
import { loadCatalog } from '../../catalog/load.js';
import type { EntryResult } from '../../engine/result.js';
import { loadRegistry } from '../../engine/registry.js';
import type { Report } from '../../report/model.js';
import { ExitCode, InputError, errorMessage } from '../../util/errors.js';
import type { GlobalOptions } from '../options.js';

export interface DueFlags extends GlobalOptions {
  days: number;
  format: string;
  out?: string;
  report?: string;
  envFile?: string;
  set?: string[];
  ca?: string[];
  ledger?: string;
  releaseTags: string;
  timeout: number;
}

const CERTIFICATE_PROBE = 'tls.certificate';

/** Certificate results: from an earlier run's JSON (--report), or a live handshake per host (--env-file). */
async function certificates(flags: DueFlags, entries: Awaited<ReturnType<typeof loadCatalog>>['catalog']['entries']): Promise<EntryResult[]> {
  if (flags.report) {
    let report: Partial<Report>;
    try {
      report = JSON.parse(await readFile(flags.report, 'utf8')) as Partial<Report>;
    } catch (error) {
      throw new InputError(`--report ${flags.report}: not a readable JSON report (${errorMessage(error)})`);
    }
    if (report.schemaVersion !== 1 || !Array.isArray(report.results)) throw new InputError(`--report ${flags.report}: not a bazaarhub-check JSON report`);
    return report.results.filter((result) => result.probe === CERTIFICATE_PROBE);
  }
  if (!flags.envFile) return [];
  const [{ readEnvFile }, { buildTarget }, { parseSets, readCaFiles }, { runEntries }] = await Promise.all([import('../../target/env-file.js'), import('../../target/target.js'), import('../options.js'), import('../../engine/runner.js')]);
  const envFile = await readEnvFile(flags.envFile);
  const target = buildTarget({ envFile: flags.envFile, fileValues: envFile.values, fileLines: envFile.lines, processEnv: process.env, overrides: parseSets(flags.set) });
  const selected = entries.filter((entry) => entry.probe === CERTIFICATE_PROBE && !entry.vanished).slice(0, 1);
  const outcome = await runEntries({ entries: selected, registry: await loadRegistry(), target, options: { timeoutMs: flags.timeout, insecure: false, ca: await readCaFiles(flags.ca) }, concurrency: 4, signal: new AbortController().signal });
  return outcome.results;
}

/** `due`: exit 0 with the list (empty or not), 2 on bad input. */
export async function dueCommand(flags: DueFlags): Promise<number> {
  if (!['terminal', 'json', 'ics'].includes(flags.format)) throw new InputError(`--format ${flags.format}: expected terminal, json or ics`);
  if (!Number.isInteger(flags.days) || flags.days < 0) throw new InputError('--days expects a whole number of days');
  const { catalog } = await loadCatalog(flags.catalog, await loadRegistry());
  const { ledger } = await openLedger(ledgerPath(flags), process.env);
  const problems = describeProblems(ledger);
  if (problems) process.stderr.write(problems);
  const now = new Date();
  const items = dueItems({ entries: catalog.entries, ledger, certificates: await certificates(flags, catalog.entries), now, days: flags.days, releaseTags: flags.releaseTags });
  const text = flags.format === 'json' ? `${JSON.stringify({ schemaVersion: 1, generatedAt: now.toISOString(), days: flags.days, items }, null, 2)}\n` : flags.format === 'ics' ? await renderDueIcs(items, now) : renderDueText(items, flags.days);
  if (!flags.out) {
    process.stdout.write(text);
    return ExitCode.Ready;
  }
  try {
    await mkdir(dirname(flags.out), { recursive: true });
    await writeFile(`${flags.out}.tmp`, text);
    await rename(`${flags.out}.tmp`, flags.out);
  } catch (error) {
    throw new InputError(`--out ${flags.out}: cannot write: ${errorMessage(error)}`);
  }
  process.stderr.write(`${items.length} item(s) written to ${flags.out}\n`);
  return ExitCode.Ready;
}
