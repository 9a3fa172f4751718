import { createHash } from 'node:crypto';
import type { Severity } from '../catalog/schema.js';
import type { EntryResult } from '../engine/result.js';
import { INSECURE_WARNING, inputsLine, type Reporter } from './model.js';
import { STATUS_GROUP, parseSource } from './outcome.js';
import { costLine, countsLine, targetCostText } from './story.js';

/** GitLab's Code Quality severities (the Code Climate issue format), by catalog severity. */
const SEVERITY: Readonly<Record<Severity, 'blocker' | 'critical' | 'major' | 'minor' | 'info'>> = { critical: 'blocker', high: 'critical', medium: 'major', low: 'minor' };

function issue(result: EntryResult, fallbackFile: string, prefix: string) {
  const group = STATUS_GROUP[result.status];
  const source = parseSource(result.source) ?? { file: fallbackFile, line: 1 };
  const what = group === 'error' ? 'could not run' : group === 'skipped' ? 'not checked' : result.status;
  return {
    type: 'issue',
    check_name: result.probe ?? 'manual-attestation',
    description: `${prefix}${result.title} (${result.id}): ${what}: ${result.observed} (expected ${result.expected})${result.remediation ? `. Fix: ${result.remediation}` : ''}`,
    categories: ['Security'],
    // Stable across runs for the same entry and status, so GitLab can tell new findings from resolved ones.
    fingerprint: createHash('sha256').update(`${result.id}\0${result.status}`).digest('hex'),
    severity: group === 'problem' || group === 'error' ? SEVERITY[result.severity] : 'info',
    location: { path: source.file.split('\\').join('/'), lines: { begin: Math.max(1, source.line) } },
  };
}

/**
 * GitLab Code Quality JSON: one issue per entry that is not fine (failed, unattested, expired, could
 * not run, skipped, warned), located at its checklist line. Passes and current attestations are not issues.
 */
export const codequalityReporter: Reporter = (report, context) => {
  const fallback = context.checklist?.file ?? report.inputs?.checklist ?? 'DEPLOYMENT_CHECKLIST.md';
  const prefix = report.options.insecure ? `[${INSECURE_WARNING}] ` : '';
  const issues = report.results.filter((result) => STATUS_GROUP[result.status] !== 'ok').map((result) => issue(result, fallback, prefix));
  // The run's own facts (verdict, the gate counts every format prints, the files used) travel as a
  // first info issue: the format has no header.
  issues.unshift({ type: 'issue', check_name: 'bazaarhub-check', description: `${prefix}bazaarhub-check ${report.tool.version}: ${report.verdict} (exit ${report.exitCode}); Blocking (${report.counts.blocking}): ${countsLine(report.counts)}${report.inputs ? `; ${inputsLine(report.inputs)}` : ''}${report.cost ? `; ${costLine(report.cost)}${report.cost.targets.length ? ` (${report.cost.targets.map(targetCostText).join('; ')})` : ''}` : ''}`, categories: ['Security'], fingerprint: createHash('sha256').update(`inputs\0${report.verdict}`).digest('hex'), severity: 'info', location: { path: report.inputs?.catalog ?? fallback, lines: { begin: 1 } } });
  return `${JSON.stringify(issues, null, 2)}\n`;
};
