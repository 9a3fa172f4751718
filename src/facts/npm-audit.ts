import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ProbeContext } from '../engine/types.js';
import { errorMessage } from '../util/errors.js';
import { gatherSignal } from './api.js';

export const AUDIT_SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

export interface AuditEntry {
  package: string;
  severity: AuditSeverity;
  /** The advisories' titles, or `via <package>` for a vulnerability inherited from a dependency. */
  titles: string[];
  urls: string[];
  fixAvailable?: boolean;
}

export interface AuditSummary {
  /** Where the report came from: `npm audit in <dir>` or the report file. */
  source: string;
  counts: Record<AuditSeverity, number>;
  entries: AuditEntry[];
  /** npm's own error (ENOLOCK, an unreachable registry, ...) or an unreadable report. */
  error?: string;
}

function isSeverity(value: unknown): value is AuditSeverity {
  return typeof value === 'string' && (AUDIT_SEVERITIES as readonly string[]).includes(value);
}

function emptyCounts(): Record<AuditSeverity, number> {
  return { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
}

/** Reads npm's audit JSON: version 2 (npm 7+, `vulnerabilities`) or version 1 (npm 6, `advisories`), or npm's error object. */
export function parseAuditReport(text: string, source: string): AuditSummary {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { source, counts: emptyCounts(), entries: [], error: 'the audit output is not JSON' };
  }
  const npmError = report.error as { code?: unknown; summary?: unknown } | undefined;
  if (npmError && typeof npmError === 'object') {
    return { source, counts: emptyCounts(), entries: [], error: [npmError.code, npmError.summary].filter((part) => typeof part === 'string' && part).join(': ') || 'npm audit failed' };
  }
  const entries: AuditEntry[] = [];
  if (report.vulnerabilities && typeof report.vulnerabilities === 'object') {
    for (const [name, raw] of Object.entries(report.vulnerabilities as Record<string, Record<string, unknown>>)) {
      if (!isSeverity(raw.severity)) continue;
      const via = Array.isArray(raw.via) ? (raw.via as unknown[]) : [];
      const titles: string[] = [];
      const urls: string[] = [];
      for (const item of via) {
        if (typeof item === 'string') titles.push(`via ${item}`);
        else if (item && typeof item === 'object') {
          const advisory = item as { title?: unknown; url?: unknown };
          if (typeof advisory.title === 'string') titles.push(advisory.title);
          if (typeof advisory.url === 'string') urls.push(advisory.url);
        }
      }
      entries.push({ package: typeof raw.name === 'string' ? raw.name : name, severity: raw.severity, titles: [...new Set(titles)], urls: [...new Set(urls)], fixAvailable: raw.fixAvailable !== false });
    }
  } else if (report.advisories && typeof report.advisories === 'object') {
    for (const raw of Object.values(report.advisories as Record<string, Record<string, unknown>>)) {
      if (!isSeverity(raw.severity)) continue;
      entries.push({
        package: String(raw.module_name ?? 'unknown'),
        severity: raw.severity,
        titles: typeof raw.title === 'string' ? [raw.title] : [],
        urls: typeof raw.url === 'string' ? [raw.url] : [],
      });
    }
  } else {
    return { source, counts: emptyCounts(), entries: [], error: 'not an npm audit report (no vulnerabilities or advisories)' };
  }
  const counts = emptyCounts();
  const metadata = (report.metadata as { vulnerabilities?: Record<string, unknown> } | undefined)?.vulnerabilities;
  for (const severity of AUDIT_SEVERITIES) {
    const counted = metadata?.[severity];
    counts[severity] = typeof counted === 'number' ? counted : entries.filter((entry) => entry.severity === severity).length;
  }
  return { source, counts, entries };
}

export function readAuditReport(ctx: ProbeContext, file: string): Promise<AuditSummary> {
  return ctx.facts.once(`npm-audit-report ${file}`, async () => {
    try {
      return parseAuditReport(await readFile(file, 'utf8'), file);
    } catch (error) {
      return { source: file, counts: emptyCounts(), entries: [], error: `cannot read the report: ${errorMessage(error)}` };
    }
  });
}

export interface AuditRun {
  omitDev: boolean;
  /** Registry to audit against (npm's --registry); default npm's own configuration. */
  registry?: string;
}

/** Runs `npm audit --json` in the checkout; npm exits non-zero when it finds vulnerabilities, so stdout is read either way. */
export function runAudit(ctx: ProbeContext, dir: string, run: AuditRun): Promise<AuditSummary> {
  const args = ['audit', '--json', ...(run.omitDev ? ['--omit=dev'] : []), ...(run.registry ? [`--registry=${run.registry}`] : [])];
  const source = `npm audit in ${dir}`;
  return ctx.facts.once(`npm-audit ${dir} ${args.join(' ')}`, async () => {
    ctx.facts.countContact('npm-audit', dir);
    return new Promise<AuditSummary>((resolve) => {
      execFile(
        process.platform === 'win32' ? 'npm.cmd' : 'npm',
        args,
        {
          cwd: dir,
          signal: gatherSignal(ctx),
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_loglevel: 'error' },
        },
        (error, stdout) => {
          if (stdout.trim() !== '') return resolve(parseAuditReport(stdout, source));
          resolve({ source, counts: emptyCounts(), entries: [], error: error ? errorMessage(error).split('\n')[0] ?? 'npm audit failed' : 'npm audit printed nothing' });
        },
      );
    });
  });
}
