import type { Severity } from '../catalog/schema.js';
import type { EntryResult } from '../engine/result.js';
import { INSECURE_WARNING, type Report, type Reporter, type ReporterContext } from './model.js';
import { STATUS_GROUP, parseSource } from './outcome.js';
import { costLine, countsLine, resultMarks, waiversInForce, whatToSet } from './story.js';

/** GitHub code scanning ranks alerts by this property (0-10). */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '7.5', medium: '5.0', low: '2.0' };
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function level(result: EntryResult): 'error' | 'warning' | 'note' {
  if (result.status === 'skipped' && result.blocking) return 'warning';
  if (STATUS_GROUP[result.status] === 'problem') return result.severity === 'critical' || result.severity === 'high' ? 'error' : 'warning';
  if (STATUS_GROUP[result.status] === 'error') return 'warning';
  return 'note';
}

function rule(result: EntryResult) {
  const help = result.remediation || `Verify "${result.title}".`;
  return {
    id: result.id,
    name: result.title,
    shortDescription: { text: result.title },
    fullDescription: { text: `${result.title} (${result.phase}${result.section ? ` / ${result.section}` : ''}, ${result.probe ? `probe ${result.probe}` : 'manual attestation'})` },
    help: { text: help, markdown: help },
    defaultConfiguration: { level: result.severity === 'critical' || result.severity === 'high' ? 'error' : 'warning' },
    properties: { tags: [result.phase, result.section, result.probe ? 'automated' : 'manual'].filter(Boolean), 'security-severity': SECURITY_SEVERITY[result.severity], severity: result.severity, cadence: result.cadence },
  };
}

/** Code scanning wants a location on every result: entries without a checklist line point at the checklist's first line. */
function sarifResult(result: EntryResult, ruleIndex: number, fallbackFile: string | undefined) {
  const source = parseSource(result.source) ?? (fallbackFile ? { file: fallbackFile, line: 1 } : null);
  const marks = resultMarks(result);
  const text = `${result.title}: ${result.status}${result.blocking ? ' (blocking)' : ''}: ${result.observed} (expected ${result.expected})${result.status === 'skipped' ? `; to set: ${whatToSet(result)}` : ''}${marks.length ? ` [${marks.join('; ')}]` : ''}`;
  const waiver = result.waived && result.waiver ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${result.waiver.justification} (waived by ${result.waiver.by} until ${result.waiver.expires})` }] } : {};
  return {
    ruleId: result.id,
    ruleIndex,
    kind: 'fail',
    level: level(result),
    message: { text },
    ...(source ? { locations: [{ physicalLocation: { artifactLocation: { uri: source.file.split('\\').join('/') }, region: { startLine: Math.max(1, source.line) } } }] } : {}),
    partialFingerprints: { 'bazaarhubEntryId/v1': result.id },
    ...waiver,
    properties: { status: result.status, severity: result.severity, blocking: Boolean(result.blocking), ...(result.probe ? { probe: result.probe } : {}), ...(result.cause ? { cause: result.cause } : {}), ...(result.flaky ? { flaky: true } : {}), ...(result.waived ? { waived: true } : {}) },
  };
}

/** The SARIF 2.1.0 log as an object; one rule per catalog entry (help from its remediation), one result per entry that is not fine (skipped ones when they block); waived ones carry an accepted suppression. */
export function toSarif(report: Report, context?: Pick<ReporterContext, 'checklist'>) {
  const results = report.results;
  const reported = results.map((result, index) => ({ result, index })).filter(({ result }) => STATUS_GROUP[result.status] !== 'ok' && (STATUS_GROUP[result.status] !== 'skipped' || result.blocking));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver: { name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, rules: results.map(rule) } },
        invocations: [{ executionSuccessful: !report.interrupted, endTimeUtc: report.generatedAt, exitCode: report.exitCode, ...(report.options.insecure ? { toolExecutionNotifications: [{ level: 'warning', message: { text: INSECURE_WARNING } }] } : {}) }],
        results: reported.map(({ result, index }) => sarifResult(result, index, context?.checklist?.file)),
        properties: {
          inputs: report.inputs,
          verdict: report.verdict,
          exitCode: report.exitCode,
          failOn: report.options.failOn,
          insecure: report.options.insecure,
          gate: `Blocking (${report.counts.blocking}): ${countsLine(report.counts)}`,
          counts: report.counts,
          summary: report.summary,
          causes: report.causes,
          waivers: waiversInForce(report.results),
          notes: report.notes ?? [],
          ...(report.cost ? { costLine: costLine(report.cost), cost: report.cost } : {}),
        },
      },
    ],
  };
}

export const sarifReporter: Reporter = (report, context) => `${JSON.stringify(toSarif(report, context), null, 2)}\n`;
