import type { EntryResult } from '../engine/result.js';
import { formatDuration, groupBy, STATUS_ICON, summaryLine, VERDICT_TEXT } from './labels.js';
import { inputsLine, type Reporter } from './model.js';
import { renderApproval, renderSignoffRecords } from './signoff.js';
import { costLine, countsLine, expiringSoon, lapsedWaivers, resultMarks, skippedBlocking, verdictLine, verdictReason, waiverStateText, waiversInForce, whatToSet } from './story.js';

/** Escapes text for a GFM table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** The first screens list this many causes / skipped entries; the rest fold into <details>. */
const TOP = 10;

function fold<T>(items: readonly T[], render: (item: T) => string[], what: string): string[] {
  const head = items.slice(0, TOP).flatMap(render);
  if (items.length <= TOP) return head;
  return [...head, '', `<details><summary>${items.length - TOP} more ${what}</summary>`, '', ...items.slice(TOP).flatMap(render), '', '</details>'];
}

/**
 * The release manager's view. The first two screens: verdict, why (causes with one fix each), skipped
 * entries that block (with what to set), waivers in force, what expires soon, sign-off. Detail follows.
 */
export const renderMarkdown: Reporter = (report) => {
  const out: string[] = [];
  const byId = new Map(report.results.map((r) => [r.id, r]));
  out.push(`# Deployment readiness: ${VERDICT_TEXT[report.verdict]}`, '');
  if (report.options.insecure) out.push('> **Warning:** TLS verification was turned off (`--insecure`); certificate results are not trustworthy.', '');
  if (report.interrupted) out.push('> **Interrupted:** this is a partial report.', '');
  out.push(
    `**Verdict:** ${verdictLine(report)}. ${verdictReason(report)}`,
    '',
    `**Blocking (${report.counts.blocking}):** ${countsLine(report.counts)}`,
    '',
    `<sub>${report.generatedAt} · bazaarhub-check ${report.tool.version} ·${report.target.environment ? ` environment ${report.target.environment} ·` : ''} target ${report.target.envFile ?? '(process environment)'}${report.inputs ? ` · ${cell(inputsLine(report.inputs))}` : ''} · blocking from ${report.options.failOn} · ${summaryLine(report.summary)}${report.counts.flaky ? ` · ${report.counts.flaky} flaky` : ''} · ${formatDuration(report.durationMs)}</sub>`,
    '',
    ...report.notes.map((note) => `- **Note:** ${note}`),
    ...(report.notes.length ? [''] : []),
  );

  const blockingCauses = report.causes.filter((cause) => cause.blocks !== null);
  out.push(`## Why (${blockingCauses.length} cause${blockingCauses.length === 1 ? '' : 's'})`, '');
  if (blockingCauses.length === 0) out.push('Nothing blocks this release.', '');
  else {
    out.push(
      ...fold(
        blockingCauses,
        (cause) => {
          const members = cause.entries.map((id) => byId.get(id)).filter((r): r is EntryResult => r !== undefined);
          const first = members[0] as EntryResult;
          const ids = members.slice(0, 6).map((r) => `\`${r.id}\``).join(', ') + (members.length > 6 ? `, … (${members.length - 6} more)` : '');
          const fix = cause.status === 'skipped' ? `set: ${whatToSet(first, members.length > 1)}` : `fix: ${cause.fix}`;
          return [`- ${STATUS_ICON[cause.status]} ${cause.status} **${cause.severity}** ${cell(cause.title)} — ${members.length} entr${members.length === 1 ? 'y' : 'ies'} (${cause.blocks})  `, `  ${cell(fix)}  `, `  ${ids}`];
        },
        'causes',
      ),
      '',
    );
  }

  const skipped = skippedBlocking(report.results);
  if (skipped.length) {
    out.push(`## Skipped but blocking (${skipped.length})`, '', 'These checks could not look at the deployment; set what they need, or record that they do not apply.', '');
    out.push(...fold(skipped, (r) => [`- **${cell(r.title)}** (\`${r.id}\`, ${r.severity}): ${cell(whatToSet(r))}`], 'skipped entries'), '');
  }
  const otherSkipped = report.results.filter((r) => r.status === 'skipped' && !r.blocking).length;
  if (otherSkipped) out.push(`${otherSkipped} more skipped entr${otherSkipped === 1 ? 'y is' : 'ies are'} below --fail-on or not applicable (see the detail).`, '');

  const waivers = waiversInForce(report.results);
  out.push(`## Waivers (${waivers.length})`, '');
  if (waivers.length === 0) out.push('No waivers in force.', '');
  else {
    out.push('| Item | Status | Waived finding | By | Until | Justification |', '| --- | --- | --- | --- | --- | --- |');
    for (const w of waivers) out.push(`| ${cell(w.title)} (\`${w.id}\`) | ${w.status} | ${cell(w.finding ?? 'manual item')} | ${cell(w.by)} | ${w.until}${w.expiring ? ' ⚠' : ''} | ${cell(w.justification)} |`);
    out.push('');
  }
  const lapsed = lapsedWaivers(report.results);
  for (const r of lapsed) out.push(`- \`${r.id}\`: ${cell(waiverStateText(r))}; it blocks again.`);
  if (lapsed.length) out.push('');

  const expiring = expiringSoon(report.results);
  if (expiring.length) {
    out.push(`## Expiring soon (${expiring.length})`, '');
    for (const e of expiring) out.push(`- ${cell(e.title)} (\`${e.id}\`): ${e.what} ends ${e.until}`);
    out.push('');
  }

  out.push(renderApproval(report));
  if (report.cost) {
    out.push(`## ${costLine(report.cost)}`, '');
    if (report.cost.targets.length) {
      out.push('| Target | Configured as | Protocols | Requests | Connections | TLS handshakes |', '| --- | --- | --- | ---: | ---: | ---: |');
      for (const row of report.cost.targets) out.push(`| ${cell(row.target)} | ${cell((row.names ?? []).join(', '))} | ${cell(row.protocols.join(', '))} | ${row.requests} | ${row.connections} | ${row.handshakes} |`);
      out.push(`| **Total** | | | **${report.cost.totals.requests}** | **${report.cost.totals.connections}** | **${report.cost.totals.handshakes}** |`, '');
    }
  }
  out.push('---', '', '# Detail', '');

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
  out.push(renderSignoffRecords(report, '## Attestations'));
  return `${out.join('\n')}\n`;
};

function row(r: EntryResult): string {
  const marks = [r.blocking ? '**blocking**' : '', ...resultMarks(r)].filter(Boolean);
  return `| ${STATUS_ICON[r.status]} ${r.status} | ${r.severity} | ${cell(r.title)} | ${r.probe ? `\`${r.probe}\`` : 'manual'} | ${cell(r.observed)}${marks.length ? ` (${cell(marks.join('; '))})` : ''} |`;
}
