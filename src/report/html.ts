import { formatInstant } from '../attest/dates.js';
import type { EntryResult } from '../engine/result.js';
import { STATUSES, type Status } from '../engine/types.js';
import { isBlocking } from '../engine/verdict.js';
import { VERDICT_TEXT, formatDuration, summaryLine } from './labels.js';
import { inputsLine, type Report, type Reporter } from './model.js';
import { STATUS_GROUP, byPhase } from './outcome.js';

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
  const blocking = isBlocking(result, failOn);
  return `<tr data-status="${result.status}" data-group="${STATUS_GROUP[result.status]}" data-phase="${htmlEscape(result.phase)}"${blocking ? ' data-blocking="1"' : ''}>
<td><span class="badge" style="background:${COLOR[result.status]}">${result.status}</span>${blocking ? ' <b title="blocks the release">■</b>' : ''}</td>
<td>${result.severity}</td><td>${htmlEscape(result.phase)}</td>
<td>${htmlEscape(result.title)}<div class="id">${htmlEscape(result.id)}</div></td>
<td>${result.probe ? `<code>${htmlEscape(result.probe)}</code>` : 'manual'}</td>
<td>${htmlEscape(result.observed)}${attestation}<div class="exp">expected: ${htmlEscape(result.expected)}</div></td>
<td>${STATUS_GROUP[result.status] === 'ok' ? '' : htmlEscape(result.remediation)}</td></tr>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#212121;max-width:1400px}
h1.verdict{padding:12px 16px;border-radius:6px;color:#fff;display:inline-block;margin:0 0 8px}
.ready{background:#2e7d32}.not-ready{background:#c62828}.incomplete{background:#6a1b9a}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e0e0e0;padding:6px;text-align:left;vertical-align:top}
th{background:#f5f5f5;position:sticky;top:0}.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px}
.id,.exp,.att{color:#616161;font-size:11px}.att{color:#1b5e20}.filters{margin:12px 0;display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.note{color:#616161}.warning{background:#fff3e0;border-left:4px solid #ef6c00;padding:8px 12px}code{font-size:12px}`;

/** Filters rows by status (or group), phase and text; reads the initial filter from the URL hash (#status=fail&phase=x&q=y). */
const SCRIPT = `(function(){
var rows=Array.prototype.slice.call(document.querySelectorAll('#results tbody tr'));
var status=document.getElementById('f-status'),phase=document.getElementById('f-phase'),text=document.getElementById('f-text'),count=document.getElementById('f-count');
function apply(){var s=status.value,p=phase.value,t=text.value.toLowerCase(),shown=0;
rows.forEach(function(r){var ok=(!s||r.getAttribute('data-status')===s||r.getAttribute('data-group')===s||(s==='blocking'&&r.hasAttribute('data-blocking')))&&(!p||r.getAttribute('data-phase')===p)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);r.hidden=!ok;if(ok)shown++;});
count.textContent=shown+' of '+rows.length+' shown';}
location.hash.replace(/^#/,'').split('&').forEach(function(kv){var i=kv.indexOf('=');if(i<0)return;var k=kv.slice(0,i),v=decodeURIComponent(kv.slice(i+1));
if(k==='status')status.value=v;if(k==='phase')phase.value=v;if(k==='q')text.value=v;});
status.addEventListener('change',apply);phase.addEventListener('change',apply);text.addEventListener('input',apply);apply();})();`;

/** One self-contained HTML file: verdict, a per-phase chart, and a filterable table. A CSP forbids every network fetch. */
export const htmlReporter: Reporter = (report) => {
  const blocking = report.results.filter((r) => isBlocking(r, report.options.failOn));
  const phases = [...byPhase(report.results).keys()];
  const statusOptions = ['', 'blocking', 'problem', 'ok', ...STATUSES].map((s) => `<option value="${s}">${s || 'all statuses'}</option>`).join('');
  const phaseOptions = ['', ...phases].map((p) => `<option value="${htmlEscape(p)}">${htmlEscape(p || 'all phases')}</option>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bazaarhub-check: ${VERDICT_TEXT[report.verdict]}</title><style>${STYLE}</style></head>
<body>
<h1 id="verdict" class="verdict ${report.verdict}">${VERDICT_TEXT[report.verdict]}</h1>
<p id="meta">Exit code ${report.exitCode} · generated ${htmlEscape(report.generatedAt)} by bazaarhub-check ${htmlEscape(report.tool.version)} · target ${htmlEscape(report.target.envFile ?? '(process environment)')} · ${htmlEscape(inputsLine(report.inputs))} · blocking severities: ${report.options.failOn} and above · ${htmlEscape(formatDuration(report.durationMs))}</p>
${(report.notes ?? []).map((note) => `<p class="note">Note: ${htmlEscape(note)}</p>`).join('')}${report.options.insecure ? '<p class="warning">TLS verification was turned off (--insecure): certificate results are not trustworthy.</p>' : ''}${report.interrupted ? '<p class="warning">Interrupted: this is a partial report.</p>' : ''}
<p id="summary">${htmlEscape(summaryLine(report.summary) || 'no results')}</p>
<h2>Results per phase</h2>
${phaseChart(report.results)}
<h2 id="blocking">Blocking (${blocking.length})</h2>
${blocking.length ? `<ul>${blocking.map((r) => `<li><b>${htmlEscape(r.title)}</b> <span class="id">${htmlEscape(r.id)}</span>: ${r.status} — ${htmlEscape(r.observed)}${r.remediation ? `<br><i>Fix:</i> ${htmlEscape(r.remediation)}` : ''}</li>`).join('')}</ul>` : '<p>Nothing blocks this release.</p>'}
<h2>All results</h2>
<div class="filters"><label>Status <select id="f-status">${statusOptions}</select></label><label>Phase <select id="f-phase">${phaseOptions}</select></label><label>Search <input id="f-text" type="search" placeholder="title, id, observed…"></label><span id="f-count"></span></div>
<table id="results"><thead><tr><th>Status</th><th>Severity</th><th>Phase</th><th>Item</th><th>Check</th><th>Observed</th><th>Fix</th></tr></thead>
<tbody>
${report.results.map((r) => row(r, report.options.failOn)).join('\n')}
</tbody></table>
<script>${SCRIPT}</script>
</body></html>
`;
};
