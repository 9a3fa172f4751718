import { formatInstant } from '../attest/dates.js';
import type { EntryResult } from '../engine/result.js';
import { STATUSES, type Status } from '../engine/types.js';
import { isBlocking } from '../engine/verdict.js';
import { VERDICT_TEXT, formatDuration, summaryLine } from './labels.js';
import { inputsLine, type Report, type Reporter } from './model.js';
import type { Cause } from './causes.js';
import { STATUS_GROUP, byPhase } from './outcome.js';
import { costLine, countsLine, expiringSoon, lapsedWaivers, resultMarks, verdictLine, verdictReason, waiverStateText, waiversInForce, whatToSet } from './story.js';

export function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const COLOR: Readonly<Record<Status, string>> = {
  pass: '#2e7d32',
  attested: '#66bb6a',
  warn: '#f9a825',
  fail: '#c62828',
  unattested: '#ef6c00',
  expired: '#ad1457',
  error: '#6a1b9a',
  skipped: '#9e9e9e',
};

/** Stacked bars, one per phase, in an inline SVG (no scripts, no fonts, no network). */
export function phaseChart(results: readonly EntryResult[]): string {
  const phases = [...byPhase(results)];
  const labelWidth = 190;
  const barWidth = 520;
  const rowHeight = 26;
  const height = phases.length * rowHeight + 40;
  const max = Math.max(1, ...phases.map(([, list]) => list.length));
  const bars = phases.map(([phase, list], row) => {
    const y = row * rowHeight + 6;
    let x = labelWidth;
    const segments = STATUSES.map((status) => {
      const count = list.filter((r) => r.status === status).length;
      if (count === 0) return '';
      const width = (count / max) * barWidth;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="18" fill="${COLOR[status]}"><title>${htmlEscape(`${phase}: ${count} ${status}`)}</title></rect>`;
      x += width;
      return rect;
    }).join('');
    return `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${htmlEscape(phase)}</text>${segments}<text x="${(x + 6).toFixed(1)}" y="${y + 13}">${list.length}</text>`;
  });
  let legendX = labelWidth;
  const legend = STATUSES.filter((status) => results.some((r) => r.status === status)).map((status) => {
    const item = `<rect x="${legendX}" y="${height - 24}" width="12" height="12" fill="${COLOR[status]}"/><text x="${legendX + 16}" y="${height - 14}">${status}</text>`;
    legendX += 24 + status.length * 7;
    return item;
  });
  return `<svg id="chart" role="img" aria-label="Results per phase" xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 60}" height="${height}" font-family="system-ui, sans-serif" font-size="12">${bars.join('')}${legend.join('')}</svg>`;
}

function link(value: string | null): string {
  if (!value) return '';
  return /^https?:\/\/\S+$/i.test(value) ? `<a href="${htmlEscape(value)}" rel="noreferrer noopener">${htmlEscape(value)}</a>` : `<code>${htmlEscape(value)}</code>`;
}

function row(result: EntryResult, failOn: Report['options']['failOn']): string {
  const a = result.attestation;
  const attestation = a ? `<div class="att">${htmlEscape(a.status)} by ${htmlEscape(a.by)} on ${htmlEscape(formatInstant(a.at))}${a.expires ? `, until ${htmlEscape(formatInstant(a.expires))}` : ''}${a.reason ? ` — ${htmlEscape(a.reason)}` : ''} ${link(a.evidence)}</div>` : '';
  const blocking = result.blocking ?? isBlocking(result, failOn);
  const marks = resultMarks(result);
  const waiver = result.waiver ? `<div class="att">${htmlEscape(waiverStateText(result))}</div>` : '';
  return `<tr data-status="${result.status}" data-group="${STATUS_GROUP[result.status]}" data-phase="${htmlEscape(result.phase)}"${result.cause ? ` data-cause="${htmlEscape(result.cause)}"` : ''}${blocking ? ' data-blocking="1"' : ''}${result.waived ? ' data-waived="1"' : ''}>
<td><span class="badge" style="background:${COLOR[result.status]}">${result.status}</span>${blocking ? ' <b title="blocks the release">■</b>' : ''}${marks.map((m) => `<div class="mark">${htmlEscape(m)}</div>`).join('')}</td>
<td>${result.severity}</td><td>${htmlEscape(result.phase)}</td>
<td>${htmlEscape(result.title)}<div class="id">${htmlEscape(result.id)}</div></td>
<td>${result.probe ? `<code>${htmlEscape(result.probe)}</code>` : 'manual'}</td>
<td>${htmlEscape(result.observed)}${attestation}${waiver}<div class="exp">expected: ${htmlEscape(result.expected)}</div></td>
<td>${STATUS_GROUP[result.status] === 'ok' ? '' : htmlEscape(result.remediation)}</td></tr>`;
}

const STYLE = `*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:16px;color:#212121;max-width:1240px;overflow-wrap:anywhere}
h1.verdict{padding:12px 16px;border-radius:6px;color:#fff;display:inline-block;margin:0 0 8px}
.ready{background:#2e7d32}.not-ready{background:#c62828}.incomplete{background:#6a1b9a}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}th,td{border-bottom:1px solid #e0e0e0;padding:6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#f5f5f5;position:sticky;top:0}.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px}
col.c-status{width:9%}col.c-sev{width:7%}col.c-phase{width:10%}col.c-item{width:20%}col.c-check{width:10%}col.c-obs{width:26%}col.c-fix{width:18%}
.id,.exp,.att,.mark{color:#616161;font-size:11px}.att{color:#1b5e20}.mark{color:#e65100}.filters{margin:12px 0;display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.note{color:#616161}.warning{background:#fff3e0;border-left:4px solid #ef6c00;padding:8px 12px}code{font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
nav#jump{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0;font-size:14px}#counts{font-weight:600}svg{max-width:100%;height:auto}
ul.causes li{margin-bottom:8px}.fix{color:#37474f}
@media (max-width:700px){#results thead{display:none}#results tr{display:block;border-bottom:2px solid #bdbdbd;padding:4px 0}#results td{display:block;border:0;padding:2px 6px}}`;

/** Filters rows by status (or group), phase and text; reads the initial filter from the URL hash (#status=fail&phase=x&q=y). */
const SCRIPT = `(function(){
var rows=Array.prototype.slice.call(document.querySelectorAll('#results tbody tr'));
var status=document.getElementById('f-status'),phase=document.getElementById('f-phase'),text=document.getElementById('f-text'),count=document.getElementById('f-count');
var cause='';
function apply(){var s=status.value,p=phase.value,t=text.value.toLowerCase(),shown=0;
rows.forEach(function(r){var ok=(!s||r.getAttribute('data-status')===s||r.getAttribute('data-group')===s||(s==='blocking'&&r.hasAttribute('data-blocking'))||(s==='waived'&&r.hasAttribute('data-waived')))&&(!p||r.getAttribute('data-phase')===p)&&(!cause||r.getAttribute('data-cause')===cause)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);r.hidden=!ok;if(ok)shown++;});
count.textContent=shown+' of '+rows.length+' shown';}
function fromHash(){cause='';location.hash.replace(/^#/,'').split('&').forEach(function(kv){var i=kv.indexOf('=');if(i<0)return;var k=kv.slice(0,i),v=decodeURIComponent(kv.slice(i+1));
if(k==='status')status.value=v;if(k==='phase')phase.value=v;if(k==='q')text.value=v;if(k==='cause')cause=v;});apply();}
status.addEventListener('change',function(){cause='';apply();});phase.addEventListener('change',apply);text.addEventListener('input',apply);window.addEventListener('hashchange',fromHash);fromHash();})();`;

function causeItem(cause: Cause, byId: Map<string, EntryResult>): string {
  const members = cause.entries.map((id) => byId.get(id)).filter((r): r is EntryResult => r !== undefined);
  const first = members[0] as EntryResult;
  const fix = cause.status === 'skipped' ? `<i>Set:</i> ${htmlEscape(whatToSet(first, members.length > 1))}` : cause.fix ? `<i>Fix:</i> ${htmlEscape(cause.fix)}` : '';
  const list = members.map((r) => `<li><a href="#cause=${encodeURIComponent(cause.key)}">${htmlEscape(r.title)}</a> <span class="id">${htmlEscape(r.id)} · ${r.severity} · ${r.status}</span></li>`).join('');
  const entries = members.length > 3 ? `<details><summary>${members.length} entries</summary><ul>${list}</ul></details>` : `<ul>${list}</ul>`;
  return `<li><span class="badge" style="background:${COLOR[cause.status]}">${cause.status}</span> <b>${cause.severity}</b> ${htmlEscape(cause.title)} <a href="#cause=${encodeURIComponent(cause.key)}">(${members.length} in the table)</a><div class="fix">${fix}</div>${entries}</li>`;
}

function costSection(cost: NonNullable<Report['cost']>): string {
  const rows = cost.targets.map((row) => `<tr><td>${htmlEscape(row.target)}</td><td>${htmlEscape((row.names ?? []).join(', '))}</td><td>${htmlEscape(row.protocols.join(', '))}</td><td>${row.requests}</td><td>${row.connections}</td><td>${row.handshakes}</td></tr>`).join('');
  const t = cost.totals;
  return `<h2 id="cost">${htmlEscape(costLine(cost))}</h2>
<table id="cost-table"><thead><tr><th>Target</th><th>Configured as</th><th>Protocols</th><th>Requests</th><th>Connections</th><th>TLS handshakes</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><th>Total</th><th></th><th></th><th>${t.requests}</th><th>${t.connections}</th><th>${t.handshakes}</th></tr></tfoot></table>`;
}

/** One self-contained HTML file: verdict, counts with links, causes, waivers, a per-phase chart, and a filterable table. A CSP forbids every network fetch. */
export const htmlReporter: Reporter = (report) => {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const blockingCauses = report.causes.filter((c) => c.blocks !== null);
  const waivers = waiversInForce(report.results);
  const lapsed = lapsedWaivers(report.results);
  const expiring = expiringSoon(report.results);
  const phases = [...byPhase(report.results).keys()];
  const statusOptions = ['', 'blocking', 'waived', 'problem', 'ok', ...STATUSES].map((s) => `<option value="${s}">${s || 'all statuses'}</option>`).join('');
  const phaseOptions = ['', ...phases].map((p) => `<option value="${htmlEscape(p)}">${htmlEscape(p || 'all phases')}</option>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bazaarhub-check: ${VERDICT_TEXT[report.verdict]}</title><style>${STYLE}</style></head>
<body>
<h1 id="verdict" class="verdict ${report.verdict}">${VERDICT_TEXT[report.verdict]}</h1>
${report.options.insecure ? '<p class="warning">TLS verification was turned off (--insecure): certificate results are not trustworthy.</p>' : ''}${report.interrupted ? '<p class="warning">Interrupted: this is a partial report.</p>' : ''}
<p id="reason">${htmlEscape(verdictLine(report))}. ${htmlEscape(verdictReason(report))}</p>
<p id="counts"><a href="#status=blocking">Blocking (${report.counts.blocking})</a>: ${htmlEscape(countsLine(report.counts))}</p>
<nav id="jump"><a href="#why">Why</a><a href="#waivers">Waivers (${waivers.length})</a>${expiring.length ? `<a href="#expiring">Expiring soon (${expiring.length})</a>` : ''}<a href="#all-results">All results (${report.results.length})</a><a href="#status=blocking">Show blocking in the table</a></nav>
<p id="meta" class="note">Exit code ${report.exitCode} · generated ${htmlEscape(report.generatedAt)} by bazaarhub-check ${htmlEscape(report.tool.version)}${report.target.environment ? ` · environment ${htmlEscape(report.target.environment)}` : ''} · target ${htmlEscape(report.target.envFile ?? '(process environment)')} · ${htmlEscape(inputsLine(report.inputs))} · blocking severities: ${report.options.failOn} and above · ${htmlEscape(formatDuration(report.durationMs))}</p>
${(report.notes ?? []).map((note) => `<p class="note">Note: ${htmlEscape(note)}</p>`).join('')}
<p id="summary">${htmlEscape(summaryLine(report.summary) || 'no results')}${report.counts.flaky ? ` · ${report.counts.flaky} flaky` : ''}</p>
<h2 id="why">Why: blocking (${report.counts.blocking}) by cause</h2>
${blockingCauses.length ? `<ul class="causes">${blockingCauses.map((c) => causeItem(c, byId)).join('')}</ul>` : '<p>Nothing blocks this release.</p>'}
<h2 id="waivers">Waivers (${waivers.length})</h2>
${waivers.length ? `<ul>${waivers.map((w) => `<li><b>${htmlEscape(w.title)}</b> <span class="id">${htmlEscape(w.id)}</span>: ${htmlEscape(w.status)}${w.finding ? ` (${htmlEscape(w.finding)})` : ''}, waived by ${htmlEscape(w.by)} until ${htmlEscape(w.until)}${w.expiring ? ' ⚠ expiring soon' : ''}: ${htmlEscape(w.justification)}</li>`).join('')}</ul>` : '<p>No waivers in force.</p>'}
${lapsed.length ? `<ul>${lapsed.map((r) => `<li class="warning">${htmlEscape(r.id)}: ${htmlEscape(waiverStateText(r))}; it blocks again.</li>`).join('')}</ul>` : ''}
${expiring.length ? `<h2 id="expiring">Expiring soon (${expiring.length})</h2><ul>${expiring.map((e) => `<li>${htmlEscape(e.title)} <span class="id">${htmlEscape(e.id)}</span>: ${e.what} ends ${htmlEscape(e.until)}</li>`).join('')}</ul>` : ''}
${report.cost ? costSection(report.cost) : ''}
<h2>Results per phase</h2>
${phaseChart(report.results)}
<h2 id="all-results">All results</h2>
<div class="filters"><label>Status <select id="f-status">${statusOptions}</select></label><label>Phase <select id="f-phase">${phaseOptions}</select></label><label>Search <input id="f-text" type="search" placeholder="title, id, observed…"></label><span id="f-count"></span></div>
<table id="results"><colgroup><col class="c-status"><col class="c-sev"><col class="c-phase"><col class="c-item"><col class="c-check"><col class="c-obs"><col class="c-fix"></colgroup><thead><tr><th>Status</th><th>Severity</th><th>Phase</th><th>Item</th><th>Check</th><th>Observed</th><th>Fix</th></tr></thead>
<tbody>
${report.results.map((r) => row(r, report.options.failOn)).join('\n')}
</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
};
