import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Report } from '../../report/model.js';
import { diffExitCode, diffReports, renderDiffMarkdown, renderDiffText } from '../../report/diff.js';
import { InputError, errorMessage } from '../../util/errors.js';

async function readReport(file: string): Promise<Report> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${file}: not a readable JSON report (${errorMessage(error)}); write one with \`run --format json --out ${jsonName(file)}\``);
  }
  const report = raw as Partial<Report>;
  if (report?.schemaVersion !== 1 || !Array.isArray(report.results)) throw new InputError(`${file}: not a bazaarhub-check JSON report (schemaVersion 1 with results)`);
  return report as Report;
}

/** A file name to suggest for a new JSON report: never one that exists (the suggestion would overwrite it). */
export function jsonName(file: string): string {
  if (!existsSync(file)) return file.endsWith('.json') ? file : `${file}.json`;
  const stem = file.replace(/\.[^./\\]*$/, '');
  for (const candidate of [`${stem}.json`, `${stem}-report.json`, `${stem}-${Date.now()}.json`]) if (!existsSync(candidate)) return candidate;
  return 'report.json';
}

/** `diff OLD.json NEW.json`: exit 1 when something regressed or a new entry fails, 0 otherwise, 2 on bad input. */
export async function diffCommand(oldFile: string, newFile: string, flags: { format?: string }): Promise<number> {
  const format = flags.format ?? 'text';
  if (!['text', 'json', 'markdown'].includes(format)) throw new InputError(`--format ${format}: expected text, json or markdown`);
  const diff = diffReports(await readReport(oldFile), await readReport(newFile));
  const text = format === 'json' ? `${JSON.stringify({ schemaVersion: 1, ...diff }, null, 2)}\n` : format === 'markdown' ? renderDiffMarkdown(diff) : renderDiffText(diff);
  process.stdout.write(text);
  return diffExitCode(diff);
}
