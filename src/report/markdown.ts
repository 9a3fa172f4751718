import { isBlocking } from '../engine/verdict.js';
import type { EntryResult } from '../engine/result.js';
import { formatDuration, groupBy, STATUS_ICON, summaryLine, VERDICT_TEXT } from './labels.js';
import { inputsLine, type Reporter } from './model.js';
import { renderSignoff } from './signoff.js';

/** Escapes text for a GFM table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** The release manager's view: verdict first, what blocks and how to fix it, then per-phase tables. */
export const renderMarkdown: Reporter = (report) => {
  const out: string[] = [];
  out.push(`# Deployment readiness: ${VERDICT_TEXT[report.verdict]}`, '');
  if (report.options.insecure) out.push('> **Warning:** TLS verification was turned off (`--insecure`); certificate results are not trustworthy.', '');
  if (report.interrupted) out.push('> **Interrupted:** this is a partial report.', '');
  out.push(
    `- **Verdict:** ${VERDICT_TEXT[report.verdict]} (exit code ${report.exitCode})`,
    `- **Generated:** ${report.generatedAt} by bazaarhub-check ${report.tool.version}`,
    `- **Target:** ${report.target.envFile ?? '(process environment)'}`,
    ...(report.inputs ? [`- **Inputs:** ${cell(inputsLine(report.inputs))}`] : []),
    `- **Blocking severities:** ${report.options.failOn} and above`,
    `- **Results:** ${summaryLine(report.summary)} (${formatDuration(report.durationMs)})`,
    ...report.notes.map((note) => `- **Note:** ${note}`),
    '',
  );

  const blocking = report.results.filter((result) => isBlocking(result, report.options.failOn));
  out.push(`## Blocking items (${blocking.length})`, '');
  if (blocking.length === 0) out.push('Nothing blocks this release.', '');
  const [automated, manual] = [blocking.filter((r) => r.probe), blocking.filter((r) => !r.probe)];
  if (automated.length) {
    out.push('| Status | Severity | Check | Observed | Fix |', '| --- | --- | --- | --- | --- |');
    for (const r of automated) out.push(`| ${STATUS_ICON[r.status]} ${r.status} | ${r.severity} | ${cell(r.title)} (\`${r.id}\`) | ${cell(r.observed)} | ${cell(r.remediation)} |`);
    out.push('');
  }
  if (manual.length) {
    out.push(`${manual.length} manual item(s) need a current attestation (\`bazaarhub-check attest\`):`, '');
    for (const r of manual) out.push(`- [ ] ${r.title} (\`${r.id}\`, ${r.severity}, ${r.status})`);
    out.push('');
  }

  const errors = report.results.filter((result) => result.status === 'error');
  if (errors.length) {
    out.push(`## Could not run (${errors.length})`, '');
    for (const r of errors) out.push(`- **${cell(r.title)}** (\`${r.probe}\`): ${cell(r.observed)}`);
    out.push('');
  }

  out.push('## Results by phase', '');
  for (const [phase, results] of groupBy(report.results, (result) => result.phase)) {
    out.push(`### ${phase}`, '', '| Status | Severity | Item | Check | Observed |', '| --- | --- | --- | --- | --- |');
    for (const r of results) out.push(row(r));
    out.push('');
  }
  out.push(renderSignoff(report));
  return `${out.join('\n')}\n`;
};

function row(r: EntryResult): string {
  return `| ${STATUS_ICON[r.status]} ${r.status} | ${r.severity} | ${cell(r.title)} | ${r.probe ? `\`${r.probe}\`` : 'manual'} | ${cell(r.observed)} |`;
}
