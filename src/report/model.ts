import type { Severity } from '../catalog/schema.js';
import type { EntryResult } from '../engine/result.js';
import type { Status } from '../engine/types.js';
import type { GateCounts, Verdict } from '../engine/verdict.js';
import type { ApprovalSummary } from '../attest/approval.js';
import type { RunCost } from '../engine/runner.js';
import type { Cause } from './causes.js';

/** The JSON contract (schemaVersion 1) and the single input of every reporter. */
export interface Report {
  schemaVersion: 1;
  tool: { name: 'bazaarhub-check'; version: string };
  generatedAt: string;
  /**
   * `deployment`: what the run checked (the API origin, else the env file); approvals name it.
   * `environment`: the catalog environment (`run --environment NAME`), when one was selected.
   */
  target: { envFile: string | null; deployment?: string | null; environment?: string };
  /** The files this report was built from; `(bundled)` marks the package's own BazaarHub copies. */
  inputs?: ReportInputs;
  options: { failOn: Severity; timeoutMs: number; insecure: boolean };
  verdict: Verdict;
  exitCode: number;
  /** Results per status (unchanged since schemaVersion 1). */
  summary: Record<Status, number>;
  /** The gate's counts, the same numbers every format prints. */
  counts: GateCounts;
  interrupted: boolean;
  durationMs: number;
  /** What the reader must know about this run, e.g. demo services that were absent and why checks were skipped. */
  notes: string[];
  /**
   * The cost to the deployment: connections, TLS handshakes and requests per target (host:port) and
   * in total, and with --max-requests the budget and the entries it skipped. Absent in reports
   * assembled without a run (older reports read back).
   */
  cost?: RunCost;
  /** The results that are not fine, grouped by reason, blocking first (see causes.ts). */
  causes: Cause[];
  results: EntryResult[];
  /** Who must approve a release, and the signed approvals standing for this deployment (bazaarhub-check approve). */
  signoff?: Signoff;
}

export interface Signoff {
  roles: string[];
  approvals: ApprovalSummary[];
}

export interface ReportInputs {
  catalog: string;
  checklist: string | null;
  /** null when manual items were left out (--no-manual) and the ledger was not read. */
  ledger: string | null;
  catalogBundled: boolean;
  checklistBundled: boolean;
}

/** One line naming the catalog, checklist and ledger, for every format's header. */
export function inputsLine(inputs: ReportInputs | undefined): string {
  if (!inputs) return '';
  return `catalog ${inputs.catalog}${inputs.catalogBundled ? ' (bundled)' : ''} · checklist ${inputs.checklist ?? '(none)'}${inputs.checklistBundled ? ' (bundled)' : ''} · ledger ${inputs.ledger ?? '(not read)'}`;
}

export interface ReporterContext {
  color: boolean;
  verbose: boolean;
  /** The checklist markdown the catalog was built from, for reporters that re-render it. */
  checklist?: { file: string; text: string };
}

export type Reporter = (report: Report, context: ReporterContext) => string;

/** Every format says this at its top when the run had TLS verification off. */
export const INSECURE_WARNING = 'TLS verification was turned off (--insecure): certificate results are not trustworthy.';
