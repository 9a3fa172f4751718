import { readFile } from 'node:fs/promises';
import { findingFingerprint } from '../../attest/automated.js';
import { formatInstant } from '../../attest/dates.js';
import { ledgerPath } from '../../attest/load.js';
import type { AttestationRecord } from '../../attest/ledger.js';
import { attest, type AttestEnvironment } from '../../attest/service.js';
import { loadCatalog } from '../../catalog/load.js';
import type { CatalogEntry } from '../../catalog/schema.js';
import { loadRegistry } from '../../engine/registry.js';
import { runEntries } from '../../engine/runner.js';
import { readEnvFile } from '../../target/env-file.js';
import { buildTarget } from '../../target/target.js';
import { ExitCode, InputError, errorMessage } from '../../util/errors.js';
import { redactor } from '../../util/redact.js';
import { parseSets, readCaFiles, type GlobalOptions } from '../options.js';
import { jsonName } from './diff.js';

export interface WaiveFlags extends GlobalOptions {
  justification?: string;
  expires?: string;
  by?: string;
  evidence?: string;
  note?: string;
  /** Take the finding from this JSON report instead of running the check now. */
  from?: string;
  envFile?: string;
  set?: string[];
  timeout: number;
  ca?: string[];
  insecure: boolean;
  ledger?: string;
}

export interface WaivedFinding {
  status: string;
  observed: string;
}

/** The entry's finding in a JSON report (`run --format json`). */
export async function findingFromReport(file: string, id: string): Promise<WaivedFinding> {
  let report: { schemaVersion?: unknown; results?: Array<{ id?: unknown; status?: unknown; observed?: unknown }> };
  try {
    report = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InputError(`--from ${file}: not a readable JSON report (${errorMessage(error)}); write one with \`run --format json --out ${jsonName(file)}\``);
  }
  if (report?.schemaVersion !== 1 || !Array.isArray(report.results)) throw new InputError(`--from ${file}: not a bazaarhub-check JSON report (schemaVersion 1 with results)`);
  const result = report.results.find((r) => r.id === id);
  if (!result || typeof result.status !== 'string' || typeof result.observed !== 'string') throw new InputError(`--from ${file}: the report has no result for ${id}`);
  return { status: result.status, observed: result.observed };
}

/** Runs the entry's probe now, against the deployment the flags describe (as `run` would). */
async function findingNow(entry: CatalogEntry, flags: WaiveFlags): Promise<WaivedFinding> {
  const envFile = flags.envFile ? await readEnvFile(flags.envFile) : undefined;
  const target = buildTarget({
    ...(flags.envFile ? { envFile: flags.envFile } : {}),
    ...(envFile ? { fileValues: envFile.values, fileLines: envFile.lines } : {}),
    processEnv: process.env,
    overrides: parseSets(flags.set),
  });
  const outcome = await runEntries({
    entries: [entry],
    registry: await loadRegistry(),
    target,
    options: { timeoutMs: flags.timeout, insecure: flags.insecure, ca: await readCaFiles(flags.ca) },
    concurrency: 1,
    signal: new AbortController().signal,
  });
  const result = outcome.results[0];
  if (!result) throw new Error('the check produced no result');
  return { status: result.status, observed: result.observed };
}

/** Signs and appends the waiver, bound to the finding it accepts. */
export async function recordWaiver(entry: CatalogEntry, finding: WaivedFinding, request: { justification?: string; expires?: string; by?: string; evidence?: string; note?: string }, context: Omit<AttestEnvironment, 'now'>): Promise<AttestationRecord> {
  if (finding.status === 'pass') throw new InputError(`${entry.id}: passes now (${finding.observed}); there is nothing to waive`);
  return attest(
    entry,
    {
      status: 'waived',
      ...(request.justification !== undefined ? { reason: request.justification } : {}),
      ...(request.expires !== undefined ? { expires: request.expires } : {}),
      ...(request.by !== undefined ? { by: request.by } : {}),
      ...(request.evidence !== undefined ? { evidence: request.evidence } : {}),
      ...(request.note !== undefined ? { note: request.note } : {}),
      finding: { status: finding.status, observed: redactor.redact(finding.observed), fingerprint: findingFingerprint(finding.status, finding.observed) },
    },
    { ...context, now: new Date() },
  );
}

export function describeWaiver(record: AttestationRecord): string {
  return `waived ${record.id} (${record.finding?.status}: ${record.finding?.observed}) by ${record.by} until ${record.expires ? formatInstant(record.expires) : '?'} (line ${record.seq}); a different finding is not covered`;
}

/** `waive ID --justification TEXT --expires DATE`: exit 0 recorded · 1 ledger damaged · 2 bad input. */
export async function waiveCommand(id: string, flags: WaiveFlags): Promise<number> {
  const { catalog } = await loadCatalog(flags.catalog, await loadRegistry());
  const entry = catalog.entries.find((candidate) => candidate.id === id);
  if (!entry) throw new InputError(`${id}: no such catalog entry (see \`bazaarhub-check list --only <prefix>\`)`);
  if (!entry.probe) throw new InputError(`${id}: a manual item; waive it with \`bazaarhub-check attest ${id} --status waived --justification TEXT --expires DATE\``);
  if (!flags.justification?.trim()) throw new InputError('--justification is required: why this risk is accepted');
  if (!flags.expires) throw new InputError('--expires YYYY-MM-DD is required: a waiver ends on a date');
  const finding = flags.from ? await findingFromReport(flags.from, id) : await findingNow(entry, flags);
  const { LedgerError } = await import('../../attest/ledger.js');
  try {
    const record = await recordWaiver(entry, finding, flags, { ledgerFile: ledgerPath(flags), env: process.env, warn: (text) => process.stderr.write(text), ...(catalog.waiverMaxDays ? { waiverMaxDays: catalog.waiverMaxDays } : {}) });
    process.stdout.write(`${describeWaiver(record)}\n`);
    return ExitCode.Ready;
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    process.stderr.write(`bazaarhub-check: ${error.message}\n`);
    return ExitCode.NotReady;
  }
}
