import { z } from 'zod';
import { defineProbe, type Finding, type FindingDetail } from '../../src/engine/types.js';
import { AUDIT_SEVERITIES, readAuditReport, runAudit, type AuditSeverity, type AuditSummary } from '../../src/facts/npm-audit.js';
import { byCodeUnit } from '../../src/util/order.js';

const severity = z.enum(AUDIT_SEVERITIES);
const MAX_LISTED = 20;

function counted(summary: AuditSummary): string {
  const parts = [...AUDIT_SEVERITIES].reverse().filter((level) => summary.counts[level] > 0).map((level) => `${summary.counts[level]} ${level}`);
  return parts.length > 0 ? parts.join(', ') : 'no vulnerabilities';
}

/** fail on any failOn severity, warn on any warnOn severity; lists each offending package and its advisories. */
export function judgeAudit(summary: AuditSummary, failOn: AuditSeverity[], warnOn: AuditSeverity[]): Finding {
  const expected = `no ${failOn.join(' or ')} advisories`;
  if (summary.error !== undefined) return { status: 'error', observed: `${summary.source}: ${summary.error}`, expected };
  const levelOf = (level: AuditSeverity) => (failOn.includes(level) ? 'fail' : warnOn.includes(level) ? 'warn' : 'pass');
  const flagged = summary.entries
    .filter((entry) => levelOf(entry.severity) !== 'pass')
    .sort((a, b) => AUDIT_SEVERITIES.indexOf(b.severity) - AUDIT_SEVERITIES.indexOf(a.severity) || byCodeUnit(a.package, b.package));
  const details: FindingDetail[] = flagged.slice(0, MAX_LISTED).map((entry) => ({
    subject: entry.package,
    status: levelOf(entry.severity),
    observed: `${entry.severity}: ${entry.titles.join('; ') || 'advisory'}${entry.urls[0] ? ` (${entry.urls[0]})` : ''}${entry.fixAvailable === false ? ', no fix available' : ''}`,
  }));
  const failing = failOn.some((level) => summary.counts[level] > 0);
  const warning = warnOn.some((level) => summary.counts[level] > 0);
  const status = failing ? 'fail' : warning ? 'warn' : 'pass';
  const listed = flagged.slice(0, MAX_LISTED).map((entry) => `${entry.package} (${entry.severity})`);
  const more = flagged.length > MAX_LISTED ? `, and ${flagged.length - MAX_LISTED} more` : '';
  const observed = `${summary.source}: ${counted(summary)}${listed.length > 0 ? `: ${listed.join(', ')}${more}` : ''}`;
  return { status, observed, expected, ...(details.length > 0 ? { details } : {}) };
}

export default defineProbe({
  id: 'npm.audit',
  sends: { to: 'the npm registry (not the deployment)', what: '`npm audit --json` in the dir param sends the lockfile\'s package list to the registry\'s audit endpoint; with the report param nothing is sent', effect: 'none' },
  title: 'No critical or high npm advisories',
  description:
    'Runs `npm audit --json` in the application\'s checkout (param dir) or reads a saved `npm audit --json` report (param report); fails on critical or high advisories and lists them.',
  params: z.object({
    /** The application's checkout (with package-lock.json) to run npm audit in. */
    dir: z.string().default(''),
    /** A saved `npm audit --json` report, used instead of running npm. */
    report: z.string().default(''),
    /** Audit production dependencies only (npm audit --omit=dev). */
    omitDev: z.boolean().default(false),
    /** Registry to audit against; default npm's configured registry. */
    registry: z.string().default(''),
    failOn: z.array(severity).default(['critical', 'high']),
    warnOn: z.array(severity).default(['moderate']),
  }),
  remediation: 'Run `npm audit fix` (or upgrade the listed packages / add overrides), commit the lockfile, and re-run npm audit until no critical or high advisories remain.',
  suggests: [
    { match: /\bnpm audit\b|dependency vulnerability|dependency security patches|security vulnerability scan/i, severity: 'high' },
  ],
  async run(ctx, params): Promise<Finding> {
    if (params.report) return judgeAudit(await readAuditReport(ctx, params.report), params.failOn, params.warnOn);
    if (params.dir) {
      const summary = await runAudit(ctx, params.dir, { omitDev: params.omitDev, ...(params.registry ? { registry: params.registry } : {}) });
      return judgeAudit(summary, params.failOn, params.warnOn);
    }
    return { status: 'skipped', observed: 'no checkout or report: set the catalog param dir (the application checkout) or report (a saved npm audit --json)', expected: `no ${params.failOn.join(' or ')} advisories` };
  },
});
