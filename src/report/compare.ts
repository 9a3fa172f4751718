import type { Severity } from '../catalog/schema.js';
import type { Status } from '../engine/types.js';
import type { Verdict } from '../engine/verdict.js';
import { ExitCode } from '../util/errors.js';
import { makeColors } from '../util/colors.js';
import { VERDICT_TEXT } from './labels.js';
import type { Report } from './model.js';

/** Several environments' reports side by side: `run --environment A --environment B`. */
export interface Comparison {
  schemaVersion: 1;
  kind: 'comparison';
  environments: Array<{ name: string; envFile: string | null; verdict: Verdict; exitCode: number; summary: Record<Status, number> }>;
  /** The combined exit code: 1 when any environment is not ready, else 3 when any is incomplete, else 0. */
  exitCode: number;
  /** Every entry, with its status (and severity, observed) in each environment. */
  entries: Array<{ id: string; title: string; differs: boolean; byEnvironment: Record<string, { status: Status; severity: Severity; observed: string } | null> }>;
  differences: number;
  /** Each environment's full report, as `--format json` would print it. */
  reports: Record<string, Report>;
}

export function compareReports(named: ReadonlyArray<{ name: string; report: Report }>): Comparison {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const { report } of named) for (const result of report.results) if (!seen.has(result.id)) { seen.add(result.id); ids.push(result.id); }
  const byId = named.map(({ name, report }) => ({ name, results: new Map(report.results.map((result) => [result.id, result])) }));
  const entries = ids.map((id) => {
    const byEnvironment: Comparison['entries'][number]['byEnvironment'] = {};
    let title = '';
    for (const { name, results } of byId) {
      const result = results.get(id);
      title ||= result?.title ?? '';
      byEnvironment[name] = result ? { status: result.status, severity: result.severity, observed: result.observed } : null;
    }
    const values = Object.values(byEnvironment);
    const differs = values.some((value) => value?.status !== values[0]?.status || value?.severity !== values[0]?.severity);
    return { id, title, differs, byEnvironment };
  });
  const codes = named.map(({ report }) => report.exitCode);
  const exitCode = codes.includes(ExitCode.NotReady) ? ExitCode.NotReady : codes.includes(ExitCode.Incomplete) ? ExitCode.Incomplete : ExitCode.Ready;
  return {
    schemaVersion: 1,
    kind: 'comparison',
    environments: named.map(({ name, report }) => ({ name, envFile: report.target.envFile, verdict: report.verdict, exitCode: report.exitCode, summary: report.summary })),
    exitCode,
    entries,
    differences: entries.filter((entry) => entry.differs).length,
    reports: Object.fromEntries(named.map(({ name, report }) => [name, report])),
  };
}

const cell = (value: { status: Status; severity: Severity } | null) => (value ? `${value.status} (${value.severity})` : 'not run');

export function renderComparisonTerminal(comparison: Comparison, color: boolean): string {
  const colors = makeColors(color);
  const names = comparison.environments.map((environment) => environment.name);
  const width = Math.max(...comparison.entries.map((entry) => entry.id.length), 10);
  const lines = [colors.bold(`bazaarhub-check: ${names.join(' vs ')}: ${comparison.differences} difference(s) (exit ${comparison.exitCode})`)];
  for (const environment of comparison.environments) lines.push(`  ${environment.name.padEnd(12)} ${VERDICT_TEXT[environment.verdict]} (exit ${environment.exitCode}) · ${environment.envFile ?? '(no env file)'}`);
  lines.push('', colors.bold(`Differences (${comparison.differences}):`));
  const differing = comparison.entries.filter((entry) => entry.differs);
  if (!differing.length) lines.push('  none: every entry has the same status and severity in each environment');
  for (const entry of differing) {
    lines.push(`  ${entry.id}`);
    for (const name of names) {
      const value = entry.byEnvironment[name];
      lines.push(`    ${name.padEnd(12)} ${cell(value ?? null)}${value ? `: ${value.observed}` : ''}`);
    }
  }
  lines.push('', colors.bold('Every entry:'), `  ${'id'.padEnd(width)}  ${names.map((name) => name.padEnd(22)).join(' ')}`);
  for (const entry of comparison.entries) {
    const row = `  ${entry.id.padEnd(width)}  ${names.map((name) => cell(entry.byEnvironment[name] ?? null).padEnd(22)).join(' ')}${entry.differs ? ' ← differs' : ''}`;
    lines.push(entry.differs ? colors.yellow(row) : row);
  }
  return `${lines.join('\n')}\n`;
}

export function renderComparisonMarkdown(comparison: Comparison): string {
  const names = comparison.environments.map((environment) => environment.name);
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# bazaarhub-check: ${names.join(' vs ')}`,
    '',
    ...comparison.environments.map((environment) => `- **${environment.name}:** ${VERDICT_TEXT[environment.verdict]} (exit ${environment.exitCode}) · ${environment.envFile ?? '(no env file)'}`),
    '',
    `## Differences (${comparison.differences})`,
    '',
    `| entry | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...comparison.entries.filter((entry) => entry.differs).map((entry) => `| \`${entry.id}\` | ${names.map((name) => { const value = entry.byEnvironment[name]; return value ? `${cell(value)}: ${escape(value.observed)}` : 'not run'; }).join(' | ')} |`),
    '',
    '## Every entry',
    '',
    `| entry | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...comparison.entries.map((entry) => `| \`${entry.id}\`${entry.differs ? ' **differs**' : ''} | ${names.map((name) => cell(entry.byEnvironment[name] ?? null)).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}
