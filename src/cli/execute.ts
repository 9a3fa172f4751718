import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AutomatedJudge } from '../attest/automated.js';
import { effectiveEntry, type SelectedEnvironment } from '../catalog/environments.js';
import { loadCatalog } from '../catalog/load.js';
import type { CatalogEntry } from '../catalog/schema.js';
import { loadProbes, loadRegistry, PROBE_IDS, type Registry } from '../engine/registry.js';
import { runEntries, type ManualResolver } from '../engine/runner.js';
import { selectEntries } from '../engine/select.js';
import { DEFAULT_APPROVER_ROLES, type ApprovalSummary } from '../attest/approval.js';
import { buildReport } from '../report/build.js';
import { FORMATS, formatNames } from '../report/formats.js';
import type { Report, ReporterContext } from '../report/model.js';
import type { Target } from '../target/target.js';
import { KNOWN_VARIABLES } from '../target/variables.js';
import { colorsEnabled } from '../util/colors.js';
import { ExitCode, InputError, errorMessage } from '../util/errors.js';
import { whileRunning } from '../util/interrupt.js';
import { redactor } from '../util/redact.js';
import { allowedCommands, parseReports, toSelection, type RunFlags } from './options.js';
import { createProgress } from './progress.js';

export interface ExecuteRequest {
  flags: RunFlags;
  target: Target;
  ca: string[];
  resolveManual?: ManualResolver;
  /** Folds not-applicable attestations and waivers into automated results. */
  judgeAutomated?: AutomatedJudge;
  notes?: string[];
  /** One line for stderr once the selection is known to be valid (before any probe runs). */
  notice?: string;
  /** What the run checked, as reports and approvals name it (the API origin or the env file). */
  deployment?: string | null;
  /** Standing release approvals for this deployment, for the sign-off. */
  approvals?: ApprovalSummary[];
  /** The deployment runs in this process (`demo`): the run's CPU is the deployment's too. */
  inProcessDeployment?: boolean;
  /** The catalog environment this run is for (`--environment`): its overrides apply to the entries. */
  environment?: SelectedEnvironment;
}

/** Loads the catalog, runs the selection, writes every requested report; returns the report. */
export async function execute(request: ExecuteRequest): Promise<Report> {
  checkFormats(request.flags);
  const report = await runReport(request);
  await writeReports(request.flags, report);
  return report;
}

export function checkFormats(flags: RunFlags): Array<{ format: string; file: string }> {
  if (!FORMATS[flags.format]) throw new InputError(`--format ${flags.format}: unknown format (known: ${formatNames().join(', ')})`);
  return parseReports(flags.report, formatNames());
}

