import type { Severity } from '../catalog/schema.js';
import type { EntryResult } from '../engine/result.js';
import type { RunOutcome } from '../engine/runner.js';
import { decideVerdict, isBlocking } from '../engine/verdict.js';
import { toolVersion } from '../util/version.js';
import { groupCauses } from './causes.js';
import type { Report, ReportInputs, Signoff } from './model.js';
import type { RunCost } from '../engine/runner.js';

export interface ReportOptions {
  envFile: string | undefined;
  failOn: Severity;
  timeoutMs: number;
  insecure: boolean;
  notes?: string[];
  deployment?: string | null;
  signoff?: Signoff;
  generatedAt?: string;
  tool?: Report['tool'];
  inputs?: ReportInputs;
}

export function buildReport(outcome: RunOutcome, options: ReportOptions): Report {
  return assembleReport(outcome.results, { ...options, interrupted: outcome.interrupted, durationMs: outcome.durationMs, cost: outcome.cost });
}

/** The one report model every format renders: verdict, gate counts, causes, and each result's `blocking`. */
export function assembleReport(input: readonly EntryResult[], options: ReportOptions & { interrupted: boolean; durationMs: number; cost?: RunCost | undefined }): Report {
  const results = input.map((result) => ({ ...result, blocking: isBlocking(result, options.failOn) }));
  const verdict = decideVerdict(results, options.failOn, options.interrupted);
  const causes = groupCauses(results, options.failOn);
  return {
    schemaVersion: 1,
    tool: options.tool ?? { name: 'bazaarhub-check', version: toolVersion() },
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    target: { envFile: options.envFile ?? null, ...(options.deployment !== undefined ? { deployment: options.deployment } : {}) },
    ...(options.inputs ? { inputs: options.inputs } : {}),
    options: { failOn: options.failOn, timeoutMs: options.timeoutMs, insecure: options.insecure },
    verdict: verdict.verdict,
    exitCode: verdict.exitCode,
    summary: verdict.summary,
    counts: verdict.counts,
    interrupted: options.interrupted,
    durationMs: Math.round(options.durationMs),
    notes: options.notes ?? [],
    ...(options.cost ? { cost: options.cost } : {}),
    causes,
    results,
    ...(options.signoff ? { signoff: options.signoff } : {}),
  };
}
