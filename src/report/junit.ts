import type { EntryResult } from '../engine/result.js';
import { INSECURE_WARNING, type Reporter } from './model.js';
import { STATUS_GROUP, byPhase } from './outcome.js';
import { costLine, countsLine, resultMarks, targetCostText, waiverStateText, waiversInForce, whatToSet } from './story.js';

/** XML 1.0 forbids most control characters even when escaped: drop them. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attr = (name: string, value: string | number) => ` ${name}="${xmlEscape(String(value))}"`;
const seconds = (ms: number) => (ms / 1000).toFixed(3);

function body(result: EntryResult): string {
  const lines = [`${result.title}`, `observed: ${result.observed}`, `expected: ${result.expected}`];
  if (result.remediation) lines.push(`remediation: ${result.remediation}`);
  if (result.source) lines.push(`source: ${result.source}`);
  return xmlEscape(lines.join('\n'));
}

function testcase(result: EntryResult): string {
  const open = `    <testcase${attr('name', result.id)}${attr('classname', [result.phase, result.section].filter(Boolean).join('.'))}${attr('time', seconds(result.durationMs))}`;
  const marks = [...resultMarks(result), ...(result.waiver ? [waiverStateText(result)] : []), ...(result.blocking ? ['blocking'] : [])];
  const note = marks.length ? `\n      <system-out>${xmlEscape(marks.join('\n'))}</system-out>` : '';
  const prefix = result.waived ? 'waived: ' : '';
  switch (STATUS_GROUP[result.status]) {
    case 'problem':
      return `${open}>\n      <failure${attr('message', `${prefix}${result.status}: ${result.observed}`)}${attr('type', result.status)}>${body(result)}</failure>${note}\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error${attr('message', `${prefix}${result.observed}`)}${attr('type', 'error')}>${body(result)}</error>${note}\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped>${xmlEscape(result.status === 'skipped' && result.blocking ? `${result.observed}\nto set: ${whatToSet(result)}` : result.observed)}</skipped>${note}\n    </testcase>`;
    case 'warn':
      return `${open}>\n      <system-out>${xmlEscape([`warning: ${result.observed}`, ...marks].join('\n'))}</system-out>\n    </testcase>`;
    case 'ok':
      return note ? `${open}>${note}\n    </testcase>` : `${open}/>`;
  }
}

/** The cost as properties: the line every format prints, the totals, and one per target. */
function costProperties(report: Parameters<Reporter>[0]): string[][] {
  const cost = report.cost;
  if (!cost) return [];
  return [['cost', costLine(cost)], ...Object.entries(cost.totals).map(([name, value]) => [`cost.${name}`, String(value)]), ...cost.targets.map((row) => [`cost.target.${row.target}`, targetCostText(row)])];
}

/**
 * JUnit XML (the Jenkins/GitLab schema): one testsuite per phase, one testcase per entry; failed checks and
 * missing or expired attestations are failures, probes that could not run are errors, skipped is skipped.
 * Probes run concurrently, so a testsuite's time is its longest check (its wall time), never their sum.
 * The first suite's properties carry the verdict, the gate counts and every waiver in force.
 */
export const junitReporter: Reporter = (report) => {
  const count = (results: readonly EntryResult[], group: string) => results.filter((r) => STATUS_GROUP[r.status] === group).length;
  const suites = [...byPhase(report.results)].map(([phase, results], index) => {
    const head = `  <testsuite${attr('name', phase)}${attr('tests', results.length)}${attr('failures', count(results, 'problem'))}${attr('errors', count(results, 'error'))}${attr('skipped', count(results, 'skipped'))}${attr('time', seconds(Math.min(report.durationMs, Math.max(0, ...results.map((r) => r.durationMs)))))}${attr('timestamp', report.generatedAt.replace(/\.\d+Z$/, '').replace(/Z$/, ''))}${attr('id', index)}${attr('package', 'bazaarhub-check')}>`;
    const properties = index === 0 ? [`    <properties>`, ...[['verdict', report.verdict], ['exitCode', String(report.exitCode)], ['failOn', report.options.failOn], ['envFile', report.target.envFile ?? ''], ...(report.target.environment ? [['environment', report.target.environment]] : []), ['catalog', report.inputs?.catalog ?? ''], ['checklist', report.inputs?.checklist ?? ''], ['ledger', report.inputs?.ledger ?? ''], ['insecure', String(report.options.insecure)], ['gate', `Blocking (${report.counts.blocking}): ${countsLine(report.counts)}`], ...Object.entries(report.counts).map(([name, value]) => [`counts.${name}`, String(value)]), ...costProperties(report), ...waiversInForce(report.results).map((w) => [`waiver.${w.id}`, `${w.status}${w.finding ? ` (${w.finding})` : ''}, waived by ${w.by} until ${w.until}: ${w.justification}`])].map(([name, value]) => `      <property${attr('name', name as string)}${attr('value', value as string)}/>`), `    </properties>`] : [];
    return [head, ...properties, ...results.map(testcase), '  </testsuite>'].join('\n');
  });
  const all = report.results;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // An XML comment cannot hold "--": the flag is named without its dashes there.
    ...(report.options.insecure ? [`<!-- WARNING: ${xmlEscape(INSECURE_WARNING.replace('--insecure', 'insecure flag'))} -->`] : []),
    `<testsuites${attr('name', `bazaarhub-check: ${report.verdict}`)}${attr('tests', all.length)}${attr('failures', count(all, 'problem'))}${attr('errors', count(all, 'error'))}${attr('time', seconds(report.durationMs))}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
};
