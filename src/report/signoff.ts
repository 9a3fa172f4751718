import { formatInstant } from '../attest/dates.js';
import type { EntryResult } from '../engine/result.js';
import { isBlocking } from '../engine/verdict.js';
import type { Report } from './model.js';
import { waiversInForce } from './story.js';

/** Text safe inside a markdown table cell. */
export function cell(text: string | null | undefined): string {
  if (!text) return '—';
  return text.replace(/\s+/g, ' ').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').trim() || '—';
}

/** A link when it looks like a URL, else the path or text as code. */
function evidence(value: string | null): string {
  if (!value) return '—';
  if (/^https?:\/\/\S+$/i.test(value)) return `[${cell(value.replace(/^https?:\/\//i, '').slice(0, 60))}](${value.replace(/[()| ]/g, (c) => encodeURIComponent(c))})`;
  return `\`${value.replace(/[`|\n]/g, ' ')}\``;
}

const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];

/** Longer lists of missing attestations are folded into a <details> block. */
const FOLD_AFTER = 15;

/** Roles asked to approve; renderSignoff's `roles` option replaces them. */
const DEFAULT_ROLES = ['Release manager', 'Engineering lead', 'Security', 'Operations'];

/**
 * The release manager's sign-off section of the markdown report: who attested what (with evidence links),
 * what is waived and until when, what is not applicable and why, what is still missing, and an approval table.
 */
export function renderSignoff(report: Report, options: { roles?: readonly string[] } = {}): string {
  return `${renderSignoffRecords(report)}\n${renderApproval(report, options).split('\n').slice(2).join('\n')}`;
}

/** Who attested what, what is waived, not applicable or missing: `## Sign-off` with its record tables. */
export function renderSignoffRecords(report: Report, heading = '## Sign-off'): string {
  const manual = report.results.filter((r) => r.probe === null);
  const attested = manual.filter((r) => r.attestation && (r.status === 'attested' || r.status === 'warn'));
  const done = attested.filter((r) => r.attestation?.status === 'done');
  const waived = waiversInForce(report.results);
  const manualWaived = attested.filter((r) => r.attestation?.status === 'waived');
  const notApplicable = report.results.filter((r) => r.attestation?.status === 'not-applicable' && (r.probe !== null || r.status === 'attested' || r.status === 'warn'));
  const missing = manual.filter((r) => r.status === 'unattested' || r.status === 'expired');
  const until = (r: EntryResult) => (r.attestation?.expires ? formatInstant(r.attestation.expires) : 'next release');
  const flag = (r: EntryResult) => (r.status === 'warn' ? ' ⚠ expiring soon' : '');
  const out: string[] = [heading, ''];
  out.push(`${manual.length} manual item(s): ${done.length} attested, ${manualWaived.length} waived, ${notApplicable.filter((r) => r.probe === null).length} not applicable, ${missing.length} missing or expired.`, '');
  out.push('### Attested', '');
  if (done.length === 0) out.push('_No current attestations._');
  else out.push(...table(['Item', 'By', 'On (UTC)', 'Valid until', 'Evidence', 'Note', 'Signed with'], done.map((r) => [`${cell(r.title)} <br>\`${r.id}\``, cell(r.attestation?.by), formatInstant(r.attestation?.at ?? ''), `${until(r)}${flag(r)}`, evidence(r.attestation?.evidence ?? null), cell(r.attestation?.note), cell(r.attestation?.signedWith)])));
  out.push('', '### Waived', '');
  if (waived.length === 0) out.push('_Nothing is waived._');
  else out.push(...table(['Item', 'Waived by', 'Until', 'Justification', 'Waived finding'], waived.map((w) => [`${cell(w.title)} <br>\`${w.id}\``, cell(w.by), `${w.until}${w.expiring ? ' ⚠ expiring soon' : ''}`, cell(w.justification), cell(w.finding)])));
  if (notApplicable.length > 0) {
    out.push('', '### Not applicable', '');
    out.push(...table(['Item', 'By', 'Reason'], notApplicable.map((r) => [`${cell(r.title)} <br>\`${r.id}\``, cell(r.attestation?.by), cell(r.attestation?.reason)])));
  }
  out.push('', '### Missing or expired', '');
  if (missing.length === 0) out.push('_Every manual item has a current attestation._');
  else {
    // Blocking items first; a long list folds away so the approval table stays in sight.
    const blocks = (r: EntryResult) => isBlocking(r, report.options.failOn);
    const ordered = [...missing.filter(blocks), ...missing.filter((r) => !blocks(r))];
    const rows = table(['Item', 'Severity', 'Status', 'Blocks release', 'To attest'], ordered.map((r) => [cell(r.title), r.severity, r.status === 'expired' ? `expired (${cell(r.observed.replace(/^.*; /, ''))})` : 'unattested', blocks(r) ? '**yes**' : 'no', `\`bazaarhub-check attest ${r.id}\``]));
    if (ordered.length > FOLD_AFTER) out.push(`<details><summary>${ordered.length} item(s), ${missing.filter(blocks).length} blocking the release</summary>`, '', ...rows, '', '</details>');
    else out.push(...rows);
  }
  out.push('');
  return out.join('\n');
}

/** The approval table: `## Sign-off`, `### Approval`, the verdict and one row per role (filled from signed approvals when there are any). */
export function renderApproval(report: Report, options: { roles?: readonly string[] } = {}): string {
  const out: string[] = ['## Sign-off'];
  out.push('', '### Approval', '', `Verdict at ${formatInstant(report.generatedAt)}: **${report.verdict}** (exit ${report.exitCode}, fail-on ${report.options.failOn}).`, '');
  if (report.signoff) {
    // Filled from signed approval records (bazaarhub-check approve); a role nobody approved stays open.
    const approvals = new Map(report.signoff.approvals.map((approval) => [approval.role, approval]));
    const rows = [...new Set([...report.signoff.roles, ...approvals.keys()])].map((role) => {
      const approval = approvals.get(role);
      if (!approval) return [cell(role), '—', `awaiting: \`bazaarhub-check approve report.json --role ${role}\``, '—', '—'];
      const decision = `approved report \`${approval.report.sha256.slice(0, 12)}\` (${approval.report.verdict})${approval.override ? ` — **OVERRIDE**: ${cell(approval.justification)}` : ''}`;
      return [cell(role), cell(approval.by), decision, formatInstant(approval.at), `${cell(approval.signedWith)}${approval.roleVerified ? '' : ' (role not verified)'}`];
    });
    out.push(...table(['Role', 'Name', 'Decision', 'Date (UTC)', 'Signed with'], rows));
    out.push('', `Required: ${report.signoff.roles.join(', ')}. A deploy job checks the report it acts on with \`bazaarhub-check approve --verify report.json\`.`);
  } else {
    const roles = options.roles?.length ? options.roles : DEFAULT_ROLES;
    out.push(...table(['Role', 'Name', 'Decision', 'Date', 'Signature'], roles.map((role) => [cell(role), ' ', '☐ Approve ☐ Reject', ' ', ' '])));
  }
  out.push('');
  return out.join('\n');
}