/** Runs the selected entries (with the environment's overrides) against one target; renders nothing. */
export async function runReport({ flags, target, ca, resolveManual, judgeAutomated, notes, notice, environment, deployment, approvals, inProcessDeployment }: ExecuteRequest): Promise<Report> {
  const loaded = await loadCatalog(flags.catalog, new Map(), PROBE_IDS, loadRegistry);
  const { catalog } = loaded;
  const entries = selectEntries(catalog.entries, toSelection(flags)).map((entry) => effectiveEntry(entry, environment?.environment));
  // Only the selected probes' modules load (start-up follows the selection); their params are checked now.
  const registry = await loadProbes(entries.flatMap((entry) => (entry.probe ? [entry.probe] : [])));
  loaded.checkParams(registry);
  protectToolText(catalog.entries, registry, target);
  if (notice) process.stderr.write(`${notice}\n`);

  const controller = new AbortController();
  // Every running probe listens for Ctrl-C on this one signal.
  setMaxListeners(0, controller.signal);
  const onSigint = () => {
    // A second Ctrl-C (a second apart: see util/interrupt.ts) quits now, still exit 3 (incomplete).
    if (controller.signal.aborted) process.exit(ExitCode.Incomplete);
    process.stderr.write('\nInterrupted: finishing with a partial report (Ctrl-C again to quit now)\n');
    controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  const stopRouting = whileRunning(onSigint);
  const color = colorsEnabled(process.stderr, flags.color);
  const progress = await createProgress(entries, { tty: Boolean(process.stderr.isTTY), color, quiet: flags.quiet });
  try {
    const cpuBefore = process.cpuUsage();
    const outcome = await runEntries({
      entries,
      registry,
      target,
      options: { timeoutMs: flags.timeout, insecure: flags.insecure, ca, allowCommands: allowedCommands(flags), ...(flags.attempts ? { attempts: flags.attempts } : {}), ...(flags.maxRequests !== undefined ? { maxRequests: flags.maxRequests } : {}) },
      concurrency: flags.concurrency,
      signal: controller.signal,
      ...(resolveManual ? { resolveManual } : {}),
      hooks: progress,
    });
    await progress.done();
    const inputs = { catalog: flags.catalog, checklist: flags.checklist ?? null, ledger: flags.manual === false ? null : (flags.ledger ?? null), catalogBundled: Boolean(flags.catalogBundled), checklistBundled: Boolean(flags.checklistBundled) };
    if (judgeAutomated) outcome.results = outcome.results.map((result) => (result.probe ? judgeAutomated(result) : result));
    const report = buildReport(outcome, {
      envFile: target.envFile,
      failOn: flags.failOn,
      timeoutMs: flags.timeout,
      insecure: flags.insecure,
      inputs,
      notes: [...(notes ?? []), ...sdkNote(outcome.sdks), cpuNote(process.cpuUsage(cpuBefore), outcome.durationMs, Boolean(inProcessDeployment))],
      ...(deployment !== undefined ? { deployment } : {}),
      signoff: { roles: catalog.approvals?.roles ?? DEFAULT_APPROVER_ROLES, approvals: approvals ?? [] },
    });
    if (environment) report.target.environment = environment.name;
    return report;
  } finally {
    stopRouting();
  }
}

/**
 * The tool's own CPU over the run. Near one core for the whole run, the probes' times include
 * waiting for the tool itself (TLS handshakes, SDKs, parsing), not only for the deployment.
 */
function cpuNote(cpu: NodeJS.CpuUsage, wallMs: number, inProcessDeployment: boolean): string {
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const share = wallMs > 0 ? cpuMs / wallMs : 0;
  const whose = inProcessDeployment ? 'the process\'s own CPU (the tool and the demo deployment it runs)' : 'the tool\'s own CPU';
  const bound = share >= 0.8 && wallMs >= 250 ? `: the run was bound by ${whose}, so probe times include waiting for it` : '';
  return `CPU of the run: ${Math.round(cpuMs)} ms in ${Math.round(wallMs)} ms (${share.toFixed(2)} of a core)${bound}`;
}

function sdkNote(sdks: { loaded: string[]; ms: number }): string[] {
  if (sdks.loaded.length === 0) return [];
  const names = sdks.loaded.map((specifier) => specifier.replace(/^(nodemailer)\/.*$/, '$1'));
  return [`SDKs loaded before the first probe started, so no probe's time includes them: ${names.join(', ')} (${Math.round(sdks.ms)} ms)`];
}

/** Renders `report` to stdout (or --out) and every --report file. */
export async function writeReports(flags: RunFlags, report: Report): Promise<void> {
  const extraReports = checkFormats(flags);
  const checklist = await readChecklistText(flags.checklist);
  if (checklist) {
    const lines = checklist.text.split(/\r?\n/).map((line) => line.trim());
    redactor.protect(...lines, ...lines.map((line) => line.replace(/^[-*+]\s*\[[ xX]\]\s*/, '')));
  }
  const context = (forTerminal: boolean): ReporterContext => ({
    color: forTerminal && colorsEnabled(process.stdout, flags.color),
    verbose: flags.verbose,
    ...(checklist ? { checklist } : {}),
  });
  const render = async (format: string, forTerminal: boolean) => redactor.redact((await (FORMATS[format] as () => Promise<(r: Report, c: ReporterContext) => string>)())(report, context(forTerminal)));

  if (flags.out) {
    await writeReport(flags.out, await render(flags.format, false), '--out');
    if (flags.format !== 'terminal') process.stdout.write(await render('terminal', true));
  } else {
    process.stdout.write(await render(flags.format, flags.format === 'terminal'));
  }
  for (const { format, file } of extraReports) await writeReport(file, await render(format, false), `--report ${format}`);
}

/** The tool's own text is never altered by redaction, even where a (weak) secret is one of its words. */
function protectToolText(entries: readonly CatalogEntry[], registry: Registry, target: Target): void {
  for (const entry of entries) redactor.protect(entry.id, entry.title, entry.probe, entry.source, entry.phase, entry.section, entry.remediation, ...(entry.tags ?? []));
  for (const probe of registry.values()) redactor.protect(probe.id, probe.title, probe.description, probe.remediation);
  redactor.protect(...KNOWN_VARIABLES, ...target.names());
}

/** Written beside the target and renamed over it, so a reader (a scraper, a CI step) never sees half a report. */
async function writeReport(file: string, text: string, flag: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new InputError(`${flag} ${file}: cannot write: ${errorMessage(error)}`);
  }
}

async function readChecklistText(file: string): Promise<{ file: string; text: string } | undefined> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch {
    return undefined;
  }
}
