import type { Severity } from '../catalog/schema.js';
import type { RunOutcome } from '../engine/runner.js';
import { decideVerdict } from '../engine/verdict.js';
import { toolVersion } from '../util/version.js';
import type { Report, ReportInputs, Signoff } from './model.js';

export function buildReport(outcome: RunOutcome, options: { envFile: string | undefined; failOn: Severity; timeoutMs: number; insecure: boolean; notes?: string[]; deployment?: string | null; signoff?: Signoff; inputs?: ReportInputs }): Report {
  const verdict = decideVerdict(outcome.results, options.failOn, outcome.interrupted);
  return {
    schemaVersion: 1,
    tool: { name: 'bazaarhub-check', version: toolVersion() },
    generatedAt: new Date().toISOString(),
    target: { envFile: options.envFile ?? null, ...(options.deployment !== undefined ? { deployment: options.deployment } : {}) },
    ...(options.inputs ? { inputs: options.inputs } : {}),
    options: { failOn: options.failOn, timeoutMs: options.timeoutMs, insecure: options.insecure },
    verdict: verdict.verdict,
    exitCode: verdict.exitCode,
    summary: verdict.summary,
    interrupted: outcome.interrupted,
    durationMs: Math.round(outcome.durationMs),
    notes: options.notes ?? [],
    results: outcome.results,
    ...(options.signoff ? { signoff: options.signoff } : {}),
  };
}
