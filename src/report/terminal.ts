import type { EntryResult } from '../engine/result.js';
import type { Status } from '../engine/types.js';
import { makeColors, type Colors } from '../util/colors.js';
import type { Cause } from './causes.js';
import { formatDuration, groupBy, STATUS_ICON, summaryLine, VERDICT_TEXT } from './labels.js';
import { inputsLine, type Reporter } from './model.js';
import { costLine, countsLine, expiringSoon, targetCostText, lapsedWaivers, resultMarks, verdictLine, verdictReason, waiverStateText, waiversInForce, whatToSet } from './story.js';

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

/** Causes list up to this many entries each; the rest are counted (every entry is in the phase list below). */
const ENTRIES_PER_CAUSE = 8;

function causeLines(colors: Colors, cause: Cause, byId: Map<string, EntryResult>): string[] {
  const members = cause.entries.map((id) => byId.get(id)).filter((r): r is EntryResult => r !== undefined);
  const first = members[0] as EntryResult;
  const lines = [`  ${paint(colors, cause.status, `${STATUS_ICON[cause.status]} ${cause.status.toUpperCase()}`)} ${colors.bold(cause.severity)} ${cause.title}${members.length > 1 ? colors.dim(` (${members.length} entries)`) : ''}`];
  if (cause.status === 'skipped') lines.push(`      set:  ${whatToSet(first, members.length > 1)}`);
  else if (cause.fix) lines.push(`      fix:  ${cause.fix}`);
  for (const r of members.slice(0, ENTRIES_PER_CAUSE)) {
    const marks = resultMarks(r);
    lines.push(`      - ${r.id} ${colors.dim(`[${r.probe ?? 'manual'}] ${r.severity}${r.blocking ? '' : ', not blocking'}${marks.length ? `; ${marks.join('; ')}` : ''}`)}`);
    if (members.length > 1 && r.observed !== cause.title && r.probe) lines.push(`          ${colors.dim(r.observed)}`);
  }
  if (members.length > ENTRIES_PER_CAUSE) lines.push(colors.dim(`      … and ${members.length - ENTRIES_PER_CAUSE} more (listed below)`));
  return lines;
}

/** The engineer's view: verdict, why (causes with fixes), waivers, then every check by phase; ends with the verdict. */
export const renderTerminal: Reporter = (report, context) => {
  const colors = makeColors(context.color);
  const lines: string[] = [];
  const verdictColor = report.verdict === 'ready' ? colors.green : report.verdict === 'not-ready' ? colors.red : colors.yellow;
  const automated = report.results.filter((result) => result.probe);
  const manual = report.results.filter((result) => !result.probe);
  const byId = new Map(report.results.map((r) => [r.id, r]));
  lines.push(colors.bold(`bazaarhub-check: ${verdictColor(VERDICT_TEXT[report.verdict])} (exit ${report.exitCode})`));
  if (report.options.insecure) lines.push(colors.red(colors.bold('WARNING: TLS verification was OFF (--insecure); certificate results are not trustworthy.')));
  if (report.interrupted) lines.push(colors.yellow('Interrupted: this is a partial report.'));
  for (const note of report.notes) lines.push(colors.dim(`note: ${note}`));
  if (report.inputs) lines.push(colors.dim(inputsLine(report.inputs)));
  lines.push(colors.dim(`${report.target.environment ? `environment ${report.target.environment} · ` : ''}target ${report.target.envFile ?? '(process env)'} · ${automated.length} automated, ${manual.length} manual · blocking from ${report.options.failOn} · ${formatDuration(report.durationMs)}`));
  lines.push(`${verdictReason(report)}`);

  const blocking = report.causes.filter((cause) => cause.blocks !== null);
  lines.push('', colors.bold(`Blocking (${report.counts.blocking}): ${countsLine(report.counts)}`));
  if (blocking.length === 0) lines.push('  Nothing blocks this release.');
  for (const cause of blocking) lines.push(...causeLines(colors, cause, byId));

  const other = report.causes.filter((cause) => cause.blocks === null && cause.key !== 'unattested');
  if (other.length && context.verbose) {
    lines.push('', colors.bold(`Not blocking (${other.reduce((n, c) => n + c.entries.length, 0)})`));
    for (const cause of other) lines.push(...causeLines(colors, cause, byId));
  }

  const waivers = waiversInForce(report.results);
  lines.push('', colors.bold(`Waivers (${waivers.length})`));
  if (waivers.length === 0) lines.push('  No waivers in force.');
  for (const w of waivers) lines.push(`  ${w.id}: ${w.status}${w.finding ? ` (${w.finding})` : ''}, waived by ${w.by} until ${w.until}${w.expiring ? ' ⚠ expiring soon' : ''}: ${w.justification}`);
  for (const r of lapsedWaivers(report.results)) lines.push(colors.yellow(`  ${r.id}: ${waiverStateText(r)}: it blocks again`));
  const expiring = expiringSoon(report.results);
  if (expiring.length) {
    lines.push('', colors.bold(`Expiring soon (${expiring.length})`));
    for (const e of expiring) lines.push(`  ${e.id}: ${e.what} ends ${e.until}`);
  }

  if (automated.length) {
    lines.push('', colors.bold('Automated checks'));
    for (const [phase, results] of groupBy(automated, (result) => result.phase)) {
      lines.push(`  ${colors.bold(phase)}`);
      for (const result of results) {
        const status = paint(colors, result.status, `${STATUS_ICON[result.status]} ${result.status.padEnd(7)}`);
        const marks = resultMarks(result);
        lines.push(`    ${status} ${result.title} ${colors.dim(`[${result.probe}]`)}${result.blocking ? colors.bold(' ■ blocking') : ''}${marks.length ? colors.dim(` (${marks.join('; ')})`) : ''}`);
        if (result.status !== 'pass' || context.verbose) lines.push(`              ${colors.dim(result.observed)}`);
      }
    }
  }

  if (manual.length) {
    const counts = groupBy(manual, (result) => result.status);
    const blockingManual = manual.filter((result) => result.blocking);
    lines.push('', colors.bold('Manual items'));
    lines.push(`  ${[...counts].map(([status, list]) => paint(colors, status as Status, `${list.length} ${status}`)).join(' · ')}${blockingManual.length ? `, ${blockingManual.length} of them blocking` : ''}`);
    if (context.verbose) {
      for (const result of manual) {
        lines.push(`    ${paint(colors, result.status, `${STATUS_ICON[result.status]} ${result.status.padEnd(10)}`)} ${result.id}${result.blocking ? colors.bold(' ■ blocking') : ''}`);
        lines.push(`               ${colors.dim(result.observed)}`);
      }
    } else if (blockingManual.length) {
      lines.push(colors.dim('  Record them with `bazaarhub-check attest`; list them with --verbose.'));
    }
  }

  if (report.cost) {
    lines.push('', colors.bold(costLine(report.cost)));
    for (const row of report.cost.targets) lines.push(`  ${targetCostText(row)}`);
  }

  lines.push('', `${colors.bold('Summary:')} ${summaryLine(report.summary)}${report.counts.flaky ? ` · ${report.counts.flaky} flaky` : ''}`);
  lines.push(colors.bold(`Verdict: ${verdictColor(verdictLine(report))} · ${countsLine(report.counts)}`));
  return `${lines.join('\n')}\n`;
};

