import type { Report } from './model.js';
import { STATUS_GROUP, parseSource } from './outcome.js';

const data = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (text: string) => data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** True when running on GitHub Actions (where workflow commands on stdout become annotations). */
export function onGithubActions(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * GitHub Actions workflow commands: `::error` for each failed check, missing or expired attestation and
 * probe error (pointing at the checklist line), `::warning` for warnings. One line each, newline-terminated.
 */
export function githubAnnotations(report: Report): string {
  const lines: string[] = [];
  for (const result of report.results) {
    const group = STATUS_GROUP[result.status];
    const skippedBlocking = group === 'skipped' && result.blocking;
    if (group !== 'problem' && group !== 'error' && group !== 'warn' && !skippedBlocking) continue;
    // A waived finding is shown as it is, but as a warning: it does not block until the waiver ends.
    const command = group === 'warn' || result.waived ? 'warning' : 'error';
    const source = parseSource(result.source);
    const props = [source ? `file=${property(source.file)}` : '', source ? `line=${source.line}` : '', `title=${property(`${result.status}${result.waived ? ' (waived)' : skippedBlocking ? ' (blocking)' : ''}: ${result.title} [${result.id}]`)}`].filter(Boolean).join(',');
    const message = `${result.observed} (expected ${result.expected})${result.remediation ? `\nFix: ${result.remediation}` : ''}`;
    lines.push(`::${command} ${props}::${data(message)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
