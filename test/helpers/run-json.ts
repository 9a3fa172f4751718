import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, withTempDir } from './cli.js';

export interface JsonResult {
  id: string;
  probe: string | null;
  status: string;
  observed: string;
  details?: Array<{ subject: string; status: string; observed: string }>;
}

export interface JsonRun {
  code: number | null;
  results: JsonResult[];
  stderr: string;
  /** The result of the (first) entry verifying `probe`. */
  byProbe(probe: string): JsonResult;
  /** `subject -> status` of that result's details. */
  statuses(probe: string): Record<string, string>;
}

/**
 * Runs the real binary (`run --format json`) with the given variables, selections and extra
 * flags (files in `files` are written to a temp dir first; `{dir}` in args is replaced by it).
 */
export async function runJson(vars: Record<string, string>, only: string[], extra: string[] = [], files: Record<string, string> = {}): Promise<JsonRun> {
  return withTempDir(async (dir) => {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const args = ['run', '--quiet', '--no-manual', '--format', 'json', ...Object.entries(vars).flatMap(([key, value]) => ['--set', `${key}=${value}`]), ...only.flatMap((id) => ['--only', id]), ...extra.map((arg) => arg.replaceAll('{dir}', dir))];
    const result = await runCli(args, { timeoutMs: 120_000 });
    let results: JsonResult[];
    try {
      results = (JSON.parse(result.stdout) as { results: JsonResult[] }).results;
    } catch {
      throw new Error(`no JSON report (exit ${result.code}): ${result.stderr}\n${result.stdout.slice(0, 2000)}`);
    }
    const byProbe = (probe: string) => {
      const found = results.find((entry) => entry.probe === probe);
      if (!found) throw new Error(`no result for ${probe} in ${results.map((entry) => entry.probe).join(', ')}`);
      return found;
    };
    return {
      code: result.code,
      results,
      stderr: result.stderr,
      byProbe,
      statuses: (probe) => Object.fromEntries((byProbe(probe).details ?? []).map((detail) => [detail.subject, detail.status])),
    };
  });
}

/** A minimal catalog whose entries each verify one probe with params. */
export function catalogOf(entries: Array<{ id: string; probe: string; params?: Record<string, unknown> }>): string {
  const lines = ['version: 1', 'checklist: checklists/deployment.md', 'entries:'];
  for (const entry of entries) {
    lines.push(`  - id: pre-deployment.security.${entry.id}`, `    title: ${entry.id}`, '    phase: pre-deployment', '    section: security', '    cadence: per-release', '    severity: high', `    probe: ${entry.probe}`);
    if (entry.params) lines.push(`    params: ${JSON.stringify(entry.params)}`);
  }
  return `${lines.join('\n')}\n`;
}
