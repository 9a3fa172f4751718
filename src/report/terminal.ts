import { isBlocking } from '../engine/verdict.js';
import type { EntryResult } from '../engine/result.js';
import type { Status } from '../engine/types.js';
import { makeColors, type Colors } from '../util/colors.js';
import { formatDuration, groupBy, STATUS_ICON, summaryLine, VERDICT_TEXT } from './labels.js';
import { inputsLine, type Reporter } from './model.js';

function paint(colors: Colors, status: Status, text: string): string {
  switch (status) {
    case 'pass':
    case 'attested':
      return colors.green(text);
    case 'warn':
    case 'expired':
    case 'unattested':
      return colors.yellow(text);
    case 'fail':
      return colors.red(text);
    case 'error':
      return colors.magenta(text);
    default:
      return colors.dim(text);
  }
}

/** The engineer's view: verdict, what blocks and how to fix it, then every automated check by phase. */
export const renderTerminal: Reporter = (report, context) => {
  const colors = makeColors(context.color);
  const lines: string[] = [];
  const verdictColor = report.verdict === 'ready' ? colors.green : report.verdict === 'not-ready' ? colors.red : colors.yellow;
  const automated = report.results.filter((result) => result.probe);
  const manual = report.results.filter((result) => !result.probe);
  lines.push(colors.bold(`bazaarhub-check: ${verdictColor(VERDICT_TEXT[report.verdict])} (exit ${report.exitCode})`));
  if (report.options.insecure) lines.push(colors.red(colors.bold('WARNING: TLS verification was OFF (--insecure); certificate results are not trustworthy.')));
  if (report.interrupted) lines.push(colors.yellow('Interrupted: this is a partial report.'));
  for (const note of report.notes) lines.push(colors.dim(`note: ${note}`));
  if (report.inputs) lines.push(colors.dim(inputsLine(report.inputs)));
  lines.push(
    colors.dim(`target ${report.target.envFile ?? '(process env)'} · ${automated.length} automated, ${manual.length} manual · blocking from ${report.options.failOn} · ${formatDuration(report.durationMs)}`),
  );

  const blocking = report.results.filter((result) => isBlocking(result, report.options.failOn));
  const blockingAutomated = blocking.filter((result) => result.probe);
  const blockingManual = blocking.filter((result) => !result.probe);
  if (blockingAutomated.length) {
    lines.push('', colors.bold(`Blocking (${blockingAutomated.length})`));
    for (const result of blockingAutomated) lines.push(...detailed(colors, result));
  }
  const errors = report.results.filter((result) => result.status === 'error');
  if (errors.length) {
    lines.push('', colors.bold(`Could not run (${errors.length})`));
    for (const result of errors) lines.push(...detailed(colors, result));
  }

  if (automated.length) {
    lines.push('', colors.bold('Automated checks'));
    for (const [phase, results] of groupBy(automated, (result) => result.phase)) {
      lines.push(`  ${colors.bold(phase)}`);
      for (const result of results) {
        const status = paint(colors, result.status, `${STATUS_ICON[result.status]} ${result.status.padEnd(7)}`);
        lines.push(`    ${status} ${result.title} ${colors.dim(`[${result.probe}]`)}`);
        if (result.status !== 'pass' || context.verbose) lines.push(`              ${colors.dim(result.observed)}`);
      }
    }
  }

  if (manual.length) {
    const counts = groupBy(manual, (result) => result.status);
    lines.push('', colors.bold('Manual items'));
    lines.push(`  ${[...counts].map(([status, list]) => paint(colors, status as Status, `${list.length} ${status}`)).join(' · ')}${blockingManual.length ? `, ${blockingManual.length} of them blocking` : ''}`);
    if (context.verbose) {
      for (const result of manual) lines.push(`    ${paint(colors, result.status, `${STATUS_ICON[result.status]} ${result.status.padEnd(10)}`)} ${result.id}`);
    } else if (blockingManual.length) {
      lines.push(colors.dim('  Record them with `bazaarhub-check attest`; list them with --verbose.'));
    }
  }

  lines.push('', `${colors.bold('Summary:')} ${summaryLine(report.summary)}`);
  return `${lines.join('\n')}\n`;
};

function detailed(colors: Colors, result: EntryResult): string[] {
  const lines = [`  ${paint(colors, result.status, `${STATUS_ICON[result.status]} ${result.status.toUpperCase()}`)} ${colors.bold(result.severity)} ${result.id} ${colors.dim(`[${result.probe ?? 'manual'}]`)}`];
  lines.push(`      observed: ${result.observed}`);
  lines.push(`      expected: ${result.expected}`);
  if (result.remediation) lines.push(`      fix:      ${result.remediation}`);
  return lines;
}
