import type { EntryResult } from '../engine/result.js';
import { STATUSES } from '../engine/types.js';
import { INSECURE_WARNING, type Reporter } from './model.js';
import { isSatisfied } from './outcome.js';

/** A label value in the text exposition format: backslash, double quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs).map(([name, value]) => `${name}="${label(value)}"`).join(',')}}`;
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '');
}

interface Family {
  name: string;
  help: string;
  samples: Array<[Record<string, string>, number]>;
}

function entryLabels(result: EntryResult): Record<string, string> {
  return { id: result.id, probe: result.probe ?? 'manual', severity: result.severity, cadence: result.cadence };
}

/**
 * An expiry as Unix seconds. Prometheus wants base units (promtool rejects a `_days` metric), and an
 * instant stays right as the file ages between runs: days left are `(metric - time()) / 86400`.
 */
function timestamp(instant: string): number {
  return Math.floor(Date.parse(instant) / 1000);
}

/**
 * The Prometheus text exposition format (for node_exporter's textfile collector): each entry's status,
 * the verdict, when each certificate and attestation expires, and the run's duration and time.
 * Every sample is a gauge; the file is rewritten whole on each run (see `--out`, written atomically).
 */
export const prometheusReporter: Reporter = (report) => {
  const entries = report.results;
  const certificates = new Map<string, [Record<string, string>, number]>();
  for (const result of entries) {
    for (const detail of result.details ?? []) {
      if (!detail.expires) continue;
      // Several entries may look at the same host's certificate: one series per host.
      certificates.set(detail.subject, [{ subject: detail.subject }, timestamp(detail.expires)]);
    }
  }
  const families: Family[] = [
    {
      name: 'bazaarhub_check_entry_status',
      help: 'Status of each catalog entry in the last run: 1 for the status the entry has (pass, warn, fail, error, skipped, attested, unattested, expired).',
      samples: entries.map((result) => [{ ...entryLabels(result), status: result.status }, 1]),
    },
    {
      name: 'bazaarhub_check_entry_ok',
      help: '1 when the entry passed or its attestation is current, 0 when it failed, could not run, was skipped or lacks a current attestation.',
      samples: entries.map((result) => [entryLabels(result), isSatisfied(result) ? 1 : 0]),
    },
    {
      name: 'bazaarhub_check_entry_blocking',
      help: '1 when the entry blocks the release in the last run (the same `blocking` as the JSON report; a waived finding does not block).',
      samples: entries.map((result) => [entryLabels(result), result.blocking ? 1 : 0]),
    },
    {
      name: 'bazaarhub_check_gate',
      help: 'The gate counts every report format prints: failures, missing or expired attestations, skipped-but-blocking entries, errors, waivers, flaky results.',
      samples: Object.entries(report.counts).map(([count, value]) => [{ count }, value]),
    },
    {
      name: 'bazaarhub_check_results',
      help: 'Number of entries per status in the last run.',
      samples: STATUSES.map((status) => [{ status }, report.summary[status] ?? 0]),
    },
    {
      name: 'bazaarhub_check_verdict',
      help: 'The verdict of the last run: 1 for the verdict it reached (ready, not-ready, incomplete).',
      samples: (['ready', 'not-ready', 'incomplete'] as const).map((verdict) => [{ verdict, fail_on: report.options.failOn }, report.verdict === verdict ? 1 : 0]),
    },
    { name: 'bazaarhub_check_exit_code', help: 'Exit code of the last run (0 ready, 1 not ready, 2 input error, 3 incomplete).', samples: [[{}, report.exitCode]] },
    {
      name: 'bazaarhub_check_certificate_expiry_timestamp_seconds',
      help: 'When the TLS certificate a service presented expires, in Unix seconds; days left: (this - time()) / 86400.',
      samples: [...certificates.values()],
    },
    {
      name: 'bazaarhub_check_attestation_expiry_timestamp_seconds',
      help: 'When the attestation of a manual entry expires, in Unix seconds (days left: (this - time()) / 86400); attestations that never expire have no sample.',
      samples: entries.filter((result) => result.attestation?.expires).map((result) => [entryLabels(result), timestamp(result.attestation!.expires!)]),
    },
    { name: 'bazaarhub_check_run_duration_seconds', help: 'Wall-clock duration of the last run.', samples: [[{}, report.durationMs / 1000]] },
    { name: 'bazaarhub_check_last_run_timestamp_seconds', help: 'When the last run finished, in Unix seconds.', samples: [[{}, Math.floor(Date.parse(report.generatedAt) / 1000)]] },
    { name: 'bazaarhub_check_interrupted', help: '1 when the last run was interrupted and the report is partial.', samples: [[{}, report.interrupted ? 1 : 0]] },
    { name: 'bazaarhub_check_insecure', help: '1 when the last run had TLS verification turned off (--insecure): certificate results are not trustworthy.', samples: [[{}, report.options.insecure ? 1 : 0]] },
  ];
  if (report.cost) {
    const kinds = ['requests', 'connections', 'handshakes'] as const;
    families.push(
      {
        name: 'bazaarhub_check_cost',
        help: 'What the last run sent to each target (host:port): requests, connections opened, TLS handshakes.',
        samples: report.cost.targets.flatMap((row) => kinds.map((kind): [Record<string, string>, number] => [{ target: row.target, kind }, row[kind]])),
      },
      {
        name: 'bazaarhub_check_run_cost',
        help: 'What the last run sent to the deployment in total: requests, connections opened, TLS handshakes (the cost line every format prints).',
        samples: kinds.map((kind) => [{ kind }, report.cost!.totals[kind]]),
      },
    );
    if (report.cost.budget) {
      families.push({ name: 'bazaarhub_check_max_requests', help: 'The --max-requests limit of the last run, the deliberate requests it granted, and the entries it skipped.', samples: [[{ what: 'limit' }, report.cost.budget.maxRequests], [{ what: 'granted' }, report.cost.budget.granted], [{ what: 'skipped_entries' }, report.cost.budget.skipped.length]] });
    }
  }
  if (report.inputs) {
    families.push({
      name: 'bazaarhub_check_info',
      help: 'The tool version and the files the last run used.',
      samples: [[{ version: report.tool.version, catalog: report.inputs.catalog, checklist: report.inputs.checklist ?? '', ledger: report.inputs.ledger ?? '', env_file: report.target.envFile ?? '' }, 1]],
    });
  }
  // A comment line, which the exposition format allows, so a reader of the file sees it first.
  const lines: string[] = report.options.insecure ? [`# WARNING: ${INSECURE_WARNING}`] : [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`);
    for (const [pairs, value] of family.samples) lines.push(`${family.name}${Object.keys(pairs).length ? labels(pairs) : ''} ${number(value)}`);
  }
  return `${lines.join('\n')}\n`;
};
